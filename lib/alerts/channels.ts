// Channels at rest: the secret part (webhook URL, SMTP password) encrypted with lib/secrets, the
// rest as plain JSON; turned back into a ChannelConfig only where a message is sent. Deliveries
// to every enabled channel of a profile are recorded in AlertDelivery, failures included.
import type { Db } from "../db";
import { decryptSecret, encryptSecret } from "../secrets";
import type { AlertEvent, AlertMessage, WebhookFormat } from "./message";
import type { TAlertChannelInput, TAlertChannelUpdate } from "./schemas";
import { sendToChannel, type ChannelConfig, type SendOptions, type SendResult } from "./send";

export interface ChannelRow {
  id: string;
  name: string;
  kind: string;
  format: string;
  secretEnc: string | null;
  settings: string;
}

export const CHANNEL_ROW_SELECT = { id: true, name: true, kind: true, format: true, secretEnc: true, settings: true } as const;

/** The columns a new channel is stored as: only the secret is encrypted. */
export function channelColumns(c: TAlertChannelInput): { name: string; kind: string; format: string; secretEnc: string | null; settings: string } {
  if (c.kind === "webhook") return { name: c.name, kind: "webhook", format: c.format, secretEnc: encryptSecret(c.url), settings: "{}" };
  const settings = { host: c.host, port: c.port, security: c.security, user: c.user ?? null, from: c.from, to: c.to };
  return { name: c.name, kind: "email", format: "email", secretEnc: c.password ? encryptSecret(c.password) : null, settings: JSON.stringify(settings) };
}

/** The columns of an edited channel: the stored secret stays unless a new one was given. */
export function updatedChannelColumns(c: TAlertChannelUpdate, storedSecretEnc: string | null): { name: string; format: string; secretEnc: string | null; settings: string } {
  if (c.kind === "webhook") return { name: c.name, format: c.format, secretEnc: c.url ? encryptSecret(c.url) : storedSecretEnc, settings: "{}" };
  const { kind: _kind, ...cols } = channelColumns({ ...c, password: undefined });
  return { ...cols, secretEnc: c.password ? encryptSecret(c.password) : storedSecretEnc };
}

export class ChannelSecretError extends Error {
  constructor() {
    super("This channel's secret cannot be decrypted (the encryption key changed?): delete the channel and add it again.");
    this.name = "ChannelSecretError";
  }
}

/** The channel ready to send with; throws ChannelSecretError when its secret cannot be read. */
export function channelConfig(row: ChannelRow): ChannelConfig {
  let secret: string | null = null;
  try {
    secret = row.secretEnc ? decryptSecret(row.secretEnc) : null;
  } catch {
    throw new ChannelSecretError();
  }
  if (row.kind === "webhook") {
    if (!secret) throw new ChannelSecretError();
    return { kind: "webhook", name: row.name, url: secret, format: (["json", "teams", "slack"].includes(row.format) ? row.format : "json") as WebhookFormat };
  }
  const s = JSON.parse(row.settings || "{}") as { host: string; port: number; security: "starttls" | "tls" | "none"; user: string | null; from: string; to: string[] };
  return { kind: "email", name: row.name, host: s.host, port: s.port, security: s.security, user: s.user ?? undefined, password: secret ?? undefined, from: s.from, to: s.to };
}

/** Sends to one channel and records the outcome; never throws. */
export async function deliver(
  db: Db,
  row: ChannelRow,
  m: AlertMessage,
  where: { profileId: string; alertId: string | null; event: AlertEvent },
  o: SendOptions = {},
): Promise<SendResult> {
  let result: SendResult;
  try {
    result = await sendToChannel(channelConfig(row), m, o);
  } catch (err) {
    result = { ok: false, attempts: 0, error: err instanceof ChannelSecretError ? err.message : `Sending failed: ${String((err as Error)?.message ?? err).slice(0, 200)}` };
  }
  await db.alertDelivery
    .create({
      data: {
        profileId: where.profileId, alertId: where.alertId, channelId: row.id, channelName: row.name, event: where.event,
        ok: result.ok, attempts: result.attempts, error: result.error, at: m.at,
      },
    })
    .catch(() => undefined); // the profile (and its channels) may have been deleted meanwhile
  return result;
}
