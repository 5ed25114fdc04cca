import { readFileSync } from "node:fs";
import { z } from "zod";

const softwareOathSchema = z.object({
  type: z.literal("softwareOath"),
  /** Base32 TOTP secret (SHA1, 6 digits, 30 s), as an authenticator app would hold it. */
  secret: z.string().regex(/^[A-Z2-7]+=*$/),
});

const fido2Schema = z.looseObject({
  type: z.literal("fido2"),
  credentialId: z.string().min(1),
  /** COSE public key, base64url. */
  publicKey: z.string().min(1),
  signCount: z.number().int().nonnegative(),
  userHandle: z.string().optional(),
  transports: z.array(z.string()).optional(),
  /** Demo/test-only private key so tests can load the credential into a virtual authenticator. */
  testPrivateKeyPkcs8: z.string().optional(),
});

const smsSchema = z.object({
  type: z.literal("sms"),
  /** E.164 with optional spaces, e.g. "+1 555 0100 1234"; codes go to the emulator's inbox. */
  phoneNumber: z.string().regex(/^\+[0-9][0-9 ]{6,20}[0-9]$/),
});

const methodSchema = z.discriminatedUnion("type", [softwareOathSchema, fido2Schema, smsSchema]);

const userSchema = z.looseObject({
  oid: z.uuid(),
  userPrincipalName: z.string().min(3),
  displayName: z.string().min(1),
  persona: z.string().optional(),
  password: z.string().min(1),
  accountEnabled: z.boolean().optional(),
  /** Emulates a Conditional Access "Block access" policy for this user (AADSTS53003). */
  blockedByConditionalAccess: z.boolean().optional(),
  roles: z.array(z.string()).optional(),
  methods: z.array(methodSchema),
});

const directorySchema = z.looseObject({ users: z.array(userSchema) });

/** A registered sign-in method. */
export type DirectoryMethod = z.infer<typeof methodSchema>;
/** A registered FIDO2 passkey. */
export type Fido2Method = z.infer<typeof fido2Schema>;
/** A registered authenticator-app (TOTP) secret. */
export type SoftwareOathMethod = z.infer<typeof softwareOathSchema>;
/** A registered phone for SMS codes (simulated). */
export type SmsMethod = z.infer<typeof smsSchema>;
/** A directory user as the emulator stores it. */
export type DirectoryUser = z.infer<typeof userSchema>;

/** Validates a directory document (the file or the persisted copy). */
export function parseDirectory(input: unknown): DirectoryUser[] {
  return directorySchema.parse(input).users;
}

/** Reads and validates `directory.json`; throws with the zod issues on a malformed file. */
export function loadDirectory(file: string): DirectoryUser[] {
  return parseDirectory(JSON.parse(readFileSync(file, "utf8")));
}

/** Returns the user's TOTP method, if any. */
export function totpMethod(user: DirectoryUser): SoftwareOathMethod | undefined {
  return user.methods.find((m): m is SoftwareOathMethod => m.type === "softwareOath");
}

/** Returns the user's SMS phone, if any. */
export function smsMethod(user: DirectoryUser): SmsMethod | undefined {
  return user.methods.find((m): m is SmsMethod => m.type === "sms");
}

/** Returns the user's passkeys. */
export function passkeys(user: DirectoryUser): Fido2Method[] {
  return user.methods.filter((m): m is Fido2Method => m.type === "fido2");
}
