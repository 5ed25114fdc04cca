import "server-only";
import { prisma } from "@/lib/db";
import { success, type HandlerResult } from "@/lib/actions/result";
import { recordAuditEvent } from "@/lib/data/audit";
import type { TransactionClient } from "@/lib/data/transaction";
import type { ActingUser } from "@/lib/data/types";
import type { NotificationPreferencesInput } from "@/lib/validation/settings";

/** The user's email notifications; every one is on until they choose otherwise. */
export type NotificationPreferences = NotificationPreferencesInput;

const DEFAULTS: NotificationPreferences = { emailOnTransfer: true, emailOnNewPayee: true, emailOnNewDevice: true };

const select = { emailOnTransfer: true, emailOnNewPayee: true, emailOnNewDevice: true } as const;

/** The user's notification preferences (the defaults when never saved). */
export async function getNotificationPreferences(user: ActingUser): Promise<NotificationPreferences> {
  return (await prisma.notificationPreferences.findUnique({ where: { userId: user.id }, select })) ?? DEFAULTS;
}

/** Saves the user's notification preferences (no step-up: they change what the user is told, not what can be done). */
export async function updateNotificationPreferences(
  tx: TransactionClient,
  user: ActingUser,
  input: NotificationPreferencesInput,
  correlationId: string,
): Promise<HandlerResult<NotificationPreferences>> {
  const saved = await tx.notificationPreferences.upsert({ where: { userId: user.id }, create: { userId: user.id, ...input }, update: input, select });
  await recordAuditEvent({ userId: user.id, operation: "settings.notifications", outcome: "changed", correlationId, details: { ...saved } }, tx);
  return success(saved);
}
