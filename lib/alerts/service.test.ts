// The alert service: admins manage rules and channels, viewers only read; every input is
// validated; channel secrets are encrypted at rest and never returned; "Send test alert" proves a
// channel works or says why not, and is recorded.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../auth/actor";
import type { Db } from "../db";
import { ForbiddenError, NotFoundError, ValidationError } from "../errors";
import { decryptSecret } from "../secrets";
import { makeStore } from "../sync/test-support";
import { ChannelTestFailedError, createAlertChannel, createAlertRule, deleteAlertChannel, deleteAlertRule, getAlerts, sendTestAlert, updateAlertChannel } from "./service";
import { closedPort, startSmtpReceiver, startWebhookReceiver, type SmtpReceiver, type WebhookReceiver } from "./test-servers";

const admin: Actor = { id: "u-admin", email: "admin@example.com", name: "Admin", role: "admin" };
const viewer: Actor = { id: "u-viewer", email: "viewer@example.com", name: "Viewer", role: "viewer" };

let db: Db;
let hook: WebhookReceiver;
let smtp: SmtpReceiver;
let profileId: string;

beforeAll(async () => {
  db = makeStore().db;
  hook = await startWebhookReceiver();
  smtp = await startSmtpReceiver({ auth: { user: "mailer", pass: "smtp-password-123" } });
  const org = await db.organization.create({ data: { name: "Org", url: "https://svc.crm.dynamics.com" } });
  profileId = (await db.profile.create({ data: { name: "Alerts svc", organizationId: org.id, destinationType: "sqlite" } })).id;
});
afterAll(async () => {
  await hook.close();
  await smtp.close();
  await db.$disconnect();
});

const rejection = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as Error);

describe("rules", () => {
  it("admins add rules with defaults and limits; viewers cannot", async () => {
    const lag = await createAlertRule(db, admin, profileId, { kind: "lag", threshold: "45" });
    expect(lag).toMatchObject({ kind: "lag", threshold: 45, description: "Lag above 45 minutes" });
    expect(await createAlertRule(db, admin, profileId, { kind: "failures" })).toMatchObject({ threshold: 10 });
    expect(await createAlertRule(db, admin, profileId, { kind: "table-failed", threshold: 99 })).toMatchObject({ threshold: 0, description: "A table failed" });
    const bad = await rejection(createAlertRule(db, admin, profileId, { kind: "lag", threshold: 0 }));
    expect(bad).toBeInstanceOf(ValidationError);
    expect((bad as ValidationError).fieldErrors.threshold).toBe("Give between 1 and 10,080 minutes.");
    expect(await rejection(createAlertRule(db, admin, profileId, { kind: "nonsense" }))).toBeInstanceOf(ValidationError);
    expect(await rejection(createAlertRule(db, admin, profileId, { kind: "lag", extra: 1 }))).toBeInstanceOf(ValidationError);
    expect(await rejection(createAlertRule(db, viewer, profileId, { kind: "lag" }))).toBeInstanceOf(ForbiddenError);
    expect(await rejection(createAlertRule(db, admin, "00000000-0000-4000-8000-000000000000", { kind: "lag" }))).toBeInstanceOf(NotFoundError);
    expect(await rejection(deleteAlertRule(db, viewer, profileId, lag.id))).toBeInstanceOf(ForbiddenError);
    await deleteAlertRule(db, admin, profileId, lag.id);
    expect(await rejection(deleteAlertRule(db, admin, profileId, lag.id))).toBeInstanceOf(NotFoundError);
    const view = await getAlerts(db, viewer, profileId);
    expect(view.rules.map((r) => r.kind)).toEqual(["failures", "table-failed"]);
  });
});

describe("channels", () => {
  it("stores the webhook URL and SMTP password encrypted and never returns them", async () => {
    const url = hook.url("/T000/B000/very-secret-webhook-token");
    const w = await createAlertChannel(db, admin, profileId, { kind: "webhook", name: "Teams ops", url, format: "teams" });
    const e = await createAlertChannel(db, admin, profileId, {
      kind: "email", name: "Ops mail", host: "127.0.0.1", port: String(smtp.port), security: "none", user: "mailer", password: "smtp-password-123",
      from: "alerts@example.com", to: "ops@example.com, dba@example.com",
    });
    expect(w).toEqual({ id: expect.any(String), name: "Teams ops", kind: "webhook", description: "Microsoft Teams webhook", format: "teams", email: null });
    expect(e.description).toBe(`Email to ops@example.com, dba@example.com via 127.0.0.1:${smtp.port}`);
    const rows = await db.alertChannel.findMany({ where: { profileId } });
    const raw = JSON.stringify(rows);
    expect(raw).not.toContain("very-secret-webhook-token");
    expect(raw).not.toContain("smtp-password-123");
    expect(decryptSecret(rows.find((r) => r.id === w.id)!.secretEnc!)).toBe(url);
    expect(decryptSecret(rows.find((r) => r.id === e.id)!.secretEnc!)).toBe("smtp-password-123");
    const view = JSON.stringify(await getAlerts(db, viewer, profileId));
    expect(view).not.toContain("very-secret-webhook-token");
    expect(view).not.toContain("smtp-password-123");
  });

  it("validates channel input and checks the role", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ kind: "webhook", name: "x", url: "file:///etc/passwd" }, "url"],
      [{ kind: "webhook", name: "", url: "https://example.com" }, "name"],
      [{ kind: "webhook", name: "x", url: "https://example.com", format: "xml" }, "format"],
      [{ kind: "email", name: "x", host: "smtp.example.com", from: "not-an-email", to: "a@example.com" }, "from"],
      [{ kind: "email", name: "x", host: "smtp.example.com", from: "a@example.com", to: "" }, "to"],
      [{ kind: "email", name: "x", host: "smtp.example.com", port: 70000, from: "a@example.com", to: "b@example.com" }, "port"],
    ];
    for (const [input, field] of cases) {
      const err = await rejection(createAlertChannel(db, admin, profileId, input));
      expect(err, JSON.stringify(input)).toBeInstanceOf(ValidationError);
      expect(Object.keys((err as ValidationError).fieldErrors)).toContain(field);
    }
    expect(await rejection(createAlertChannel(db, viewer, profileId, { kind: "webhook", name: "x", url: "https://example.com" }))).toBeInstanceOf(ForbiddenError);
  });
});

describe("send test alert", () => {
  it("reaches the webhook and the mailbox, and is listed", async () => {
    const { channels } = await getAlerts(db, admin, profileId);
    hook.posts.length = 0;
    smtp.mails.length = 0;
    for (const c of channels) await sendTestAlert(db, admin, profileId, c.id);
    const [post] = await hook.waitForPosts(1);
    expect(post.path).toBe("/T000/B000/very-secret-webhook-token");
    expect(JSON.stringify(post.body)).toContain("[TEST] Alerts svc: test alert");
    const [mail] = await smtp.waitForMails(1);
    expect(mail.subject).toBe("[TEST] Alerts svc: test alert");
    expect(mail.text).toContain("sent by admin@example.com");
    const view = await getAlerts(db, viewer, profileId);
    expect(view.tests.map((t) => [t.channelName, t.ok])).toEqual([["Ops mail", true], ["Teams ops", true]]);
  });

  it("edits an email channel's name and target, keeping the SMTP password unless entered again", async () => {
    const ch = await createAlertChannel(db, admin, profileId, {
      kind: "email", name: "Edit me", host: "127.0.0.1", port: smtp.port, security: "none", user: "mailer", password: "smtp-password-123", from: "alerts@example.com", to: "a@example.com",
    });
    const edit = { kind: "email", name: "Edited", host: "127.0.0.1", port: String(smtp.port), security: "none", user: "mailer", from: "alerts@example.com", to: "a@example.com, b@example.com" };
    expect(await rejection(updateAlertChannel(db, viewer, profileId, ch.id, edit))).toBeInstanceOf(ForbiddenError);
    expect(await rejection(updateAlertChannel(db, admin, profileId, ch.id, { ...edit, to: "nobody" }))).toBeInstanceOf(ValidationError);
    const edited = await updateAlertChannel(db, admin, profileId, ch.id, { ...edit, password: "" });
    expect(edited).toMatchObject({ name: "Edited", email: { to: ["a@example.com", "b@example.com"], user: "mailer" } });
    expect(JSON.stringify(edited)).not.toContain("smtp-password-123");
    const row = () => db.alertChannel.findUniqueOrThrow({ where: { id: ch.id } });
    expect(decryptSecret((await row()).secretEnc!)).toBe("smtp-password-123");
    // The kept password still signs in: the test mail goes out to both recipients.
    smtp.mails.length = 0;
    await sendTestAlert(db, admin, profileId, ch.id);
    expect((await smtp.waitForMails(1))[0].to).toEqual(expect.arrayContaining(["a@example.com", "b@example.com"]));
    await updateAlertChannel(db, admin, profileId, ch.id, { ...edit, password: "another-password" });
    expect(decryptSecret((await row()).secretEnc!)).toBe("another-password");
    await deleteAlertChannel(db, admin, profileId, ch.id);
  });

  it("says why a channel failed (4xx, refused) and records it; viewers cannot send", async () => {
    const url404 = hook.url("/gone");
    const c = await createAlertChannel(db, admin, profileId, { kind: "webhook", name: "Gone", url: url404, format: "slack" });
    hook.respond({ status: 410, body: "" });
    try {
      const err = await rejection(sendTestAlert(db, admin, profileId, c.id));
      expect(err).toBeInstanceOf(ChannelTestFailedError);
      expect(err!.message).toBe(`The test alert to "Gone" failed: The webhook at ${new URL(url404).host} answered 410. The webhook was removed or the URL is wrong.`);
    } finally {
      hook.respond({ status: 200 });
    }
    const port = await closedPort();
    const m = await createAlertChannel(db, admin, profileId, { kind: "email", name: "Dead SMTP", host: "127.0.0.1", port, security: "none", from: "a@example.com", to: ["b@example.com"] });
    const err = await rejection(sendTestAlert(db, admin, profileId, m.id));
    expect(err!.message).toBe(`The test alert to "Dead SMTP" failed: The SMTP server 127.0.0.1:${port} refused the connection.`);
    expect(await rejection(sendTestAlert(db, viewer, profileId, m.id))).toBeInstanceOf(ForbiddenError);
    const view = await getAlerts(db, viewer, profileId);
    expect(view.tests.slice(0, 2).map((t) => [t.channelName, t.ok])).toEqual([["Dead SMTP", false], ["Gone", false]]);
    await deleteAlertChannel(db, admin, profileId, m.id);
    expect(await rejection(sendTestAlert(db, admin, profileId, m.id))).toBeInstanceOf(NotFoundError);
    // The delivery history keeps the channel's name after it is deleted.
    expect((await getAlerts(db, viewer, profileId)).tests[0]).toMatchObject({ channelName: "Dead SMTP", ok: false });
  });
});
