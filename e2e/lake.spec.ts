// A data lake profile through the portal (issue 12): the wizard creates a folder lake
// (lake:PATH in a temporary folder), validation writes and removes its probe file, the profile is
// activated, the worker exports into the lake, and the profile page shows the lake's figures
// (last snapshot, snapshots kept, files and bytes written) — checked against the lake itself.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { unique } from "./support/env";
import { count } from "./support/store";
import { acceptDemoPrivacy, demoOrganizationId, storeRow } from "./portal-helpers";

let dir: string;
test.beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-e2e-lake-"));
});
test.afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

test("a folder data lake: wizard, validation, activation, and the lake's figures on the profile page", async ({ page }) => {
  await acceptDemoPrivacy(page);
  const name = unique("Lake ");
  const lake = path.join(dir, "contoso");
  await page.goto("/profiles/new");
  await page.getByLabel("Profile name").fill(name);
  await page.getByLabel("Organization").selectOption(demoOrganizationId());
  await page.getByLabel("Target kind").selectOption("datalake");
  await page.getByLabel("Connection string", { exact: true }).fill(`lake:${lake}`);
  // A snapshot every cycle, so the first one comes right after the initial export.
  await page.getByLabel("Snapshot interval (minutes)").fill("0");
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByTestId("table-row-account").getByRole("checkbox").check();
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByRole("heading", { name: "Step 3 of 5: Relationships" })).toBeVisible();
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByTestId("validation-summary")).toHaveText("All checks passed. Go on to the summary.", { timeout: 30_000 });
  // The probe file was written and removed: validation leaves nothing behind.
  expect(fs.readdirSync(lake)).toEqual([]);
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Create and activate", exact: true }).click();
  await expect(page).toHaveURL(/\/profiles\/[0-9a-f-]{36}$/);
  expect(count("Profile", "name = ? AND destinationType = 'datalake'", name)).toBe(1);

  await expect(page.getByTestId("target-description")).toHaveText(`lake:${lake}`);
  await expect(page.getByTestId("table-status-account").getByTestId("initial-state")).toHaveText("Completed", { timeout: 90_000 });
  const figures = page.getByTestId("lake-figures");
  await expect(figures).toContainText(/last snapshot \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/, { timeout: 60_000 });
  await expect(figures).toContainText(/[1-9]\d* snapshots? kept/);

  // The page's figures are the store's, and the store's are the lake's.
  const row = storeRow<{ lakeSnapshotCount: number; lakeFilesWritten: number; lakeBytesWritten: number }>(
    `SELECT lakeSnapshotCount, lakeFilesWritten, lakeBytesWritten FROM "Profile" WHERE name = ?`, name,
  )!;
  expect(row.lakeFilesWritten).toBeGreaterThan(0);
  expect(row.lakeBytesWritten).toBeGreaterThan(1000);
  await expect(figures).toContainText(`${row.lakeFilesWritten.toLocaleString("en-US")} files`);
  const model = JSON.parse(fs.readFileSync(path.join(lake, "model.json"), "utf8"));
  expect(model).toMatchObject({ name: "cdm", version: "1.0" });
  const account = model.entities.find((e: { name: string }) => e.name === "account");
  expect(account.annotations).toContainEqual({ name: "Athena:InitialSyncState", value: "Completed" });
  expect(account.partitions.length).toBeGreaterThan(0);
  const csvBytes = fs.readdirSync(path.join(lake, "account")).filter((f) => f.endsWith(".csv")).reduce((n, f) => n + fs.statSync(path.join(lake, "account", f)).size, 0);
  expect(csvBytes).toBeGreaterThan(0);
  expect(row.lakeBytesWritten).toBeGreaterThanOrEqual(csvBytes);
  expect(fs.readdirSync(path.join(lake, "account", "Snapshot")).length).toBe(account.partitions.length);
});
