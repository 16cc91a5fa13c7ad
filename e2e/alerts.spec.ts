// Alerts from the profile page: an admin adds a rule, a webhook channel (a local HTTP server
// started here) and an email channel (a local SMTP server started here), presses "Send test
// alert" on each and both messages arrive; a failing channel says why. The worker then fires the
// rule (a reconciliation with differences, seeded in the store) once and resolves it once; the
// page lists the alert history. Checked on the page, at the receivers and in the store.
import { expect, test } from "@playwright/test";
import { closedPort, startSmtpReceiver, startWebhookReceiver, type SmtpReceiver, type WebhookReceiver } from "../lib/alerts/test-servers";
import { unique } from "./support/env";
import { writeStore } from "./support/store";
import { acceptDemoPrivacy, createProfileThroughWizard, storeRow } from "./portal-helpers";

let hook: WebhookReceiver;
let smtp: SmtpReceiver;
test.beforeAll(async () => {
  hook = await startWebhookReceiver();
  smtp = await startSmtpReceiver({ auth: { user: "mailer", pass: "e2e-smtp-password" } });
});
test.afterAll(async () => {
  await hook?.close();
  await smtp?.close();
});

test("an admin sets alert rules and channels, tests them, and sees the alert history", async ({ page }) => {
  test.setTimeout(180_000);
  await acceptDemoPrivacy(page);
  const name = unique("Alerts ");
  const profileId = await createProfileThroughWizard(page, { name, tables: ["contact"] });
  await page.goto(`/profiles/${profileId}`);
  const alerts = page.getByTestId("profile-alerts");
  await expect(alerts.getByTestId("alert-history-empty")).toBeVisible();

  // A rule, with its input checked first.
  await alerts.getByLabel("Alert when").selectOption("lag");
  await alerts.getByLabel("Threshold (minutes)").fill("0");
  await alerts.getByRole("button", { name: "Add rule" }).click();
  await expect(alerts.locator("#alert-threshold-error")).toHaveText("Give between 1 and 10,080 minutes.");
  await alerts.getByLabel("Alert when").selectOption("reconcile-differences");
  await alerts.getByLabel("Threshold (differences)").fill("0");
  await alerts.getByRole("button", { name: "Add rule" }).click();
  await expect(alerts.getByText("Rule added: Reconciliation found differences.")).toBeVisible();
  await expect(alerts.getByTestId("alert-rule")).toHaveText([/Reconciliation found differences/]);

  // A Teams webhook channel and an email channel.
  const webhookPath = `/webhookb2/${unique("secret")}`;
  await alerts.getByLabel("Channel name").fill("Ops Teams");
  await alerts.getByLabel("Webhook URL").fill(hook.url(webhookPath));
  await alerts.getByLabel("Body format").selectOption("teams");
  await alerts.getByRole("button", { name: "Add channel" }).click();
  await expect(alerts.getByText('Channel "Ops Teams" added.')).toBeVisible();
  await alerts.getByLabel("Channel kind").selectOption("email");
  await alerts.getByLabel("Channel name").fill("Ops mail");
  await alerts.getByLabel("SMTP host").fill("127.0.0.1");
  await alerts.getByLabel("SMTP port").fill(String(smtp.port));
  await alerts.getByLabel("Security").selectOption("none");
  await alerts.getByLabel("SMTP user (optional)").fill("mailer");
  await alerts.getByLabel("SMTP password (optional)").fill("e2e-smtp-password");
  await alerts.getByLabel("From address").fill("alerts@e2e.test");
  await alerts.getByLabel("To (comma-separated)").fill("ops@e2e.test");
  await alerts.getByRole("button", { name: "Add channel" }).click();
  await expect(alerts.getByText('Channel "Ops mail" added.')).toBeVisible();
  await expect(alerts.getByTestId("alert-channel-Ops Teams")).toContainText("Microsoft Teams webhook");
  await expect(alerts.getByTestId("alert-channel-Ops mail")).toContainText(`Email to ops@e2e.test via 127.0.0.1:${smtp.port}`);
  // Secrets are stored encrypted and never shown again.
  await expect(page.locator("body")).not.toContainText(webhookPath);
  const stored = JSON.stringify(storeRow(`SELECT group_concat(secretEnc || settings) AS s FROM "AlertChannel" WHERE profileId = ?`, profileId));
  expect(stored).not.toContain(webhookPath);
  expect(stored).not.toContain("e2e-smtp-password");

  // Send test alert: the webhook body and the email arrive.
  await alerts.getByRole("button", { name: "Send test alert to Ops Teams" }).click();
  await expect(alerts.getByText('Test alert sent to "Ops Teams".')).toBeVisible();
  const [post] = await hook.waitForPosts(1);
  expect(post.path).toBe(webhookPath);
  const card = (post.body as { attachments: { contentType: string; content: { body: { text?: string }[] } }[] }).attachments[0];
  expect(card.contentType).toBe("application/vnd.microsoft.card.adaptive");
  expect(card.content.body[0].text).toBe(`[TEST] ${name}: test alert`);
  await alerts.getByRole("button", { name: "Send test alert to Ops mail" }).click();
  await expect(alerts.getByText('Test alert sent to "Ops mail".')).toBeVisible();
  const [mail] = await smtp.waitForMails(1);
  expect(mail.to).toEqual(["ops@e2e.test"]);
  expect(mail.subject).toBe(`[TEST] ${name}: test alert`);
  expect(mail.text).toContain("sent by admin@e2e.test");

  // A channel that fails says why, and the failure is listed.
  const port = await closedPort();
  await alerts.getByLabel("Channel kind").selectOption("webhook");
  await alerts.getByLabel("Channel name").fill("Dead hook");
  await alerts.getByLabel("Webhook URL").fill(`http://127.0.0.1:${port}/hook`);
  await alerts.getByRole("button", { name: "Add channel" }).click();
  await expect(alerts.getByText('Channel "Dead hook" added.')).toBeVisible();
  await alerts.getByRole("button", { name: "Send test alert to Dead hook" }).click();
  await expect(alerts.getByRole("alert")).toHaveText(`The test alert to "Dead hook" failed: 127.0.0.1:${port} refused the connection (nothing listens there?).`);
  await expect(alerts.getByTestId("alert-test")).toHaveCount(3);
  await expect(alerts.getByTestId("alert-test").first()).toContainText("failed");
  await alerts.getByRole("button", { name: "Remove channel Dead hook" }).click();
  await expect(alerts.getByTestId("alert-channel-Dead hook")).toHaveCount(0);

  // The worker fires the rule once when a reconciliation found differences, and resolves it once.
  writeStore(
    `INSERT INTO "Reconciliation" (id, profileId, status, "trigger", missing, extra, stale, requestedAt, finishedAt) VALUES (?, ?, 'done', 'api', 2, 1, 0, ?, ?)`,
    crypto.randomUUID(), profileId, new Date().toISOString(), new Date().toISOString(),
  );
  const row = alerts.getByTestId("alert-row");
  await expect(row).toHaveCount(1, { timeout: 60_000 });
  await expect(row).toContainText("Open");
  await expect(row).toContainText("reconciliation found 3 differences");
  await expect(row.getByTestId("alert-delivery")).toHaveText([/sent.*fired → Ops Teams/, /sent.*fired → Ops mail/]);
  const fired = await hook.waitForPosts(2);
  expect((fired[1].body as { attachments: { content: { body: { text?: string }[] } }[] }).attachments[0].content.body[0].text).toBe(`[FIRING] ${name}: reconciliation found 3 differences`);
  await smtp.waitForMails(2);

  writeStore(`UPDATE "Reconciliation" SET missing = 0, extra = 0, stale = 0 WHERE profileId = ?`, profileId);
  await expect(row).toContainText("Resolved", { timeout: 60_000 });
  await expect(row.getByTestId("alert-delivery")).toHaveCount(4);
  const resolved = await hook.waitForPosts(3);
  expect(JSON.stringify(resolved[2].body)).toContain(`[RESOLVED] ${name}: resolved: reconciliation found 3 differences`);
  const mails = await smtp.waitForMails(3);
  expect(mails[2].subject).toBe(`[RESOLVED] ${name}: resolved: reconciliation found 3 differences`);
  // Once per incident: nothing more arrives in later passes.
  expect(storeRow<{ n: number }>(`SELECT COUNT(*) AS n FROM "Alert" WHERE profileId = ?`, profileId)).toEqual({ n: 1 });
  expect(storeRow<{ n: number }>(`SELECT COUNT(*) AS n FROM "AlertDelivery" WHERE profileId = ? AND alertId IS NOT NULL`, profileId)).toEqual({ n: 4 });
});
