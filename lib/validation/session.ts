import { z } from "@/lib/validation/zod";

/** "Stay signed in" (lib/auth/actions.ts): nothing to choose; using the session is what slides it. */
export const staySignedInSchema = z.strictObject({});
