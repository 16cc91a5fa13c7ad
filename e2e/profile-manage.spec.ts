// Running a profile from its page: list filters, live status, test, re-export of one table,
// metadata-only activation, the edit form (bad input saves nothing; good input applies).
import { expect, test } from "@playwright/test";
import { unique } from "./support/env";
import { count } from "./support/store";
import { acceptDemoPrivacy, createProfileThroughWizard, demoOrganizationId, seriousViolations, storeRow, targetCount, targetFile } from "./portal-helpers";

test("an admin filters, tests, re-exports a table, edits and deactivates a profile", async ({ page }) => {
  test.setTimeout(180_000);
  const browserErrors: string[] = [];
  page.on("pageerror", (err) => browserErrors.push(err.message));
  page.on("console", (msg) => msg.type() === "error" && browserErrors.push(`${msg.text()} (${msg.location().url})`));
  await acceptDemoPrivacy(page);
  const name = unique("Manage ");
  const file = targetFile(unique("manage"));
  const profileId = await createProfileThroughWizard(page, { name, tables: ["contact", "cr0a1_project"], file, activate: true });
  const contact = page.getByTestId("table-status-contact");
  await expect(contact.getByTestId("initial-state")).toHaveText("Completed", { timeout: 90_000 });
  await expect(page.getByTestId("throughput-summary")).toContainText(/[1-9][\d,]* records written/, { timeout: 30_000 });
  // The live page, chart included, passes the accessibility scan too.
  expect(await seriousViolations(page)).toEqual([]);
  const contacts = targetCount(file, "contact");
  expect(contacts).toBeGreaterThan(0);

  // The list shows it under its state and organization, not under others.
  await page.goto("/profiles");
  const row = page.getByTestId(`profile-row-${name}`);
  await expect(row.getByTestId("profile-state")).toHaveText("Active");
  await page.getByLabel("State").selectOption("draft");
  await expect(row).toHaveCount(0);
  await page.getByLabel("State").selectOption("active");
  await expect(row).toBeVisible();
  await page.getByLabel("Organization").selectOption(demoOrganizationId());
  await expect(row).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("State")).toHaveValue("active");
  await expect(row).toBeVisible();
  await row.getByRole("link", { name }).click();

  // Test: every check of the saved profile.
  await page.getByRole("button", { name: "Test" }).click();
  await expect(page.getByTestId("test-summary")).toHaveText("Every check passed.", { timeout: 30_000 });

  // Re-export one table: the worker takes the request and exports it again; rows stay.
  await page.getByRole("button", { name: "Re-sync contact" }).click();
  await expect(page.getByText("Re-export of contact requested")).toBeVisible();
  await expect.poll(() => storeRow<{ r: number }>(`SELECT resyncRequested AS r FROM "ProfileTable" WHERE profileId = ? AND logicalName = 'contact'`, profileId)?.r, { timeout: 60_000 }).toBe(0);
  await expect(contact.getByTestId("initial-state")).toHaveText("Completed", { timeout: 90_000 });
  expect(targetCount(file, "contact")).toBe(contacts);

  // Edit: bad input is named and changes nothing.
  await page.getByRole("link", { name: "Edit" }).click();
  await expect(page.getByTestId("table-row-contact").getByRole("checkbox")).toBeChecked();
  await page.getByLabel("Retry count").fill("99");
  await page.getByLabel("Profile name").fill("");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.locator("#field-retryCount-error")).toContainText("0 to 20");
  await expect(page.locator("#field-name-error")).toContainText("Enter a profile name.");
  expect(storeRow<{ n: string; c: number }>(`SELECT name AS n, retryCount AS c FROM "Profile" WHERE id = ?`, profileId)).toEqual({ n: name, c: 12 });
  // The schema cannot change once the tables exist: the form says so and keeps it read-only.
  await expect(page.getByLabel("Schema")).toHaveAttribute("readonly", "");

  // Good input applies: fewer tables, another retry count.
  await page.getByLabel("Profile name").fill(name);
  await page.getByLabel("Retry count").fill("3");
  await page.getByTestId("table-row-cr0a1_project").getByRole("checkbox").uncheck();
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page).toHaveURL(new RegExp(`/profiles/${profileId}$`));
  expect(storeRow<{ c: number }>(`SELECT retryCount AS c FROM "Profile" WHERE id = ?`, profileId)?.c).toBe(3);
  expect(count("ProfileTable", "profileId = ? AND logicalName = 'cr0a1_project' AND enabled = 0", profileId)).toBe(1);
  await expect(page.getByTestId("table-status-cr0a1_project").getByTestId("table-phase")).toHaveText("Not synced");

  // Metadata only: data export stops, the tables stay.
  await page.getByRole("button", { name: "Activate metadata only" }).click();
  await expect(page.getByText("Metadata activation requested")).toBeVisible();
  await expect.poll(() => storeRow<{ d: number; m: number }>(`SELECT dataActive AS d, metadataActive AS m FROM "Profile" WHERE id = ?`, profileId)).toEqual({ d: 0, m: 1 });
  await expect(contact.getByTestId("table-phase")).toHaveText("Metadata only", { timeout: 30_000 });

  await page.getByRole("button", { name: "Deactivate" }).click();
  await expect(page.getByTestId("profile-state")).toHaveText("Inactive");
  expect(targetCount(file, "contact")).toBe(contacts);
  expect(browserErrors).toEqual([]);

  // A profile that does not exist (or an id that is not one) is a clear page, not an error.
  for (const id of ["00000000-0000-4000-8000-000000000000", "not-an-id"]) {
    const res = await page.goto(`/profiles/${id}`);
    expect(res?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "This profile does not exist" })).toBeVisible();
  }
});
