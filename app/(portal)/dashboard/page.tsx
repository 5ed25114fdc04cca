import type { Metadata } from "next";
import { requireSession } from "@/lib/auth/session";
import { DashboardView } from "./dashboard-view";

export const metadata: Metadata = { title: "Overview" };

export default async function DashboardPage() {
  const session = await requireSession();
  return <DashboardView session={session} />;
}
