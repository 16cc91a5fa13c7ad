// API tokens in the browser (issue 6): an admin creates one, sees it once, a script uses it against
// the REST API with the role it was given, and revoking it in the page stops it at once. Viewers
// cannot manage tokens, not even by replaying the page's server action. The API page lists every
// operation. No serious accessibility violations.
import { expect, test } from "@playwright/test";
import { ANONYMOUS, unique } from "./support/env";
import { count, openStore } from "./support/store";
import { createUser, signIn } from "./support/users";
import { captureServerAction, replayAction, seriousViolations, storeRow } from "./portal-helpers";

test("an admin creates a token shown once, scripts use it with its role, revoking stops it", async ({ page, request }) => {
  const name = unique("ci-");
  await page.goto("/tokens");
  await expect(page.getByRole("heading", { name: "API tokens", level: 1 })).toBeVisible();

  // Bad input: the field says why and nothing is saved.
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.locator("#field-name-error")).toHaveText(/Enter a name/);

  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Role").selectOption("viewer");
  await page.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByTestId("new-token").textContent())!.trim();
  expect(token).toMatch(/^dvx_/);
  const row = page.getByRole("row").filter({ has: page.getByRole("cell", { name, exact: true }) });
  await expect(row).toContainText("viewer");
  await expect(row).toContainText("active");

  // Only a hash is stored, and the token is not shown again.
  const stored = storeRow<{ tokenHash: string; prefix: string }>(`SELECT tokenHash, prefix FROM ApiToken WHERE name = ?`, name)!;
  expect(stored.tokenHash).not.toContain(token);
  expect(token.startsWith(stored.prefix)).toBe(true);
  const store = openStore();
  try {
    expect(JSON.stringify(store.prepare("SELECT * FROM ApiToken").all())).not.toContain(token);
  } finally {
    store.close();
  }
  await page.reload();
  await expect(page.getByText(token)).toHaveCount(0);

  const auth = { Authorization: `Bearer ${token}` };
  const orgs = await request.get("/crm/exporter/metadata/organizations", { headers: auth });
  expect(orgs.status()).toBe(200);
  expect(((await orgs.json()) as { OrganizationName: string }[]).map((o) => o.OrganizationName)).toContain("Contoso (demo)");
  const write = await request.post("/crm/exporter/profiles", { headers: auth, data: { Name: "nope" } });
  expect(write.status()).toBe(403);
  expect(((await write.json()) as { error: { code: string } }).error.code).toBe("Forbidden");
  const anonymous = await request.get("/crm/exporter/profiles");
  expect(anonymous.status()).toBe(401);

  page.once("dialog", (d) => void d.accept());
  await page.getByRole("button", { name: `Revoke ${name}` }).click();
  await expect(page.getByText(`The token "${name}" is revoked.`)).toBeVisible();
  await expect(row).toContainText("revoked");
  const after = await request.get("/crm/exporter/metadata/organizations", { headers: auth });
  expect(after.status()).toBe(401);
  expect(((await after.json()) as { error: { message: string } }).error.message).toMatch(/revoked/);
});

test("a viewer cannot create tokens, even by calling the server directly", async ({ page, browser }) => {
  const name = unique("captured-");
  await page.goto("/tokens");
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Role").selectOption("admin");
  const create = await captureServerAction(page, () => page.getByRole("button", { name: "Create token" }).click());

  const viewer = await createUser(page.request, "viewer");
  const context = await browser.newContext({ storageState: ANONYMOUS });
  const viewerPage = await context.newPage();
  await signIn(viewerPage, viewer);
  await viewerPage.goto("/tokens");
  await expect(viewerPage.getByText(/Only admins can create or revoke API tokens/)).toBeVisible();
  await expect(viewerPage.getByRole("button", { name: "Create token" })).toHaveCount(0);
  expect(await replayAction(viewerPage.request, create)).toContain("Only admins can do this.");
  expect(count("ApiToken", "name = ?", name)).toBe(0);
  // The same call works for the admin: the replay is a real call.
  expect(await replayAction(page.request, create)).toContain("dvx_");
  expect(count("ApiToken", "name = ? AND role = 'admin'", name)).toBe(1);
  await context.close();
});

test("the API page lists every operation of the OpenAPI document", async ({ page, request }) => {
  const doc = (await (await request.get("/crm/exporter/swagger.json")).json()) as { paths: Record<string, Record<string, unknown>> };
  const operations = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
  await page.goto("/api-docs");
  await expect(page.getByRole("heading", { name: "REST API", level: 1 })).toBeVisible();
  await expect(page.locator("li[id]")).toHaveCount(operations);
  await expect(page.getByText("/crm/exporter/profiles/{id}/activate", { exact: true })).toBeVisible();
  await page.getByRole("link", { name: "API tokens" }).first().click();
  await expect(page).toHaveURL(/\/tokens$/);
});

test("the API pages have no serious accessibility violations", async ({ page }) => {
  for (const path of ["/tokens", "/api-docs"]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    expect(await seriousViolations(page), path).toEqual([]);
  }
});
