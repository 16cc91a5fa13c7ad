// Reconciliation from the profile page: the admin asks for it, the worker runs it beside the sync,
// the page shows the last result (counts, time, duration); repair brings back a row removed from
// the target; one table alone; the nightly schedule is changed. Checked on the page and in the store.
import { expect, test } from "@playwright/test";
import { unique } from "./support/env";
import { acceptDemoPrivacy, createProfileThroughWizard, openTarget, storeRow, targetCount, targetFile } from "./portal-helpers";

type Run = { status: string; missing: number; extra: number; stale: number; repair: number; trigger: string; tables: string | null };
const latestRun = (profileId: string) =>
  storeRow<Run>(`SELECT status, missing, extra, stale, repair, "trigger", tables FROM "Reconciliation" WHERE profileId = ? ORDER BY requestedAt DESC LIMIT 1`, profileId);

test("an admin reconciles a profile, repairs it, reconciles one table and sets the schedule", async ({ page }) => {
  test.setTimeout(240_000);
  await acceptDemoPrivacy(page);
  const name = unique("Reconcile ");
  const file = targetFile(unique("reconcile"));
  const profileId = await createProfileThroughWizard(page, { name, tables: ["contact", "cr0a1_project"], file, activate: true });
  for (const t of ["contact", "cr0a1_project"]) {
    await expect(page.getByTestId(`table-status-${t}`).getByTestId("initial-state")).toHaveText("Completed", { timeout: 120_000 });
  }
  const last = page.getByTestId("reconcile-last");
  await expect(last).toHaveText("Not reconciled yet.");
  // The schedule is on by default: daily at 02:00 UTC.
  await expect(page.getByTestId("reconcile-schedule")).toContainText("daily at 02:00 UTC");

  // A row disappears from the target behind the engine's back.
  const contacts = targetCount(file, "contact");
  const target = openTarget(file, false);
  const gone = (target.prepare(`SELECT Id FROM contact ORDER BY Id LIMIT 1`).get() as { Id: string }).Id;
  target.prepare(`DELETE FROM contact WHERE Id = ?`).run(gone);
  target.close();

  await page.getByRole("button", { name: "Reconcile", exact: true }).click();
  await expect(page.getByText("Reconciliation of every table requested")).toBeVisible();
  await expect(last.getByTestId("reconcile-counts")).toHaveText("1 missing, 0 extra, 0 stale", { timeout: 60_000 });
  await expect(last).toContainText("Differences found");
  await expect(last.getByTestId("reconcile-duration")).toHaveText(/^\d+\.\d s$/);
  await expect(last.getByTestId("reconcile-time")).not.toHaveText("never");
  await expect(page.getByTestId("reconcile-table-contact").getByTestId("reconcile-missing")).toHaveText("1");
  await expect(page.getByTestId("reconcile-table-contact")).toContainText(gone);
  expect(latestRun(profileId)).toMatchObject({ status: "done", missing: 1, extra: 0, stale: 0, repair: 0, trigger: "portal" });
  expect(targetCount(file, "contact")).toBe(contacts - 1);

  await page.getByRole("button", { name: "Reconcile and repair" }).click();
  await expect(last).toContainText("with repair", { timeout: 60_000 });
  await expect(page.getByTestId("reconcile-table-contact")).toContainText("repaired 1 row(s)");
  expect(latestRun(profileId)).toMatchObject({ status: "done", missing: 1, repair: 1 });
  expect(targetCount(file, "contact")).toBe(contacts);
  expect(targetCount(file, "contact", "Id = ?", gone)).toBe(1);

  // One table alone: it is equal now.
  await page.getByLabel("One table:").selectOption("contact");
  await expect(page.getByText("Reconciliation of contact requested")).toBeVisible();
  await expect(last).toContainText("Target equals source", { timeout: 60_000 });
  await expect(page.getByTestId("reconcile-table-cr0a1_project")).toHaveCount(0);
  expect(latestRun(profileId)).toMatchObject({ status: "done", missing: 0, extra: 0, stale: 0, tables: '["contact"]' });

  // The schedule: bad input is named and saves nothing; good input applies.
  await page.getByLabel("Time of day (UTC)").fill("25:00");
  await page.getByRole("button", { name: "Save schedule" }).click();
  await expect(page.locator("#field-reconcileTimeUtc-error")).toContainText("HH:MM");
  expect(storeRow(`SELECT reconcileTimeUtc AS t, reconcileEveryHours AS h FROM "Profile" WHERE id = ?`, profileId)).toEqual({ t: "02:00", h: null });
  await page.getByLabel("Time of day (UTC)").fill("03:30");
  await page.getByLabel("Or every N hours").fill("6");
  await page.getByRole("button", { name: "Save schedule" }).click();
  await expect(page.getByText("Schedule saved.")).toBeVisible();
  await expect(page.getByTestId("reconcile-schedule")).toContainText("every 6 h");
  expect(storeRow(`SELECT reconcileScheduleEnabled AS e, reconcileTimeUtc AS t, reconcileEveryHours AS h FROM "Profile" WHERE id = ?`, profileId)).toEqual({ e: 1, t: "03:30", h: 6 });
});
