import "server-only";
// Alerts as the portal sees them: rules and channels per profile (admins add and remove them),
// the alert history (anyone signed in), and "Send test alert" (admins), which sends one message
// to one channel now and says exactly why it failed. Evaluation runs in the worker (evaluator.ts).
import { recordAudit } from "../audit/record";
import { type Actor, assertAdmin } from "../auth/actor";
import type { Db } from "../db";
import { AppError, NotFoundError, ValidationError } from "../errors";
import { ZProfileId } from "../profiles/schemas";
import { parseInput } from "../validation";
import { CHANNEL_ROW_SELECT, channelColumns, deliver, updatedChannelColumns } from "./channels";
import { profileLink, type AlertMessage } from "./message";
import { KIND_INFO, ZAlertChannelInput, ZAlertChannelUpdate, ZAlertObjectId, ZAlertRuleInput, type TAlertKind } from "./schemas";
import type { SendOptions } from "./send";

export class ChannelTestFailedError extends AppError {
  override readonly status = 502;
  override readonly code = "AlertChannelFailed";
  constructor(message: string) {
    super(message);
    this.name = "ChannelTestFailedError";
  }
}

export interface AlertRuleView {
  id: string;
  kind: TAlertKind;
  label: string;
  threshold: number;
  /** The rule in words, e.g. "Lag above 30 minutes". */
  description: string;
  enabled: boolean;
}

export interface AlertChannelView {
  id: string;
  name: string;
  kind: "webhook" | "email";
  /** Without secrets: "Microsoft Teams webhook", "Email to a@b.c via smtp.example.com:587". */
  description: string;
  /** What an edit form starts from: the webhook format, or the email settings (no secrets). */
  format: string;
  email: EmailSettings | null;
}

export interface EmailSettings {
  host: string;
  port: number;
  security: string;
  user: string | null;
  from: string;
  to: string[];
}

export interface AlertDeliveryView {
  id: number;
  channelName: string;
  event: string;
  ok: boolean;
  attempts: number;
  error: string | null;
  at: string;
}

export interface AlertView {
  id: string;
  kind: string;
  subject: string;
  message: string;
  open: boolean;
  firedAt: string;
  resolvedAt: string | null;
  deliveries: AlertDeliveryView[];
}

export interface AlertsOverview {
  profileId: string;
  rules: AlertRuleView[];
  channels: AlertChannelView[];
  /** Newest first, at most 50. */
  alerts: AlertView[];
  /** "Send test alert" outcomes, newest first, at most 10. */
  tests: AlertDeliveryView[];
}

const FORMAT_NAME: Record<string, string> = { json: "JSON webhook", teams: "Microsoft Teams webhook", slack: "Slack webhook" };

function describeRule(kind: TAlertKind, threshold: number): string {
  switch (kind) {
    case "lag": return `Lag above ${threshold} minute${threshold === 1 ? "" : "s"}`;
    case "failures": return `More than ${threshold} failed record${threshold === 1 ? "" : "s"} per hour`;
    case "profile-failed": return `Profile failed, or stopped for ${threshold} minute${threshold === 1 ? "" : "s"}`;
    case "table-failed": return "A table failed";
    case "credentials": return "Credentials rejected or expired";
    case "credentials-expiry": return `Client secret expires within ${threshold} day${threshold === 1 ? "" : "s"}`;
    case "reconcile-differences": return threshold ? `Reconciliation found more than ${threshold} differences` : "Reconciliation found differences";
  }
}

/** A channel as the portal and the API show it: never its secret. */
function channelView(id: string, c: { name: string; kind: string; format: string; settings: string }): AlertChannelView {
  const kind = c.kind === "email" ? "email" : "webhook";
  return { id, name: c.name, kind, description: describeChannel(c), format: c.format, email: kind === "email" ? (JSON.parse(c.settings || "{}") as EmailSettings) : null };
}

function describeChannel(c: { kind: string; format: string; settings: string }): string {
  if (c.kind === "webhook") return FORMAT_NAME[c.format] ?? "Webhook";
  const s = JSON.parse(c.settings || "{}") as { host?: string; port?: number; to?: string[] };
  return `Email to ${(s.to ?? []).join(", ")} via ${s.host}:${s.port}`;
}

const delivery = (d: { id: number; channelName: string; event: string; ok: boolean; attempts: number; error: string | null; at: Date }): AlertDeliveryView => ({
  id: d.id, channelName: d.channelName, event: d.event, ok: d.ok, attempts: d.attempts, error: d.error, at: d.at.toISOString(),
});
const DELIVERY_SELECT = { id: true, channelName: true, event: true, ok: true, attempts: true, error: true, at: true } as const;

async function profileOf(db: Db, id: unknown): Promise<{ id: string; name: string }> {
  const profileId = parseInput(ZProfileId, id);
  const p = await db.profile.findUnique({ where: { id: profileId }, select: { id: true, name: true } });
  if (!p) throw new NotFoundError("That export profile does not exist.");
  return p;
}

/** Rules, channels (without secrets) and the alert history of a profile: any signed-in role. */
export async function getAlerts(db: Db, actor: Actor, id: unknown): Promise<AlertsOverview> {
  void actor; // viewers may read the history too
  const p = await profileOf(db, id);
  const [rules, channels, alerts, tests] = await Promise.all([
    db.alertRule.findMany({ where: { profileId: p.id }, orderBy: { createdAt: "asc" }, select: { id: true, kind: true, threshold: true, enabled: true } }),
    db.alertChannel.findMany({ where: { profileId: p.id }, orderBy: { createdAt: "asc" }, select: { id: true, name: true, kind: true, format: true, settings: true } }),
    db.alert.findMany({
      where: { profileId: p.id }, orderBy: { firedAt: "desc" }, take: 50,
      select: { id: true, kind: true, subject: true, message: true, openKey: true, firedAt: true, resolvedAt: true, deliveries: { select: DELIVERY_SELECT, orderBy: { id: "asc" } } },
    }),
    db.alertDelivery.findMany({ where: { profileId: p.id, event: "test" }, orderBy: { id: "desc" }, take: 10, select: DELIVERY_SELECT }),
  ]);
  return {
    profileId: p.id,
    rules: rules.map((r) => {
      const kind = r.kind as TAlertKind;
      return { id: r.id, kind, label: KIND_INFO[kind]?.label ?? r.kind, threshold: r.threshold, description: describeRule(kind, r.threshold) ?? r.kind, enabled: r.enabled };
    }),
    channels: channels.map((c) => channelView(c.id, c)),
    alerts: alerts.map((a) => ({
      id: a.id, kind: a.kind, subject: a.subject, message: a.message, open: a.openKey !== null,
      firedAt: a.firedAt.toISOString(), resolvedAt: a.resolvedAt?.toISOString() ?? null, deliveries: a.deliveries.map(delivery),
    })),
    tests: tests.map(delivery),
  };
}

export async function createAlertRule(db: Db, actor: Actor, id: unknown, input: unknown): Promise<AlertRuleView> {
  assertAdmin(actor);
  const p = await profileOf(db, id);
  const r = parseInput(ZAlertRuleInput, input);
  const row = await db.alertRule.create({ data: { profileId: p.id, kind: r.kind, threshold: r.threshold }, select: { id: true } });
  await recordAudit(db, actor, { action: "alert.rule_create", object: { type: "alert", id: row.id, label: `${p.name}: ${describeRule(r.kind, r.threshold)}` }, after: { profileId: p.id, kind: r.kind, threshold: r.threshold } });
  return { id: row.id, kind: r.kind, label: KIND_INFO[r.kind].label, threshold: r.threshold, description: describeRule(r.kind, r.threshold), enabled: true };
}

/** Removes a rule and its alerts (their history goes with it). */
export async function deleteAlertRule(db: Db, actor: Actor, id: unknown, ruleId: unknown): Promise<void> {
  assertAdmin(actor);
  const p = await profileOf(db, id);
  const rid = parseInput(ZAlertObjectId, ruleId);
  const before = await db.alertRule.findFirst({ where: { id: rid, profileId: p.id }, select: { kind: true, threshold: true, enabled: true } });
  const { count } = await db.alertRule.deleteMany({ where: { id: rid, profileId: p.id } });
  if (!count) throw new NotFoundError("That alert rule does not exist.");
  await recordAudit(db, actor, { action: "alert.rule_delete", object: { type: "alert", id: rid, label: `${p.name}: ${before?.kind ?? "rule"}` }, before: { profileId: p.id, ...before } });
}

/** Stores a channel; its secret (webhook URL, SMTP password) encrypted and never returned. */
export async function createAlertChannel(db: Db, actor: Actor, id: unknown, input: unknown): Promise<AlertChannelView> {
  assertAdmin(actor);
  const p = await profileOf(db, id);
  const c = parseInput(ZAlertChannelInput, input);
  const cols = channelColumns(c);
  const row = await db.alertChannel.create({ data: { profileId: p.id, ...cols }, select: { id: true } });
  // The description names the channel without its secret (the webhook URL or SMTP password).
  await recordAudit(db, actor, { action: "alert.channel_create", object: { type: "alert", id: row.id, label: `${p.name}: ${cols.name}` }, after: { profileId: p.id, name: cols.name, kind: c.kind, description: describeChannel(cols) } });
  return channelView(row.id, cols);
}

/**
 * Changes a channel's name and target (webhook format; SMTP server, sender, recipients). Its secret
 * — the webhook URL, the SMTP password — is replaced only when given again, never returned.
 */
export async function updateAlertChannel(db: Db, actor: Actor, id: unknown, channelId: unknown, input: unknown): Promise<AlertChannelView> {
  assertAdmin(actor);
  const p = await profileOf(db, id);
  const cid = parseInput(ZAlertObjectId, channelId);
  const current = await db.alertChannel.findFirst({ where: { id: cid, profileId: p.id }, select: { name: true, kind: true, format: true, settings: true, secretEnc: true } });
  if (!current) throw new NotFoundError("That alert channel does not exist.");
  const c = parseInput(ZAlertChannelUpdate, input);
  if (c.kind !== current.kind) throw new ValidationError("A channel's kind cannot change: add a new channel instead.", { kind: "A channel's kind cannot change." });
  const cols = updatedChannelColumns(c, current.secretEnc);
  await db.alertChannel.update({ where: { id: cid }, data: cols });
  const replaced = cols.secretEnc !== current.secretEnc;
  await recordAudit(db, actor, {
    action: "alert.channel_update",
    object: { type: "alert", id: cid, label: `${p.name}: ${cols.name}` },
    // Descriptions name the target without the secret; the secret only as "replaced".
    before: { name: current.name, description: describeChannel(current), ...(replaced ? { secret: "old" } : {}) },
    after: { name: cols.name, description: describeChannel({ kind: current.kind, ...cols }), ...(replaced ? { secret: "new" } : {}) },
  });
  return channelView(cid, { kind: current.kind, ...cols });
}

export async function deleteAlertChannel(db: Db, actor: Actor, id: unknown, channelId: unknown): Promise<void> {
  assertAdmin(actor);
  const p = await profileOf(db, id);
  const cid = parseInput(ZAlertObjectId, channelId);
  const before = await db.alertChannel.findFirst({ where: { id: cid, profileId: p.id }, select: { name: true, kind: true } });
  const { count } = await db.alertChannel.deleteMany({ where: { id: cid, profileId: p.id } });
  if (!count) throw new NotFoundError("That alert channel does not exist.");
  await recordAudit(db, actor, { action: "alert.channel_delete", object: { type: "alert", id: cid, label: `${p.name}: ${before?.name ?? "channel"}` }, before: { profileId: p.id, ...before } });
}

/**
 * Sends a test message to one channel now (one try, 10 s at most) and records it; a failure
 * becomes a ChannelTestFailedError whose message says why (refused, timeout, 4xx, bad password).
 */
export async function sendTestAlert(db: Db, actor: Actor, id: unknown, channelId: unknown, o: SendOptions = {}): Promise<{ channelName: string }> {
  assertAdmin(actor);
  const p = await profileOf(db, id);
  const cid = parseInput(ZAlertObjectId, channelId);
  const ch = await db.alertChannel.findFirst({ where: { id: cid, profileId: p.id }, select: CHANNEL_ROW_SELECT });
  if (!ch) throw new NotFoundError("That alert channel does not exist.");
  const m: AlertMessage = {
    event: "test", kind: "test", profile: p, subject: "",
    title: "test alert",
    text: `A test message from dataverse-export, sent by ${actor.email} to the channel "${ch.name}". If you read this, the channel works.`,
    at: new Date(), link: profileLink(p.id),
  };
  const r = await deliver(db, ch, m, { profileId: p.id, alertId: null, event: "test" }, { attempts: 1, timeoutMs: 10_000, ...o });
  await recordAudit(db, actor, { action: "alert.test_send", object: { type: "alert", id: cid, label: `${p.name}: ${ch.name}` }, after: { ok: r.ok } });
  if (!r.ok) throw new ChannelTestFailedError(`The test alert to "${ch.name}" failed: ${r.error}`);
  return { channelName: ch.name };
}
