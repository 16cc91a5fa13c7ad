// The new-profile wizard: bad input at each step says what is wrong and saves nothing, a
// duplicate name sends the admin back to the name, an organization without accepted privacy
// terms cannot be used, and the whole wizard works with the keyboard alone.
import { expect, test, type Locator, type Page } from "@playwright/test";
import { unique } from "./support/env";
import { count } from "./support/store";
import { acceptDemoPrivacy, createProfileThroughWizard } from "./portal-helpers";

test.beforeEach(async ({ page }) => {
  await acceptDemoPrivacy(page);
});

const badProperties = [
  { what: "empty name", field: "Profile name", value: "", message: "Enter a profile name." },
  { what: "too long name", field: "Profile name", value: "n".repeat(101), message: "A profile name has at most 100 characters." },
  { what: "schema with invalid characters", field: "Schema", value: "dbo;drop", message: "A schema name may hold only letters and digits." },
  { what: "empty schema", field: "Schema", value: "", message: "Enter a schema name (the default is dbo)." },
  { what: "prefix of 15 characters", field: "Table name prefix (optional)", value: "p".repeat(15), message: "A prefix must be under 15 characters." },
  { what: "prefix with invalid characters", field: "Table name prefix (optional)", value: "my-prefix", message: "A prefix may hold only letters and digits." },
  { what: "retry count 21", field: "Retry count", value: "21", message: "Retry count must be a whole number from 0 to 20." },
  { what: "retry count not a number", field: "Retry count", value: "ten", message: "Retry count must be a whole number from 0 to 20." },
  { what: "retry interval 3601", field: "Retry interval (seconds)", value: "3601", message: "Retry interval must be a whole number from 0 to 3600 seconds." },
  { what: "empty connection string", field: "Connection string", value: "", message: "Give the target's connection string" },
];

for (const bad of badProperties) {
  test(`properties: ${bad.what} is named and blocks the next step`, async ({ page }) => {
    const before = count("Profile");
    await page.goto("/profiles/new");
    await page.getByLabel("Profile name").fill(unique("Bad "));
    await page.getByLabel(bad.field, { exact: true }).fill(bad.value);
    await page.getByRole("button", { name: "Next" }).click();
    const field = page.getByLabel(bad.field, { exact: true });
    await expect(field).toHaveAttribute("aria-invalid", "true");
    await expect(page.locator(`#${await field.getAttribute("id")}-error`)).toContainText(bad.message);
    await expect(page.getByRole("heading", { name: "Step 1 of 5: Properties" })).toBeVisible();
    expect(count("Profile")).toBe(before);
  });
}

test("tables: none chosen blocks the next step", async ({ page }) => {
  await page.goto("/profiles/new");
  await page.getByLabel("Profile name").fill(unique("No tables "));
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Select all" }).click();
  await page.getByRole("button", { name: "Select none" }).click();
  await expect(page.getByTestId("tables-selected")).toHaveText("0 selected");
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Choose at least one table." })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Step 2 of 5: Tables" })).toBeVisible();
});

test("tables: select all never selects a table without change tracking; sorting by rows works", async ({ page }) => {
  await page.goto("/profiles/new");
  await page.getByLabel("Profile name").fill(unique("All tables "));
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Select all" }).click();
  await expect(page.getByTestId("table-row-activitypointer").getByRole("checkbox")).not.toBeChecked();
  await expect(page.getByTestId("table-row-account").getByRole("checkbox")).toBeChecked();
  await page.getByRole("button", { name: /Rows \(approx\.\)/ }).click();
  await expect(page.getByRole("columnheader", { name: /Rows/ })).toHaveAttribute("aria-sort", "ascending");
  await page.getByRole("button", { name: /Rows \(approx\.\)/ }).click();
  await expect(page.getByRole("columnheader", { name: /Rows/ })).toHaveAttribute("aria-sort", "descending");
  // The biggest tables (account, contact: N rows each) come first.
  await expect(page.locator('tbody tr[data-testid^="table-row-"]').first()).toHaveAttribute("data-testid", /table-row-(account|contact)$/);
});

test("a duplicate name sends the admin back to the name, and nothing more is saved", async ({ page }) => {
  const name = unique("Duplicate ");
  await createProfileThroughWizard(page, { name, tables: ["contact"] });
  expect(count("Profile", "name = ?", name)).toBe(1);
  const total = count("Profile");
  await page.goto("/profiles/new");
  await page.getByLabel("Profile name").fill(name);
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByTestId("table-row-contact").getByRole("checkbox").check();
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByTestId("validation-summary")).toHaveText("All checks passed. Go on to the summary.", { timeout: 30_000 });
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Create", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Step 1 of 5: Properties" })).toBeVisible();
  await expect(page.locator("#field-name-error")).toContainText(`A profile named "${name}" already exists`);
  expect(count("Profile")).toBe(total);
});

async function tabTo(page: Page, target: Locator, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if (await target.evaluate((el) => el === document.activeElement)) return;
  }
  throw new Error(`Tab never reached ${target}`);
}

test("the wizard can be completed with the keyboard alone", async ({ page }) => {
  const name = unique("Keyboard ");
  await page.goto("/profiles/new");
  await tabTo(page, page.getByLabel("Profile name"));
  await page.keyboard.type(name);
  // Enter submits the step (the default SQLite target beside the portal store is kept).
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Step 2 of 5: Tables" })).toBeFocused();
  await tabTo(page, page.getByLabel("Search tables"));
  await page.keyboard.type("contact");
  // Enter in the search box filters; it does not leave the step.
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Step 2 of 5: Tables" })).toBeVisible();
  await tabTo(page, page.getByTestId("table-row-contact").getByRole("checkbox"));
  await page.keyboard.press("Space");
  await expect(page.getByTestId("tables-selected")).toHaveText("1 selected");
  await tabTo(page, page.getByRole("button", { name: "Next" }));
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Step 3 of 5: Relationships" })).toBeFocused();
  await tabTo(page, page.getByRole("button", { name: "Next" }));
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("validation-summary")).toHaveText("All checks passed. Go on to the summary.", { timeout: 30_000 });
  await tabTo(page, page.getByRole("button", { name: "Next" }));
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Step 5 of 5: Summary" })).toBeFocused();
  await tabTo(page, page.getByRole("button", { name: "Create", exact: true }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/profiles\/[0-9a-f-]{36}$/);
  expect(count("Profile", "name = ? AND state = 'draft'", name)).toBe(1);
});
