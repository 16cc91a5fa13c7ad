// Connections and the contributor role in the portal (issue 13): an admin defines a lake
// connection shared with contributors (bad input is refused with a message, nothing saved); a
// contributor sees its name and type only and creates an export over it with the wizard's "use a
// connection"; the admin cannot remove the connection while the export uses it, detaches the
// export (inactive), then removes the connection.
import path from "node:path";
import { expect, test } from "@playwright/test";
import { ANONYMOUS, E2E, unique } from "./support/env";
import { count } from "./support/store";
import { createUser, signIn } from "./support/users";
import { acceptDemoPrivacy, demoOrganizationId, storeRow } from "./portal-helpers";

test("an admin shares a connection; a contributor exports over it; removal needs the export detached", async ({ page, browser }) => {
  test.setTimeout(300_000);
  await acceptDemoPrivacy(page);
  const name = unique("Analysts lake ");
  const folder = path.join(E2E.dataDir, name.replace(/\W/g, ""));

  const before = count("Connection");
  await page.goto("/connections");
  const form = page.getByRole("form", { name: "Add a connection" });
  await form.getByLabel("Display name").fill("   ");
  await form.getByLabel("Connection string").fill(`lake:${folder}`);
  await form.getByRole("button", { name: "Save connection" }).click();
  await expect(form.locator("#field-name-error")).toHaveText("Enter a display name.");
  await expect(form.locator("#field-agreeToTerms-error")).toContainText("Agree to the data privacy and compliance terms");
  expect(count("Connection")).toBe(before);

  await form.getByLabel("Display name").fill(name);
  await form.getByLabel("Connection string").fill(`lake:${folder}`);
  await form.getByLabel("Who may use it").selectOption("true");
  await form.getByLabel("I agree to the data privacy and compliance terms").check();
  await form.getByRole("button", { name: "Save connection" }).click();
  await expect(page.getByTestId(`connection-${name}`)).toContainText("Admins and contributors");
  await expect(page.getByTestId(`connection-${name}`)).toContainText("admin@e2e.test");

  // The contributor: name and type only, then an export over it.
  const contributor = await createUser(page.request, "contributor");
  const context = await browser.newContext({ storageState: ANONYMOUS });
  const cpage = await context.newPage();
  await signIn(cpage, contributor);
  await cpage.goto("/connections");
  await expect(cpage.getByTestId(`connection-${name}`)).toHaveText(`${name}Data lake`);
  await expect(cpage.getByText(folder)).toHaveCount(0);

  const exportName = unique("Analyst export ");
  await cpage.goto("/profiles/new");
  await cpage.getByLabel("Profile name").fill(exportName);
  await cpage.getByLabel("Organization").selectOption(demoOrganizationId());
  await expect(cpage.getByLabel("Connection string comes from")).toHaveValue("connection");
  await cpage.getByLabel("Connection", { exact: true }).selectOption({ label: `${name} (Data lake)` });
  await expect(cpage.getByLabel("Connection string", { exact: true })).toHaveCount(0);
  await cpage.getByRole("button", { name: "Next" }).click();
  await cpage.getByTestId("table-row-contact").getByRole("checkbox").check();
  await cpage.getByRole("button", { name: "Next" }).click();
  await expect(cpage.getByRole("heading", { name: "Step 3 of 5: Relationships" })).toBeVisible();
  await cpage.getByRole("button", { name: "Next" }).click();
  await expect(cpage.getByTestId("validation-summary")).toHaveText("All checks passed. Go on to the summary.", { timeout: 60_000 });
  await cpage.getByRole("button", { name: "Next" }).click();
  await cpage.getByRole("button", { name: "Create", exact: true }).click();
  await expect(cpage).toHaveURL(/\/profiles\/[0-9a-f-]{36}$/);
  const profileId = cpage.url().split("/").pop()!;
  await expect(cpage.getByText(`the connection "${name}" (data lake)`)).toBeVisible();
  await expect(cpage.getByRole("button", { name: "Delete", exact: true })).toBeVisible();
  await context.close();
  const connectionId = storeRow<{ id: string }>(`SELECT id FROM "Connection" WHERE name = ?`, name)!.id;
  expect(storeRow<{ connectionId: string }>(`SELECT connectionId FROM "Profile" WHERE id = ?`, profileId)?.connectionId).toBe(connectionId);

  // The admin: refused removal, detach, then removal.
  await page.goto(`/connections/${connectionId}`);
  page.on("dialog", (d) => void d.accept());
  await page.getByRole("button", { name: "Remove connection" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Remove or detach it first" })).toContainText(exportName);
  expect(count("Connection", "id = ?", connectionId)).toBe(1);
  await page.getByRole("button", { name: `Detach ${exportName}` }).click();
  await expect(page.getByText("None. The connection can be removed.")).toBeVisible();
  expect(storeRow<{ state: string; connectionId: string | null }>(`SELECT state, connectionId FROM "Profile" WHERE id = ?`, profileId)).toEqual({ state: "inactive", connectionId: null });
  await page.getByRole("button", { name: "Remove connection" }).click();
  await expect(page).toHaveURL(/\/connections$/);
  expect(count("Connection", "id = ?", connectionId)).toBe(0);
});
