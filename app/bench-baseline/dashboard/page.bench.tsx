import "server-only";
import { notFound } from "next/navigation";
import { DashboardView } from "@/app/(portal)/dashboard/dashboard-view";
import type { PortalSession, PortalUser } from "@/lib/auth/session";
import { prisma } from "@/lib/db";

/**
 * BENCHMARK ONLY. The dashboard without its session and strength checks: the denominator of
 * `npm run bench`'s throughput ratio. A `page.bench.tsx` is a route only in the build that
 * `npm run bench` makes with BENCH_BASELINE=1 (next.config.ts adds the extension and a separate
 * output folder); every other build, the shipped one included, ignores this file, and
 * `npm run bench:bundle` fails if a build ever lists it (docs/performance.md).
 *
 * The user comes from `?user=<portal user id>` and is looked up once per process, so a request
 * here costs the dashboard's own reads and rendering and nothing that identifies the caller.
 */
/** Display only (the header shows no expiry); fixed so that rendering stays pure. */
const SESSION_END = new Date("2100-01-01T00:00:00Z");

const users = new Map<string, Promise<PortalUser | null>>();

function benchUser(id: string): Promise<PortalUser | null> {
  let user = users.get(id);
  if (!user) {
    user = prisma.user.findUnique({ where: { id }, select: { id: true, name: true, userPrincipalName: true, tenantId: true, objectId: true } });
    users.set(id, user);
  }
  return user;
}

export default async function BenchBaselineDashboardPage({ searchParams }: { searchParams: Promise<{ user?: string }> }) {
  const { user: userId } = await searchParams;
  const user = userId ? await benchUser(userId) : null;
  if (!user) notFound();
  const session: PortalSession = {
    sessionId: "bench-baseline",
    user,
    strength: { acrs: [], authTime: null, elevations: [] },
    roles: [],
    expires: SESSION_END,
  };
  return <DashboardView session={session} />;
}
