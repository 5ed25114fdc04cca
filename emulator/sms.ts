import { randomInt } from "node:crypto";
import type { Emulator } from "./context.js";
import { smsMethod, type DirectoryUser } from "./directory.js";
import type { SmsMessage } from "./state.js";
import { randomId } from "./tokens.js";

/** SMS codes expire after this long (emulator clock). */
export const SMS_CODE_TTL_MS = 10 * 60 * 1000;
/** Messages kept in the inbox across all users (oldest dropped first). */
const MAX_INBOX = 200;

/**
 * "Sends" a fresh 6-digit code to the user's phone: appends it to the simulated inbox
 * (the console's SMS inbox, `GET /__control/sms?oid=…`). Returns undefined when the user has no phone.
 */
export function sendSmsCode(emu: Emulator, user: DirectoryUser): SmsMessage | undefined {
  const phone = smsMethod(user);
  if (!phone) return undefined;
  const now = emu.store.now();
  const message: SmsMessage = {
    id: randomId(12),
    oid: user.oid,
    phoneNumber: phone.phoneNumber,
    code: String(randomInt(0, 1_000_000)).padStart(6, "0"),
    sentAt: now,
    expiresAt: now + SMS_CODE_TTL_MS,
  };
  const inbox = emu.store.state.smsInbox;
  inbox.push(message);
  inbox.splice(0, Math.max(0, inbox.length - MAX_INBOX));
  emu.store.save();
  emu.log("sms_sent", { oid: user.oid });
  // The simulated phone, besides the console's SMS inbox: a person trying the demo reads the text
  // here. It is the delivery channel of a fake phone, not a log line (the JSON log above carries
  // no code).
  console.log(`[simulated SMS to ${phone.phoneNumber}] Your Woodgrove verification code is ${message.code}. It expires in 10 minutes.`);
  return message;
}

/** Wrong codes in a row after which every outstanding code of the user is void. */
export const MAX_SMS_FAILURES = 5;

/** The outcome of checking an SMS code. */
export type SmsResult = { ok: true } | { ok: false; reason: "invalid" | "expired" | "used" | "tooManyAttempts" };

/**
 * Accepts a code sent to this user that is unexpired and unused, and marks it used. Any such code
 * works (not only the latest), so a resend does not strand a code already on its way.
 */
export function verifySmsCode(emu: Emulator, oid: string, code: string): SmsResult {
  const clean = code.replace(/\s+/g, "");
  const now = emu.store.now();
  const { state } = emu.store;
  const matches = /^\d{6}$/.test(clean) ? state.smsInbox.filter((m) => m.oid === oid && m.code === clean) : [];
  const usable = matches.find((m) => m.usedAt === undefined && now <= m.expiresAt);
  const failures = (state.smsFailures[oid] ??= 0);
  if (usable) {
    usable.usedAt = now;
    delete state.smsFailures[oid];
    emu.store.save();
    return { ok: true };
  }
  // Six digits are guessable without a limit: after MAX_SMS_FAILURES wrong codes every
  // outstanding code is void and the user must ask for a new one.
  state.smsFailures[oid] = failures + 1;
  if (failures + 1 >= MAX_SMS_FAILURES) {
    for (const m of state.smsInbox) if (m.oid === oid && m.usedAt === undefined) m.expiresAt = Math.min(m.expiresAt, now - 1);
    delete state.smsFailures[oid];
    emu.store.save();
    return { ok: false, reason: "tooManyAttempts" };
  }
  emu.store.save();
  if (matches.some((m) => m.usedAt !== undefined)) return { ok: false, reason: "used" };
  return { ok: false, reason: matches.length ? "expired" : "invalid" };
}
