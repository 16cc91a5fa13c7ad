// The failure log viewer: newest first, keyset pages, filters (table, change type, UTC range),
// search by record id or reason, downloads of what the filters match, reasons as text.
// The log is seeded straight into the store, as the engine appends it.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import Database from "better-sqlite3";
import { ANONYMOUS, E2E, unique } from "./support/env";
import { acceptDemoPrivacy, createProfileThroughWizard, seriousViolations } from "./portal-helpers";

interface Seeded {
  recordId: string;
  entity: string;
  changeType: string;
  at: string;
  reason: string;
}

function seedFailures(profileId: string): Seeded[] {
  const rows: Seeded[] = [];
  for (let i = 0; i < 120; i++) {
    const at = new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString().replace("Z", "+00:00");
    rows.push({ recordId: randomUUID(), entity: "contact", changeType: "Update", at, reason: `String or binary data would be truncated in <i>lastname</i> #${i}.` });
  }
  for (let i = 0; i < 10; i++) {
    const at = new Date(Date.UTC(2026, 1, 1, 0, i)).toISOString().replace("Z", "+00:00");
    rows.push({ recordId: randomUUID(), entity: "account", changeType: "New", at, reason: `Violation of PRIMARY KEY constraint A${i}.` });
  }
  const store = new Database(path.join(E2E.dataDir, "portal.db"));
  try {
    store.pragma("busy_timeout = 10000");
    const insert = store.prepare(`INSERT INTO "Failure" (profileId, entity, recordId, notificationTime, changeType, reason) VALUES (?, ?, ?, ?, ?, ?)`);
    store.transaction(() => rows.forEach((r) => insert.run(profileId, r.entity, r.recordId, r.at, r.changeType, r.reason)))();
  } finally {
    store.close();
  }
  return rows;
}

test("the failure viewer pages, filters, searches and downloads", async ({ page, browser }) => {
  test.setTimeout(120_000);
  await acceptDemoPrivacy(page);
  const name = unique("Failures ");
  const profileId = await createProfileThroughWizard(page, { name, tables: ["contact", "account"] });
  const seeded = seedFailures(profileId);
  const rows = page.getByTestId("failure-row");

  // Newest first, 50 at a time.
  await page.goto(`/failures?profileId=${profileId}`);
  await expect(rows).toHaveCount(50);
  await expect(rows.first().getByTestId("failure-record")).toHaveText(seeded[129].recordId);
  await page.getByRole("button", { name: "Show older entries" }).click();
  await expect(rows).toHaveCount(100);
  await page.getByRole("button", { name: "Show older entries" }).click();
  await expect(rows).toHaveCount(130);
  await expect(rows.last().getByTestId("failure-record")).toHaveText(seeded[0].recordId);
  await expect(page.getByText("That is the oldest entry.")).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);

  // Reasons are text, never HTML.
  await expect(rows.last().getByTestId("failure-reason")).toHaveText("String or binary data would be truncated in <i>lastname</i> #0.");
  await expect(rows.locator("i")).toHaveCount(0);

  const apply = () => page.getByRole("button", { name: "Apply filters" }).click();
  await page.getByLabel("Table (logical name)").fill("account");
  await apply();
  await expect(rows).toHaveCount(10);
  await expect(page).toHaveURL(/entity=account/);

  await page.getByRole("button", { name: "Clear" }).click();
  await page.getByLabel("Change type").selectOption("Update");
  await apply();
  await expect(rows).toHaveCount(50);
  await expect(rows.first().getByTestId("failure-reason")).toContainText("#119.");

  await page.getByRole("button", { name: "Clear" }).click();
  await page.getByLabel("Search record id or reason").fill(seeded[42].recordId);
  await apply();
  await expect(rows).toHaveCount(1);
  await expect(rows.first().getByTestId("failure-reason")).toContainText("#42.");
  await page.getByLabel("Search record id or reason").fill("#119.");
  await apply();
  await expect(rows).toHaveCount(1);

  // A UTC range: 01:00:00 to 01:09:59 on 1 January holds entries 60 to 69.
  await page.getByRole("button", { name: "Clear" }).click();
  await page.getByLabel("From (UTC)").fill("2026-01-01T01:00:00");
  await page.getByLabel("To (UTC)").fill("2026-01-01T01:09:59");
  await apply();
  await expect(rows).toHaveCount(10);
  await expect(rows.first().getByTestId("failure-reason")).toContainText("#69.");
  await expect(rows.last().getByTestId("failure-reason")).toContainText("#60.");

  // The downloads hold exactly what the filters match, oldest first.
  const [csv] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download CSV" }).click()]);
  const csvLines = fs.readFileSync((await csv.path())!, "utf8").trimEnd().split("\r\n");
  expect(csvLines).toHaveLength(11);
  expect(csvLines[1]).toContain(seeded[60].recordId);
  const [des] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download log lines" }).click()]);
  const desLines = fs.readFileSync((await des.path())!, "utf8").trimEnd().split("\n");
  expect(desLines).toHaveLength(10);
  expect(desLines[0]).toBe(`Entity: contact, RecordId: ${seeded[60].recordId}, NotificationTime: 1/1/2026 1:00:00 AM, ChangeType: Update, FailureReason: ${seeded[60].reason}`);

  // Bad filters are named, not swallowed.
  await page.getByRole("button", { name: "Clear" }).click();
  await page.getByLabel("Table (logical name)").fill("acc-ount; drop");
  await apply();
  await expect(page.locator("#field-entity-error")).toContainText("Table names are logical names");

  // All profiles: a profile column.
  await page.getByRole("button", { name: "Clear" }).click();
  await page.getByLabel("Profile").selectOption("");
  await apply();
  await expect(page.getByRole("columnheader", { name: "Profile" })).toBeVisible();
  await expect(rows.first()).toContainText(name);

  // Neither the log nor its download is served without a session.
  const anonymous = await browser.newContext({ storageState: ANONYMOUS });
  expect((await anonymous.request.get(`/api/portal/failures?profileId=${profileId}`)).status()).toBe(401);
  expect((await anonymous.request.get(`/api/portal/failures/download?profileId=${profileId}&format=des`)).status()).toBe(401);
  await anonymous.close();
});
