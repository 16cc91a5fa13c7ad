// The wizard's Format option (issue 14): a folder data lake in Delta format. The wizard shows the
// Delta settings only for that format, the profile is stored with them, the worker writes a Delta
// table (protocol reader 1 / writer 2, Parquet under PartitionId=…), and the profile page's Delta
// figures (version, live files) are the store's and the log's.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { unique } from "./support/env";
import { acceptDemoPrivacy, demoOrganizationId, storeRow } from "./portal-helpers";

let dir: string;
test.beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-e2e-delta-"));
});
test.afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

test("Format: Delta Lake — settings shown for it only, stored, and the worker writes a Delta table the profile page describes", async ({ page }) => {
  await acceptDemoPrivacy(page);
  const name = unique("Delta ");
  const lake = path.join(dir, "contoso");
  await page.goto("/profiles/new");
  await page.getByLabel("Profile name").fill(name);
  await page.getByLabel("Organization").selectOption(demoOrganizationId());
  await page.getByLabel("Target kind").selectOption("datalake");
  await page.getByLabel("Connection string", { exact: true }).fill(`lake:${lake}`);
  await expect(page.getByLabel("Compaction interval (minutes)")).toHaveCount(0);
  await page.getByLabel("Format").selectOption("delta");
  await page.getByLabel("Compaction interval (minutes)").fill("30");
  await page.getByLabel("Retention (hours)").fill("48");
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByTestId("table-row-account").getByRole("checkbox").check();
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByRole("heading", { name: "Step 3 of 5: Relationships" })).toBeVisible();
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByTestId("validation-summary")).toHaveText("All checks passed. Go on to the summary.", { timeout: 30_000 });
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Create and activate", exact: true }).click();
  await expect(page).toHaveURL(/\/profiles\/[0-9a-f-]{36}$/);
  const stored = storeRow<{ lakeFormat: string; lakeDeltaCompactMinutes: number; lakeDeltaRetentionHours: number }>(
    `SELECT lakeFormat, lakeDeltaCompactMinutes, lakeDeltaRetentionHours FROM "Profile" WHERE name = ?`, name,
  )!;
  expect(stored).toEqual({ lakeFormat: "delta", lakeDeltaCompactMinutes: 30, lakeDeltaRetentionHours: 48 });

  await expect(page.getByTestId("table-status-account").getByTestId("initial-state")).toHaveText("Completed", { timeout: 90_000 });
  const figures = page.getByTestId("delta-figures");
  await expect(figures).toContainText(/version [1-9]\d* · [1-9]\d* live files/, { timeout: 60_000 });

  // The log: version 0 holds protocol 1/2; the live files it names exist, as many as the page says.
  const table = path.join(lake, "deltalake", "account_partitioned");
  const log = path.join(table, "_delta_log");
  const commits = fs.readdirSync(log).filter((f) => /^\d{20}\.json$/.test(f)).sort();
  const actions = commits.flatMap((f) => fs.readFileSync(path.join(log, f), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)));
  expect(actions.find((a) => a.protocol)?.protocol).toEqual({ minReaderVersion: 1, minWriterVersion: 2 });
  const live = new Set<string>();
  for (const a of actions) {
    if (a.add) live.add(decodeURIComponent(a.add.path));
    if (a.remove) live.delete(decodeURIComponent(a.remove.path));
  }
  for (const p of live) expect(fs.existsSync(path.join(table, p)), p).toBe(true);
  const row = storeRow<{ lakeDeltaVersion: number; lakeDeltaFiles: number }>(`SELECT lakeDeltaVersion, lakeDeltaFiles FROM "Profile" WHERE name = ?`, name)!;
  await expect(figures).toContainText(`version ${row.lakeDeltaVersion} · ${row.lakeDeltaFiles.toLocaleString("en-US")} live files`);
  if (row.lakeDeltaVersion === commits.length - 1) expect(live.size).toBe(row.lakeDeltaFiles);
});
