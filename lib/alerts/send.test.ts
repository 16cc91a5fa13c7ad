// Sending: the three webhook bodies as a local HTTP server receives them, email as a local SMTP
// server receives it, and the errors a "Send test alert" shows (refused, 4xx, timeout, bad password).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlertMessage } from "./message";
import { sendToChannel } from "./send";
import { closedPort, startSmtpReceiver, startWebhookReceiver, type SmtpReceiver, type WebhookReceiver } from "./test-servers";

const at = new Date("2026-12-01T10:00:00.000Z");
const msg: AlertMessage = {
  event: "fired", kind: "table-failed", profile: { id: "p-1", name: "Sales" }, subject: "account",
  title: "table account failed", text: "Table account is not being exported: boom.", at, firedAt: at, alertId: "a-1", link: "https://portal.example/profiles/p-1",
};
const noWait = { sleep: async () => undefined };

let hook: WebhookReceiver;
let smtp: SmtpReceiver;
beforeAll(async () => {
  hook = await startWebhookReceiver();
  smtp = await startSmtpReceiver({ auth: { user: "alerts", pass: "s3cret" } });
});
afterAll(async () => {
  await hook.close();
  await smtp.close();
});

describe("webhook formats", () => {
  it("generic JSON carries stable fields", async () => {
    hook.posts.length = 0;
    const r = await sendToChannel({ kind: "webhook", name: "json", url: hook.url("/json"), format: "json" }, msg, noWait);
    expect(r).toEqual({ ok: true, attempts: 1, error: null });
    const [p] = await hook.waitForPosts(1);
    expect(p.path).toBe("/json");
    expect(p.headers["content-type"]).toBe("application/json");
    expect(p.body).toEqual({
      source: "dataverse-export", event: "fired", kind: "table-failed", profileId: "p-1", profileName: "Sales", subject: "account",
      title: "table account failed", text: "Table account is not being exported: boom.", at: at.toISOString(), firedAt: at.toISOString(),
      alertId: "a-1", link: "https://portal.example/profiles/p-1",
    });
  });

  it("Microsoft Teams gets an Adaptive Card message", async () => {
    hook.posts.length = 0;
    await sendToChannel({ kind: "webhook", name: "teams", url: hook.url("/teams"), format: "teams" }, msg, noWait);
    const [p] = await hook.waitForPosts(1);
    const body = p.body as { type: string; attachments: { contentType: string; content: { type: string; version: string; body: { type: string; text?: string; facts?: { title: string; value: string }[] }[]; actions: { url: string }[] } }[] };
    expect(body.type).toBe("message");
    expect(body.attachments).toHaveLength(1);
    expect(body.attachments[0].contentType).toBe("application/vnd.microsoft.card.adaptive");
    const card = body.attachments[0].content;
    expect(card).toMatchObject({ type: "AdaptiveCard", version: "1.4" });
    expect(card.body[0]).toMatchObject({ type: "TextBlock", text: "[FIRING] Sales: table account failed", color: "Attention" });
    expect(card.body[1].text).toBe("Table account is not being exported: boom.");
    expect(card.body[2].facts).toContainEqual({ title: "Table", value: "account" });
    expect(card.actions[0].url).toBe("https://portal.example/profiles/p-1");
  });

  it("Slack gets text plus Block Kit blocks, with mrkdwn escaped", async () => {
    hook.posts.length = 0;
    await sendToChannel({ kind: "webhook", name: "slack", url: hook.url("/slack"), format: "slack" }, { ...msg, event: "resolved", text: "a <b> & c" }, noWait);
    const [p] = await hook.waitForPosts(1);
    const body = p.body as { text: string; blocks: { type: string; text?: { type: string; text: string }; elements?: { text: string }[] }[] };
    expect(body.text).toBe(":large_green_circle: [RESOLVED] Sales: table account failed");
    expect(body.blocks[0].type).toBe("section");
    expect(body.blocks[0].text!.type).toBe("mrkdwn");
    expect(body.blocks[0].text!.text).toContain("a &lt;b&gt; &amp; c");
    expect(body.blocks[0].text!.text).toContain("<https://portal.example/profiles/p-1|Open the profile>");
    expect(body.blocks[1].elements![0].text).toContain("table `account`");
  });
});

describe("webhook errors", () => {
  it("a 4xx is not retried and is named, without the URL's secret path", async () => {
    hook.posts.length = 0;
    hook.respond({ status: 404, body: "no such webhook" });
    try {
      const r = await sendToChannel({ kind: "webhook", name: "x", url: hook.url("/secret-token-path"), format: "json" }, msg, noWait);
      expect(r.ok).toBe(false);
      expect(r.attempts).toBe(1);
      expect(r.error).toMatch(/answered 404: no such webhook\. The webhook was removed or the URL is wrong\./);
      expect(r.error).not.toContain("secret-token-path");
    } finally {
      hook.respond({ status: 200 });
    }
  });

  it("a 5xx is retried, and a later success counts", async () => {
    hook.posts.length = 0;
    hook.respond({ status: 503, body: "busy" });
    const waits: number[] = [];
    const p = sendToChannel({ kind: "webhook", name: "x", url: hook.url(), format: "json" }, msg, {
      sleep: async (ms) => {
        waits.push(ms);
        hook.respond({ status: 200 });
      },
    });
    const r = await p;
    expect(r).toEqual({ ok: true, attempts: 2, error: null });
    expect(waits).toEqual([2000]);
    expect(hook.posts).toHaveLength(2);
  });

  it("a webhook that does not answer times out, tries up to the limit", async () => {
    hook.respond("hang");
    try {
      const r = await sendToChannel({ kind: "webhook", name: "x", url: hook.url(), format: "json" }, msg, { ...noWait, timeoutMs: 200, attempts: 2 });
      expect(r.ok).toBe(false);
      expect(r.attempts).toBe(2);
      expect(r.error).toMatch(/did not answer within 0 s|did not answer within/);
    } finally {
      hook.respond({ status: 200 });
    }
  });

  it("a refused connection says so", async () => {
    const port = await closedPort();
    const r = await sendToChannel({ kind: "webhook", name: "x", url: `http://127.0.0.1:${port}/hook`, format: "json" }, msg, { ...noWait, attempts: 2 });
    expect(r).toMatchObject({ ok: false, attempts: 2 });
    expect(r.error).toBe(`127.0.0.1:${port} refused the connection (nothing listens there?).`);
  });
});

describe("email", () => {
  const email = (over: Record<string, unknown> = {}) => ({
    kind: "email" as const, name: "ops mail", host: "127.0.0.1", port: smtp.port, security: "none" as const, user: "alerts", password: "s3cret",
    from: "alerts@example.com", to: ["ops@example.com", "dba@example.com"], ...over,
  });

  it("arrives at the SMTP server with subject and text", async () => {
    smtp.mails.length = 0;
    const r = await sendToChannel(email(), msg, noWait);
    expect(r).toEqual({ ok: true, attempts: 1, error: null });
    const [m] = await smtp.waitForMails(1);
    expect(m.from).toBe("alerts@example.com");
    expect(m.to).toEqual(["ops@example.com", "dba@example.com"]);
    expect(m.subject).toBe("[FIRING] Sales: table account failed");
    expect(m.text).toContain("Table account is not being exported: boom.");
    expect(m.text).toContain("Table: account");
    expect(m.text).toContain("Open the profile: https://portal.example/profiles/p-1");
  });

  it("a wrong password is named and not retried", async () => {
    const r = await sendToChannel(email({ password: "wrong" }), msg, noWait);
    expect(r.ok).toBe(false);
    expect(r.attempts).toBe(1);
    expect(r.error).toMatch(new RegExp(`^The SMTP server 127\\.0\\.0\\.1:${smtp.port} rejected the user name or password`));
  });

  it("a refused connection is named", async () => {
    const port = await closedPort();
    const r = await sendToChannel(email({ port }), msg, { ...noWait, attempts: 2 });
    expect(r).toMatchObject({ ok: false, attempts: 2, error: `The SMTP server 127.0.0.1:${port} refused the connection.` });
  });
});
