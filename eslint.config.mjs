import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

/**
 * Flat config (Next 16 has no `next lint`). Beyond Next's rules it enforces the two
 * boundaries the architecture depends on: the portal never imports the emulator (switching
 * to a real tenant must be configuration only), and the emulator never imports the portal.
 */
export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([".next/**", ".next-bench/**", ".data/**", "lib/generated/**", "node_modules/**", "test-results/**", "playwright-report/**", "next-env.d.ts"]),
  {
    files: ["app/**", "lib/**", "components/**", "proxy.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["**/emulator/**", "@/emulator/**"], message: "App code must not depend on the emulator: talk to it over the protocol, as to real Entra ID." }] },
      ],
    },
  },
  {
    // Schemas and UI take zod from lib/validation/zod.ts, which keeps it from trying `new Function`
    // under the CSP (a violation report on every page otherwise).
    files: ["app/**", "lib/validation/**", "components/**"],
    ignores: ["lib/validation/zod.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [{ group: ["**/emulator/**", "@/emulator/**"], message: "App code must not depend on the emulator: talk to it over the protocol, as to real Entra ID." }],
          paths: [{ name: "zod", allowTypeImports: true, message: "Import { z } from \"@/lib/validation/zod\" (configured for the CSP)." }],
        },
      ],
    },
  },
  {
    // Client components check forms with the plain rules (lib/validation/rules.ts, *-rules.ts,
    // text.ts); the zod schemas built from them are the server's. Importing a schema module here
    // ships zod to the browser (28-90 kB of first-load JavaScript: npm run bench:bundle fails it).
    files: ["components/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["**/emulator/**", "@/emulator/**"], message: "App code must not depend on the emulator: talk to it over the protocol, as to real Entra ID." },
            {
              group: ["@/lib/validation/*", "!@/lib/validation/rules", "!@/lib/validation/*-rules", "!@/lib/validation/text"],
              allowTypeImports: true,
              message: "Check forms with the plain rules (lib/validation/rules.ts and *-rules.ts); zod schemas stay on the server.",
            },
          ],
          paths: [{ name: "zod", allowTypeImports: true, message: "zod stays on the server: check forms with lib/validation/rules.ts." }],
        },
      ],
    },
  },
  {
    files: ["emulator/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["**/app/**", "**/lib/**", "**/components/**", "@/*"], message: "The emulator is a separate program: it imports nothing from the portal." }] },
      ],
    },
  },
  {
    // Playwright fixtures receive a `use` callback that is not React's `use` hook.
    files: ["e2e/**"],
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
  {
    files: ["app/**", "lib/**", "components/**", "proxy.ts"],
    ignores: ["lib/env.ts", "lib/env-schema.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read configuration through `env` from lib/env.ts (parsed once with zod)." },
      ],
    },
  },
]);
