import { z } from "zod";

/**
 * zod for the server's schemas (lib/validation). The browser gets none of it: forms check their
 * input with the plain rules those schemas are built from (lib/validation/rules.ts), because zod
 * costs 28-90 kB of first-load JavaScript per form page; ESLint refuses schema modules in
 * components/, and `npm run bench:bundle` fails a page that ships them.
 *
 * `jitless`: zod 4 compiles object parsers with `new Function` when it can, and finds out whether
 * it can by trying. Under the portal's CSP (no 'unsafe-eval') that attempt is blocked, a violation
 * report per page; the setting is kept so that app code, which takes `z` from here, never depends
 * on where it runs (ESLint enforces the import for lib/validation, components and app).
 */
z.config({ jitless: true });

export { z };
