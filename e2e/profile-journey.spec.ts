// The admin journey of issue 5, in the browser against the production build, the emulator, the
// worker and a real SQLite target: privacy terms → wizard → validation failure with its fix →
// success → create and activate → initial export → a source change → a poison record in the
// failure viewer and the downloads → deactivate → delete.
import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { E2E, unique } from "./support/env";
import { count, writeStore } from "./support/store";
import { DEMO, acceptDemoPrivacy, demoOrganizationId, openTarget, storeRow, targetCount, targetFile, webApi } from "./portal-helpers";

test("an admin exports the demo organization through the portal, end to end", async ({ page }) => {
  test.setTimeout(240_000);
  const name = unique("Journey ");
  const file = targetFile(unique("journey"));
  const orgId = demoOrganizationId();
  // Hydration mismatches and uncaught errors show up here, not on the page.
  const browserErrors: string[] = [];
  page.on("pageerror", (err) => browserErrors.push(err.message));
  page.on("console", (msg) => msg.type() === "error" && browserErrors.push(`${msg.text()} (${msg.location().url})`));

  // Privacy terms: shown as not accepted, explained, accepted, recorded. Other specs accept them
  // too, so the journey starts from "not accepted" whatever ran before it.
  writeStore(`UPDATE "Organization" SET "privacyAcceptedAt" = NULL, "privacyAcceptedBy" = NULL WHERE id = ?`, orgId);
  await page.goto("/organizations");
  const orgRow = page.getByTestId(`org-row-${DEMO}`);
  await expect(orgRow).toContainText("Not accepted");
  await orgRow.getByRole("link", { name: /privacy terms/ }).click();
  await expect(page.getByText(`Not accepted yet: no export profile can be created or activated for ${DEMO}.`)).toBeVisible();
  await expect(page.getByRole("heading", { name: "What leaves Dataverse" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Where it goes" })).toBeVisible();
  await acceptDemoPrivacy(page);
  await expect(page.getByTestId("privacy-accepted")).toContainText("admin@e2e.test");
  expect(storeRow<{ by: string }>(`SELECT privacyAcceptedBy AS by FROM "Organization" WHERE id = ?`, orgId)?.by).toBe("admin@e2e.test");

  // Step 1: properties. The first target is a file in a folder that does not exist.
  await page.goto("/profiles/new");
  await expect(page.getByRole("heading", { name: "Step 1 of 5: Properties" })).toBeVisible();
  await page.getByLabel("Profile name").fill(name);
  await expect(page.getByLabel("Organization")).toHaveValue(orgId);
  await page.getByLabel("Connection string", { exact: true }).fill(`sqlite:${E2E.dataDir}/no-such-folder/target.db`);
  await page.getByRole("button", { name: "Test target connection" }).click();
  await expect(page.getByTestId("target-test-result")).toContainText("mkdir -p", { timeout: 30_000 });
  await page.getByLabel("Retry count").fill("1");
  await page.getByLabel("Retry interval (seconds)").fill("0");
  await page.getByRole("button", { name: "Next" }).click();

  // Step 2: tables. activitypointer is listed, disabled, with the reason.
  await expect(page.getByRole("heading", { name: "Step 2 of 5: Tables" })).toBeVisible();
  const activity = page.getByTestId("table-row-activitypointer");
  await expect(activity.getByRole("checkbox")).toBeDisabled();
  await expect(activity.getByTestId("not-selectable-reason")).toContainText("Change tracking is off");
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Choose at least one table." })).toBeVisible();
  await page.getByLabel("Search tables").fill("acc");
  await page.getByRole("checkbox", { name: "Account", exact: true }).check();
  await page.getByLabel("Search tables").fill("");
  await page.getByRole("checkbox", { name: "Lead", exact: true }).check();
  await expect(page.getByTestId("tables-selected")).toHaveText("2 selected");

  // Leaving and coming back keeps the draft.
  await page.goto("/profiles");
  await page.goto("/profiles/new");
  await expect(page.getByText("Your unfinished profile was kept.")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Step 2 of 5: Tables" })).toBeVisible();
  await expect(page.getByTestId("tables-selected")).toHaveText("2 selected");
  await page.getByRole("button", { name: "Next" }).click();

  // Step 3: the N:N relationship between the chosen tables.
  await expect(page.getByRole("heading", { name: "Step 3 of 5: Relationships" })).toBeVisible();
  await page.getByRole("checkbox", { name: /accountleads_association/ }).check();
  await page.getByRole("button", { name: "Next" }).click();

  // Step 4: validation fails on the target, with the fix.
  await expect(page.getByRole("heading", { name: "Step 4 of 5: Validation" })).toBeVisible();
  await expect(page.getByTestId("validation-summary")).toContainText("checks failed", { timeout: 30_000 });
  const failed = page.locator('[data-testid^="check-"][data-ok="false"]');
  await expect(failed.first()).toBeVisible();
  await expect(failed.first().getByTestId("check-fix")).toContainText("mkdir -p");
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByRole("heading", { name: "Step 4 of 5: Validation" })).toBeVisible();

  // Back keeps what was entered; fix the target.
  for (let i = 0; i < 3; i++) await page.getByRole("button", { name: "Back" }).click();
  await expect(page.getByLabel("Profile name")).toHaveValue(name);
  await page.getByLabel("Connection string", { exact: true }).fill(`sqlite:${file}`);
  await page.getByRole("button", { name: "Test target connection" }).click();
  await expect(page.getByTestId("target-test-result")).toContainText("Connected", { timeout: 30_000 });
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByTestId("tables-selected")).toHaveText("2 selected");
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByRole("checkbox", { name: /accountleads_association/ })).toBeChecked();
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByTestId("validation-summary")).toHaveText("All checks passed. Go on to the summary.", { timeout: 30_000 });
  await expect(page.locator('[data-testid^="check-"][data-ok="false"]')).toHaveCount(0);
  await page.getByRole("button", { name: "Next" }).click();

  // Step 5: summary, create and activate.
  await expect(page.getByRole("heading", { name: "Step 5 of 5: Summary" })).toBeVisible();
  await expect(page.getByText("2: account, lead")).toBeVisible();
  await page.getByRole("button", { name: "Create and activate" }).click();
  await expect(page).toHaveURL(/\/profiles\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name })).toBeVisible();
  const profileId = page.url().split("/").pop()!;
  await expect(page.getByTestId("target-description")).toHaveText(`sqlite:${file}`);
  expect(count("Profile", "id = ? AND name = ? AND retryCount = 1 AND retryIntervalSeconds = 0", profileId, name)).toBe(1);

  // The initial export completes, live on the page.
  for (const table of ["account", "lead", "accountleads_association"]) {
    await expect(page.getByTestId(`table-status-${table}`).getByTestId("initial-state")).toHaveText("Completed", { timeout: 90_000 });
  }
  await expect(page.getByTestId("profile-state")).toHaveText("Active");

  // Rows in the target equal the source.
  const status = await (await fetch(`${E2E.emulatorUrl}/_emulator/status`, { headers: webApi.headers })).json();
  expect(targetCount(file, "account")).toBe(status.tables.account);
  expect(targetCount(file, "lead")).toBe(status.tables.lead);
  expect(targetCount(file, "accountleads")).toBe(status.tables.accountleads);

  // A change at the source reaches the target and the status page.
  const accountRow = page.getByTestId("table-status-account");
  const syncedBefore = Number((await accountRow.getByTestId("records-synced").innerText()).replace(/,/g, ""));
  const [changed, poison] = await webApi.firstIds("accounts", "accountid", 2);
  const newName = unique("Renamed ");
  await webApi.update("accounts", changed, { name: newName });
  await expect.poll(() => targetCount(file, "account", "name = ?", newName), { timeout: 30_000 }).toBe(1);
  await expect.poll(async () => Number((await accountRow.getByTestId("records-synced").innerText()).replace(/,/g, "")), { timeout: 30_000 }).toBeGreaterThan(syncedBefore);

  // A record the target refuses (a trigger made after the tables exist) lands in the failure log.
  const target = openTarget(file, false);
  try {
    target.exec(`CREATE TRIGGER e2e_poison BEFORE UPDATE ON account WHEN NEW.name LIKE 'POISON%' BEGIN SELECT RAISE(ABORT, 'rejected by the e2e trigger <b>not html</b>'); END;`);
  } finally {
    target.close();
  }
  const poisonName = unique("POISON ");
  await webApi.update("accounts", poison, { name: poisonName });
  await expect(accountRow.getByTestId("table-failures")).toHaveText("1", { timeout: 60_000 });
  expect(count("Failure", "profileId = ? AND recordId = ?", profileId, poison)).toBe(1);

  await page.getByRole("link", { name: /open the failure log/ }).click();
  await expect(page).toHaveURL(new RegExp(`/failures\\?profileId=${profileId}`));
  const row = page.getByTestId("failure-row").filter({ hasText: poison });
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId("failure-reason")).toContainText("rejected by the e2e trigger <b>not html</b>");
  await expect(row.locator("b")).toHaveCount(0);

  const [des] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download log lines" }).click()]);
  const lines = fs.readFileSync((await des.path())!, "utf8");
  expect(lines).toMatch(new RegExp(`^Entity: account, RecordId: ${poison}, NotificationTime: \\d{1,2}/\\d{1,2}/\\d{4} \\d{1,2}:\\d{2}:\\d{2} [AP]M, ChangeType: Update, FailureReason: .*rejected by the e2e trigger`, "m"));
  const [csv] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download CSV" }).click()]);
  const csvText = fs.readFileSync((await csv.path())!, "utf8");
  expect(csvText.split("\r\n")[0]).toBe("Entity,RecordId,NotificationTime,ChangeType,FailureReason");
  expect(csvText).toContain(`account,${poison},`);

  // Once the target accepts it again, re-syncing the failed records writes it; the log keeps its entry.
  const fix = openTarget(file, false);
  try {
    fix.exec("DROP TRIGGER e2e_poison");
  } finally {
    fix.close();
  }
  await page.goto(`/profiles/${profileId}`);
  await page.getByRole("button", { name: "Re-sync failed records (1)" }).click();
  await expect(page.getByText("Re-sync of failed records requested")).toBeVisible();
  await expect.poll(() => targetCount(file, "account", "name = ?", poisonName), { timeout: 30_000 }).toBe(1);
  await expect(page.getByRole("button", { name: "Re-sync failed records (0)" })).toBeVisible({ timeout: 30_000 });
  expect(count("Failure", "profileId = ? AND recordId = ?", profileId, poison)).toBe(1);

  // Deactivate, then delete; the target keeps its data.
  await page.goto(`/profiles/${profileId}`);
  await page.getByRole("button", { name: "Deactivate" }).click();
  await expect(page.getByTestId("profile-state")).toHaveText("Inactive");
  expect(storeRow<{ state: string }>(`SELECT state FROM "Profile" WHERE id = ?`, profileId)?.state).toBe("inactive");
  const deleteButton = page.getByRole("button", { name: "Delete", exact: true });
  await deleteButton.click();
  // Escape cancels and gives the focus back; nothing is deleted.
  await page.keyboard.press("Escape");
  await expect(page.getByRole("alertdialog")).toHaveCount(0);
  await expect(deleteButton).toBeFocused();
  expect(count("Profile", "id = ?", profileId)).toBe(1);
  await deleteButton.click();
  await expect(page.getByRole("alertdialog")).toContainText("not touched");
  await page.getByRole("button", { name: "Delete profile" }).click();
  await expect(page).toHaveURL(/\/profiles$/);
  await expect(page.getByTestId(`profile-row-${name}`)).toHaveCount(0);
  expect(count("Profile", "id = ?", profileId)).toBe(0);
  expect(targetCount(file, "account")).toBe(status.tables.account);
  expect(browserErrors).toEqual([]);
});
