// An organization whose stored client secret cannot be decrypted (another encryption key, a store
// copied without it) answers a clear 409 that says where to re-enter it — not a 500 — and the
// Edit organization form takes the secret again.
import { expect, test } from "@playwright/test";
import { storeRow } from "./portal-helpers";
import { UNREADABLE_SECRET, seedOrganizationWithUnreadableSecret } from "./support/organizations";

test("an unreadable client secret: 409 with the way out, then re-entered on the Edit organization form", async ({ page }) => {
  const org = seedOrganizationWithUnreadableSecret();

  // The table listing (wizard, REST) says what is wrong and where to fix it.
  const tables = await page.request.get(`/api/portal/organizations/${org.id}/tables`);
  expect(tables.status()).toBe(409);
  const body = (await tables.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe("SecretUnreadable");
  expect(body.error.message).toContain(`The client secret of ${org.name} cannot be decrypted`);
  expect(body.error.message).toContain(`/organizations/${org.id}/edit`);

  // The list flags it and links to the form.
  await page.goto("/organizations");
  const row = page.getByTestId(`org-row-${org.name}`);
  await expect(row).toContainText("Client secret unreadable");
  await row.getByRole("link", { name: /Edit: enter the client secret again/ }).click();
  await expect(page).toHaveURL(new RegExp(`/organizations/${org.id}/edit$`));
  await expect(page.getByRole("heading", { name: `Edit organization — ${org.name}` })).toBeVisible();
  await expect(page.getByRole("alert").filter({ hasText: "cannot be decrypted" })).toBeVisible();

  // Saving without a secret is refused while the stored one is unreadable; nothing changes.
  const form = page.getByRole("form", { name: "App registration" });
  await form.getByLabel("Name").fill(`${org.name} renamed`);
  await form.getByRole("button", { name: "Save organization" }).click();
  await expect(page.locator("#field-clientSecret-error")).toContainText("Enter the client secret again.");
  expect(storeRow<{ name: string; enc: string }>(`SELECT name, clientSecretEnc AS enc FROM "Organization" WHERE id = ?`, org.id)).toEqual({ name: org.name, enc: UNREADABLE_SECRET });

  // With the secret it is saved, encrypted, and readable again.
  await form.getByLabel("Name").fill(`${org.name} renamed`);
  await form.getByLabel("Client secret", { exact: true }).fill("a-new-client-secret");
  await form.getByRole("button", { name: "Save organization" }).click();
  await expect(page.getByRole("status").filter({ hasText: `${org.name} renamed was saved` })).toBeVisible();
  await expect(page.getByRole("alert").filter({ hasText: "cannot be decrypted" })).toHaveCount(0);
  const saved = storeRow<{ name: string; enc: string }>(`SELECT name, clientSecretEnc AS enc FROM "Organization" WHERE id = ?`, org.id)!;
  expect(saved.name).toBe(`${org.name} renamed`);
  expect(saved.enc).not.toBe(UNREADABLE_SECRET);
  expect(saved.enc).not.toContain("a-new-client-secret");
  const listed = (await (await page.request.get("/api/portal/organizations")).json()) as { id: string; secretReadable: boolean }[];
  expect(listed.find((o) => o.id === org.id)?.secretReadable).toBe(true);
  expect(JSON.stringify(listed)).not.toContain("a-new-client-secret");
});
