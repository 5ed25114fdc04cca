import "server-only";
import { prisma } from "@/lib/db";
import { env } from "@/lib/env";
import { createLogger } from "@/lib/log";
import { RateLimiter, type RateLimitDecision, type RateLimitRule } from "@/lib/rate-limit/limiter";
import { PrismaCounterStore } from "@/lib/rate-limit/prisma-store";
import { clientIpOf } from "@/lib/security/client-ip";

/**
 * The portal's abuse limits (SECURITY.md "Rate limits"), counted in the database so that every
 * instance shares them. Each is configurable (.env.example); the defaults are generous enough
 * for a person and for the end-to-end suite, which signs many people in from one address.
 *
 * Where they apply:
 * - `requests`: every server action (lib/step-up/server/protected-action.ts) and API request
 *   (lib/api/route.ts), per user and per client address;
 * - `sign-in`: sign-in starts and the identity provider's callbacks per client address, and
 *   completed sign-ins per user (lib/auth);
 * - `step-up-proof`: tokens presented as step-up proofs per user (lib/step-up/server/enforce.ts); open
 *   approvals per user are capped there too.
 */

const windowSeconds = env.RATE_LIMIT_WINDOW_SECONDS;

/** The rules, by name. */
const RATE_LIMIT_RULES = {
  requestsPerUser: { name: "requests:user", limit: env.RATE_LIMIT_REQUESTS_PER_USER, windowSeconds },
  requestsPerIp: { name: "requests:ip", limit: env.RATE_LIMIT_REQUESTS_PER_IP, windowSeconds },
  signInsPerIp: { name: "sign-in:ip", limit: env.RATE_LIMIT_SIGN_INS_PER_IP, windowSeconds },
  signInsPerUser: { name: "sign-in:user", limit: env.RATE_LIMIT_SIGN_INS_PER_USER, windowSeconds },
  stepUpProofsPerUser: { name: "step-up-proof:user", limit: env.RATE_LIMIT_STEP_UP_PROOFS_PER_USER, windowSeconds },
} as const satisfies Record<string, RateLimitRule>;

export { RATE_LIMITED_MESSAGE } from "@/lib/actions/result";

const limiter = new RateLimiter(new PrismaCounterStore(prisma));
const log = createLogger("rate-limit");

/** The client's address as the configured proxies report it (lib/security/client-ip.ts). */
export function clientIp(headers: Pick<Headers, "get">): string {
  return clientIpOf(headers, env.RATE_LIMIT_TRUSTED_PROXIES);
}

async function decide(hits: Array<[RateLimitRule, string]>): Promise<RateLimitDecision> {
  const decision = await limiter.hitAll(hits);
  if (!decision.allowed) log.warn("rate_limit.refused", { rules: hits.map(([rule]) => rule.name).join(","), retryAfterSeconds: decision.retryAfterSeconds });
  return decision;
}

/** One server-action call or API request: per client address, and per user once known. */
export function limitRequest(ip: string, userId?: string): Promise<RateLimitDecision> {
  const hits: Array<[RateLimitRule, string]> = [[RATE_LIMIT_RULES.requestsPerIp, ip]];
  if (userId) hits.push([RATE_LIMIT_RULES.requestsPerUser, userId]);
  return decide(hits);
}

/** One API request by `userId`, once its token is verified (the address was counted before). */
export function limitUserRequest(userId: string): Promise<RateLimitDecision> {
  return decide([[RATE_LIMIT_RULES.requestsPerUser, userId]]);
}

/** A sign-in start or an identity provider callback from `ip`. */
export function limitSignInAttempt(ip: string): Promise<RateLimitDecision> {
  return decide([[RATE_LIMIT_RULES.signInsPerIp, ip]]);
}

/** A sign-in that the identity provider completed for the user `tenantId/objectId`. */
export function limitSignInOfUser(tenantId: string, objectId: string): Promise<RateLimitDecision> {
  return decide([[RATE_LIMIT_RULES.signInsPerUser, `${tenantId}/${objectId}`]]);
}

/** A token presented as a step-up proof by `userId`. */
export function limitStepUpProof(userId: string): Promise<RateLimitDecision> {
  return decide([[RATE_LIMIT_RULES.stepUpProofsPerUser, userId]]);
}
