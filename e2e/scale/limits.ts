/**
 * The abuse limits of the multi-instance stack (playwright.scale.config.ts passes them to both
 * instances): an hour's window, so a run never straddles two; a per-user request limit that the
 * kill test's 120 transfers and their retries stay under and the shared-limit test reaches quickly;
 * per-address limits out of the way, since every request here comes from loopback.
 */
export const SCALE_LIMITS = { windowSeconds: 3_600, requestsPerUser: 300, requestsPerAddress: 1_000_000 } as const;
