import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startEmulator } from "../../emulator/server";
import { test } from "../fixtures";
import { EmulatorControl } from "./emulator-control";
import type { E2eSettings } from "./settings";

/**
 * An emulator of the test's own (in-process, on a free port, same certificate, so the browser
 * trusts it), for tests that change what every other test relies on: the emulator's clock (moving
 * it by minutes expires the sign-ins and codes other tests have in flight) or its Conditional
 * Access policies (the active set, a policy's state). The portal keeps using the shared emulator,
 * so such tests drive the identity provider's pages directly (AuthorizationRequest).
 */
export const withOwnEmulator = test.extend<{ own: { settings: E2eSettings; control: EmulatorControl } }>({
  own: async ({ settings }, use) => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "woodgrove-emulator-"));
    const controlSecret = randomBytes(32).toString("base64url");
    const emulator = await startEmulator({
      port: 0,
      tenantId: settings.tenantId,
      portalOrigin: settings.portalOrigin,
      dataDir,
      certDir: path.dirname(settings.caFile),
      controlSecret,
      reset: true,
    });
    const own = { ...settings, emulatorOrigin: emulator.origin, controlSecret };
    await use({ settings: own, control: new EmulatorControl(own) });
    await emulator.close();
    rmSync(dataDir, { recursive: true, force: true });
  },
});
