import { z } from "zod";

/**
 * zod, configured for the browser's Content-Security-Policy. zod 4 compiles object parsers with
 * `new Function` when it can, and finds out whether it can by trying: under the portal's CSP
 * (no 'unsafe-eval') that attempt is blocked, which is harmless to zod but a violation report per
 * page for us (and noise that would hide a real one). `jitless` skips the attempt.
 *
 * Schemas that reach client components import `z` from here, never from "zod" (ESLint enforces it
 * for lib/validation, components and app).
 */
z.config({ jitless: true });

export { z };
