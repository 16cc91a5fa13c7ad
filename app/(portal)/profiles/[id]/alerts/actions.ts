"use server";

// Alert rules and channels of a profile (admins), and "Send test alert" (admins). Each action
// checks the session and the role; lib/alerts/service validates the input with zod.
import { requireAdminActor } from "@/lib/auth/session";
import { createAlertChannel, createAlertRule, deleteAlertChannel, deleteAlertRule, sendTestAlert, updateAlertChannel } from "@/lib/alerts/service";
import { db } from "@/lib/db";
import { runAction } from "@/lib/http/action-result";

type In = { id?: unknown; ruleId?: unknown; channelId?: unknown; rule?: unknown; channel?: unknown } | null | undefined;

export async function createAlertRuleAction(input: In) {
  return runAction("alerts.createRule", async () => createAlertRule(db, await requireAdminActor(), input?.id, input?.rule));
}

export async function deleteAlertRuleAction(input: In) {
  return runAction("alerts.deleteRule", async () => deleteAlertRule(db, await requireAdminActor(), input?.id, input?.ruleId));
}

export async function createAlertChannelAction(input: In) {
  return runAction("alerts.createChannel", async () => createAlertChannel(db, await requireAdminActor(), input?.id, input?.channel));
}

// Name and target; the secret (webhook URL, SMTP password) only when entered again.
export async function updateAlertChannelAction(input: In) {
  return runAction("alerts.updateChannel", async () => updateAlertChannel(db, await requireAdminActor(), input?.id, input?.channelId, input?.channel));
}

export async function deleteAlertChannelAction(input: In) {
  return runAction("alerts.deleteChannel", async () => deleteAlertChannel(db, await requireAdminActor(), input?.id, input?.channelId));
}

// Sends one message now (one try, 10 s at most) so the admin sees at once whether the channel works.
export async function sendTestAlertAction(input: In) {
  return runAction("alerts.sendTest", async () => sendTestAlert(db, await requireAdminActor(), input?.id, input?.channelId));
}
