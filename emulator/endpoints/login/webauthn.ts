/** WebAuthn settings shared by the passkey sign-in and passkey registration steps. */
import type { generateAuthenticationOptions } from "@simplewebauthn/server";
import type { Emulator } from "../../context.js";

/** A transport hint as @simplewebauthn names it (the package exports no such type). */
export type AuthenticatorTransportFuture = NonNullable<
  NonNullable<Parameters<typeof generateAuthenticationOptions>[0]["allowCredentials"]>[number]["transports"]
>[number];

/** The relying party: the emulator's host name and origin. */
export function webauthnRp(emu: Emulator): { rpID: string; origin: string } {
  return { rpID: new URL(emu.origin).hostname, origin: emu.origin };
}
