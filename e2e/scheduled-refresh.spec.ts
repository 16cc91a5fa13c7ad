// A data lake export refreshed on a schedule, through the portal: the wizard's Refresh option
// (a bad cron is named and nothing is created), the profile page's Scheduled refresh card (next run,
// no run before it is due), Run now → a run in the history with its rows, checked in the store and
// in the lake; the edit form changes the schedule.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { unique } from "./support/env";
import { count } from "./support/store";
import { acceptDemoPrivacy, demoOrganizationId, storeRow } from "./portal-helpers";

let dir: string;
test.beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-e2e-sched-"));
});
test.afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

test("a scheduled lake export: wizard schedule, Run now, run history, edit", async ({ page }) => {
  test.setTimeout(240_000);
  await acceptDemoPrivacy(page);
  const name = unique("Scheduled lake ");
  const lake = path.join(dir, "lake");
  await page.goto("/profiles/new");
  await page.getByLabel("Profile name").fill(name);
  await page.getByLabel("Organization").selectOption(demoOrganizationId());
  await page.getByLabel("Target kind").selectOption("datalake");
  await page.getByLabel("Connection string", { exact: true }).fill(`lake:${lake}`);
  await page.getByRole("combobox", { name: "Refresh" }).selectOption("cron");
  await page.getByLabel("Cron expression (UTC)").fill("0 25 * * *");
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByText(/not a cron expression: Invalid value for hour/)).toBeVisible();
  expect(count("Profile", "name = ?", name)).toBe(0);

  await page.getByRole("combobox", { name: "Refresh" }).selectOption("hours");
  await page.getByLabel("Hours between runs").fill("24");
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByTestId("table-row-account").getByRole("checkbox").check();
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByRole("heading", { name: "Step 3 of 5: Relationships" })).toBeVisible();
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByTestId("validation-summary")).toHaveText("All checks passed. Go on to the summary.", { timeout: 30_000 });
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Create and activate", exact: true }).click();
  await expect(page).toHaveURL(/\/profiles\/[0-9a-f-]{36}$/);
  const profileId = page.url().split("/").pop()!;
  expect(storeRow<{ refreshMode: string; refreshEveryHours: number }>(`SELECT refreshMode, refreshEveryHours FROM "Profile" WHERE id = ?`, profileId)).toEqual({ refreshMode: "hours", refreshEveryHours: 24 });

  await expect(page.getByTestId("refresh-schedule")).toContainText("every 24 hours");
  await expect(page.getByTestId("refresh-next")).toHaveText(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/);
  await expect(page.getByTestId("refresh-no-runs")).toBeVisible();
  // Not due for 24 hours: the worker has the export but exports nothing.
  expect(count("RefreshRun", `"profileId" = ?`, profileId)).toBe(0);
  expect(fs.existsSync(path.join(lake, "model.json"))).toBe(false);

  await page.getByRole("button", { name: "Run now" }).click();
  await expect(page.getByText("Run requested: the worker")).toBeVisible();
  const row = page.getByTestId("refresh-run").first();
  await expect(row).toContainText("Succeeded", { timeout: 120_000 });
  await expect(row).toContainText("Run now (admin@e2e.test)");
  const run = storeRow<{ result: string; rowsWritten: number; trigger: string }>(`SELECT result, rowsWritten, "trigger" FROM "RefreshRun" WHERE "profileId" = ?`, profileId)!;
  expect(run).toMatchObject({ result: "succeeded", trigger: "manual" });
  expect(run.rowsWritten).toBeGreaterThan(0);
  await expect(row).toContainText(run.rowsWritten.toLocaleString("en-US"));
  expect(fs.existsSync(path.join(lake, "model.json"))).toBe(true);

  await page.getByRole("link", { name: "Edit" }).first().click();
  await page.getByRole("combobox", { name: "Refresh" }).selectOption("cron");
  await page.getByLabel("Cron expression (UTC)").fill("30 2 * * *");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page).toHaveURL(new RegExp(`/profiles/${profileId}$`));
  await expect(page.getByTestId("refresh-schedule")).toContainText("cron 30 2 * * * (UTC)");
  await expect(page.getByTestId("refresh-next")).toHaveText(/\d{4}-\d{2}-\d{2} 02:30:00 UTC/);
});
