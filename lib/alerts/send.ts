// Sends one alert message to one channel: a webhook POST or an email over SMTP, each with a
// timeout, retried on what may pass (network, timeouts, 5xx, 429, SMTP 4xx) and never on what
// will not (4xx, a wrong SMTP password, a refused recipient). Errors come back as plain
// sentences for the alert history and the "Send test alert" button; nothing here throws, and no
// message carries the webhook URL (it is a secret: whoever has it can post to the channel).
import nodemailer from "nodemailer";
import { sleep as realSleep } from "../sleep";
import { emailContent, webhookBody, type AlertMessage, type WebhookFormat } from "./message";

export type ChannelConfig =
  | { kind: "webhook"; name: string; url: string; format: WebhookFormat }
  | {
      kind: "email";
      name: string;
      host: string;
      port: number;
      security: "starttls" | "tls" | "none";
      user?: string;
      password?: string;
      from: string;
      to: string[];
    };

export interface SendOptions {
  /** Tries in all (default 3). */
  attempts?: number;
  /** Per try (default 10 s). */
  timeoutMs?: number;
  /** Wait before try n+1 (default 2 s, then 8 s, …). */
  backoffMs?: (attempt: number) => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface SendResult {
  ok: boolean;
  attempts: number;
  /** Why the last try failed (null when ok). */
  error: string | null;
}

class SendError extends Error {
  constructor(message: string, readonly retryable: boolean) {
    super(message);
  }
}

const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return "the webhook host";
  }
};

const codeOf = (err: unknown): string | undefined => {
  for (let e: unknown = err, i = 0; e && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    const c = (e as { code?: unknown }).code;
    if (typeof c === "string") return c;
  }
  return undefined;
};

async function postWebhook(c: Extract<ChannelConfig, { kind: "webhook" }>, m: AlertMessage, timeoutMs: number): Promise<void> {
  const host = hostOf(c.url);
  let res: Response;
  try {
    res = await fetch(c.url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "dataverse-export-alerts" },
      body: JSON.stringify(webhookBody(c.format, m)),
      // A redirect is not followed: the body would go to a place nobody configured.
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name === "TimeoutError" || name === "AbortError") throw new SendError(`The webhook at ${host} did not answer within ${Math.round(timeoutMs / 1000)} s.`, true);
    const code = codeOf(err);
    if (code === "ECONNREFUSED") throw new SendError(`${host} refused the connection (nothing listens there?).`, true);
    if (code === "ENOTFOUND" || code === "EAI_AGAIN") throw new SendError(`The webhook host ${host} could not be resolved: check the URL.`, code === "EAI_AGAIN");
    throw new SendError(`Could not reach the webhook at ${host}${code ? ` (${code})` : ""}.`, true);
  }
  const text = (await res.text().catch(() => "")).replace(/\s+/g, " ").trim().slice(0, 200);
  if (res.status >= 200 && res.status < 300) return;
  const said = text ? `: ${text}` : "";
  if (res.status >= 300 && res.status < 400) throw new SendError(`The webhook at ${host} answered ${res.status} (a redirect, not followed): use the final URL.`, false);
  const retryable = res.status >= 500 || res.status === 429 || res.status === 408;
  const hint = res.status === 404 || res.status === 410 ? " The webhook was removed or the URL is wrong." : res.status === 401 || res.status === 403 ? " The webhook refuses this sender." : "";
  throw new SendError(`The webhook at ${host} answered ${res.status}${said}.${hint}`, retryable);
}

async function sendEmail(c: Extract<ChannelConfig, { kind: "email" }>, m: AlertMessage, timeoutMs: number): Promise<void> {
  const transport = nodemailer.createTransport({
    host: c.host,
    port: c.port,
    secure: c.security === "tls",
    requireTLS: c.security === "starttls",
    ignoreTLS: c.security === "none",
    auth: c.user ? { user: c.user, pass: c.password ?? "" } : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  const where = `${c.host}:${c.port}`;
  try {
    const { subject, text } = emailContent(m);
    await transport.sendMail({ from: c.from, to: c.to, subject, text });
  } catch (err) {
    const e = err as { code?: string; responseCode?: number; response?: string; message?: string };
    const code = e.code ?? codeOf(err);
    const response = (e.response ?? "").replace(/\s+/g, " ").trim().slice(0, 200);
    if (code === "ECONNREFUSED" || /ECONNREFUSED/.test(e.message ?? "")) throw new SendError(`The SMTP server ${where} refused the connection.`, true);
    if (code === "ETIMEDOUT" || /timeout/i.test(e.message ?? "")) throw new SendError(`The SMTP server ${where} did not answer within ${Math.round(timeoutMs / 1000)} s.`, true);
    if (code === "EAUTH") throw new SendError(`The SMTP server ${where} rejected the user name or password${response ? ` (${response})` : ""}.`, false);
    if (code === "EDNS" || code === "ENOTFOUND") throw new SendError(`The SMTP host ${c.host} could not be resolved: check the host name.`, false);
    if (code === "ETLS" || code === "ESOCKET") throw new SendError(`TLS with the SMTP server ${where} failed: check the security setting (STARTTLS, TLS or none) and the port. (${(e.message ?? "").split("\n")[0].slice(0, 200)})`, false);
    if (e.responseCode) {
      throw new SendError(`The SMTP server ${where} refused the message (${e.responseCode}${response ? `: ${response}` : ""}).`, e.responseCode < 500);
    }
    throw new SendError(`Sending email through ${where} failed: ${(e.message ?? String(err)).split("\n")[0].slice(0, 200)}`, true);
  } finally {
    transport.close();
  }
}

/** Sends `m` to the channel; retries what may pass; never throws. */
export async function sendToChannel(c: ChannelConfig, m: AlertMessage, o: SendOptions = {}): Promise<SendResult> {
  const attempts = Math.max(1, o.attempts ?? 3);
  const timeoutMs = o.timeoutMs ?? 10_000;
  const backoff = o.backoffMs ?? ((n: number) => 2000 * 4 ** (n - 1));
  const wait = o.sleep ?? ((ms: number) => realSleep(ms));
  let last = "";
  for (let n = 1; n <= attempts; n++) {
    try {
      if (c.kind === "webhook") await postWebhook(c, m, timeoutMs);
      else await sendEmail(c, m, timeoutMs);
      return { ok: true, attempts: n, error: null };
    } catch (err) {
      const retryable = err instanceof SendError ? err.retryable : true;
      last = err instanceof SendError ? err.message : `Sending failed: ${err instanceof Error ? err.message.split("\n")[0].slice(0, 200) : String(err)}`;
      if (!retryable || n === attempts) return { ok: false, attempts: n, error: last };
      await wait(backoff(n));
    }
  }
  return { ok: false, attempts, error: last };
}
