// A lake database export through the portal (issue 13): the wizard names a database for a folder
// lake, the worker exports under <lake>/<database>/ and builds the DuckDB database file; the
// profile page offers it and the Synapse script for download (checked against the file the worker
// wrote and the export's tables); removing a table marks it no longer updated; a new database name
// lists the old one as a previous database; an illegal name is refused on the form.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { unique } from "./support/env";
import { acceptDemoPrivacy, demoOrganizationId, storeRow } from "./portal-helpers";

let dir: string;
test.beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-e2e-lakedb-"));
});
test.afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

test("a lake database: wizard, DuckDB file and Synapse script downloads, a removed table, a new database name", async ({ page }) => {
  test.setTimeout(240_000);
  await acceptDemoPrivacy(page);
  const name = unique("Lake database ");
  const lake = path.join(dir, "sales");
  await page.goto("/profiles/new");
  await page.getByLabel("Profile name").fill(name);
  await page.getByLabel("Organization").selectOption(demoOrganizationId());
  await page.getByLabel("Target kind").selectOption("datalake");
  await page.getByLabel("Connection string", { exact: true }).fill(`lake:${lake}`);
  await page.getByLabel("Snapshot interval (minutes)").fill("0");
  await page.getByLabel("Database name (optional)").fill("SalesLake");
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByTestId("table-row-account").getByRole("checkbox").check();
  await page.getByTestId("table-row-contact").getByRole("checkbox").check();
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByTestId("validation-summary")).toHaveText("All checks passed. Go on to the summary.", { timeout: 30_000 });
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Create and activate", exact: true }).click();
  await expect(page).toHaveURL(/\/profiles\/[0-9a-f-]{36}$/);
  const id = page.url().split("/").pop()!;
  expect(storeRow<{ lakeDatabase: string }>(`SELECT lakeDatabase FROM "Profile" WHERE id = ?`, id)).toEqual({ lakeDatabase: "SalesLake" });

  const card = page.getByTestId("lake-database");
  await expect(page.getByTestId("lake-database-name")).toHaveText("SalesLake");
  await expect(card).toContainText(/DuckDB database file built \d{4}-\d{2}-\d{2}/, { timeout: 120_000 });
  expect(fs.existsSync(path.join(lake, "SalesLake", "model.json"))).toBe(true);

  // Downloads: the worker's file, byte for byte; the script names both tables.
  const file = path.join(process.env.E2E_DATA_DIR!, "lake-databases", id, "SalesLake.duckdb");
  const [duck] = await Promise.all([page.waitForEvent("download"), card.getByRole("link", { name: "Download the DuckDB database file" }).click()]);
  expect(duck.suggestedFilename()).toBe("SalesLake.duckdb");
  expect(fs.readFileSync((await duck.path())!).equals(fs.readFileSync(file))).toBe(true);
  const [sql] = await Promise.all([page.waitForEvent("download"), card.getByRole("link", { name: "Download the Synapse serverless SQL script" }).click()]);
  const script = fs.readFileSync((await sql.path())!, "utf8");
  expect(script.match(/CREATE OR ALTER VIEW dbo\.\[(\w+)\]/g)).toEqual(["CREATE OR ALTER VIEW dbo.[account]", "CREATE OR ALTER VIEW dbo.[contact]"]);

  // An illegal name is refused on the form and changes nothing.
  await page.getByRole("link", { name: "Edit" }).click();
  await page.getByLabel("Lake database name").fill("sales-2026");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText(/A database name starts with a letter/).first()).toBeVisible();
  expect(storeRow<{ lakeDatabase: string }>(`SELECT lakeDatabase FROM "Profile" WHERE id = ?`, id)).toEqual({ lakeDatabase: "SalesLake" });

  // Remove contact: kept, marked no longer updated.
  await page.getByLabel("Lake database name").fill("SalesLake");
  await page.getByTestId("table-row-contact").getByRole("checkbox").uncheck();
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page).toHaveURL(new RegExp(`/profiles/${id}$`));
  await expect(page.getByTestId("lake-database-frozen")).toContainText(/contact: no longer updated since \d{4}-\d{2}-\d{2}/);

  // A new database name: the old one is listed as previous; the new folder gets a full export.
  await page.getByRole("link", { name: "Edit" }).click();
  await page.getByLabel("Lake database name").fill("SalesLake2026");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page).toHaveURL(new RegExp(`/profiles/${id}$`));
  await expect(page.getByTestId("lake-database-name")).toHaveText("SalesLake2026");
  await expect(page.getByTestId("lake-database-previous")).toContainText(/SalesLake: stopped \d{4}-\d{2}-\d{2}/);
  await expect.poll(() => fs.existsSync(path.join(lake, "SalesLake2026", "model.json")), { timeout: 120_000 }).toBe(true);
  await expect(card).toContainText(/DuckDB database file built/, { timeout: 120_000 });
});
