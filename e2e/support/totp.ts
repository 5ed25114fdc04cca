import { Secret, TOTP } from "otpauth";
import type { EmulatorControl } from "./emulator-control";

/** The emulator's clock (tests and other callers may have moved it off the wall clock). */
export async function emulatorNow(control: EmulatorControl): Promise<number> {
  // Advancing by zero seconds moves nothing and answers the emulator's current time.
  const { now } = (await control.advanceClock(0)) as { now: string };
  return Date.parse(now);
}

/** An authenticator app as a person's phone runs it: SHA1, 6 digits, 30-second steps. */
export function authenticatorApp(secret: string): TOTP {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: 30 });
}

/** A six-digit code that is wrong for this secret at every step near `now`. */
export function wrongCode(secret: string, now: number): string {
  const app = authenticatorApp(secret);
  const near = new Set([-3, -2, -1, 0, 1, 2, 3].map((step) => app.generate({ timestamp: now + step * 30_000 })));
  return ["000000", "111111", "222222", "333333", "444444", "555555", "666666", "777777"].find((code) => !near.has(code))!;
}
