// Organizations: adding an environment checks every field and saves nothing on bad input, keeps
// the client secret write-only, tests connections with a plain answer, and shows privacy status.
import { expect, test } from "@playwright/test";
import { unique } from "./support/env";
import { count } from "./support/store";
import { DEMO, acceptDemoPrivacy, storeRow } from "./portal-helpers";

const GUID_A = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
const GUID_B = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

function good() {
  const host = unique("e2e").toLowerCase();
  return { name: unique("Fabrikam "), url: `https://${host}.crm4.dynamics.com`, tenantId: GUID_A, clientId: GUID_B, clientSecret: `secret-${host}` };
}

async function fill(page: import("@playwright/test").Page, v: Record<string, string>) {
  const form = page.getByRole("form", { name: "Add a Dataverse environment" });
  await form.getByLabel("Name").fill(v.name);
  await form.getByLabel("Environment URL").fill(v.url);
  await form.getByLabel("Tenant id").fill(v.tenantId);
  await form.getByLabel("Client id").fill(v.clientId);
  await form.getByLabel("Client secret", { exact: true }).fill(v.clientSecret);
  await form.getByRole("button", { name: "Add environment" }).click();
}

const bad = [
  { what: "empty name", patch: { name: "" }, field: "name", message: "Enter a name." },
  { what: "too long name", patch: { name: "n".repeat(101) }, field: "name", message: "A name has at most 100 characters." },
  { what: "empty URL", patch: { url: "" }, field: "url", message: "Enter the environment URL." },
  { what: "not a URL", patch: { url: "contoso crm" }, field: "url", message: "Enter a full URL" },
  { what: "http URL", patch: { url: "http://contoso.crm.dynamics.com" }, field: "url", message: "must start with https://" },
  { what: "tenant id with invalid characters", patch: { tenantId: "not-a-guid-zzzz" }, field: "tenantId", message: "The tenant id is a GUID" },
  { what: "empty client id", patch: { clientId: "" }, field: "clientId", message: "Enter the client id." },
  { what: "empty client secret", patch: { clientSecret: "" }, field: "clientSecret", message: "Enter the client secret." },
  { what: "10 kB client secret", patch: { clientSecret: "s".repeat(10_000) }, field: "clientSecret", message: "at most 1000 characters" },
];

for (const b of bad) {
  test(`add environment: ${b.what} is named and nothing is saved`, async ({ page }) => {
    const before = count("Organization");
    await page.goto("/organizations");
    await fill(page, { ...good(), ...b.patch });
    await expect(page.locator(`#field-${b.field}`)).toHaveAttribute("aria-invalid", "true");
    await expect(page.locator(`#field-${b.field}-error`)).toContainText(b.message);
    expect(count("Organization")).toBe(before);
  });
}

test("an added environment is listed without its secret, not accepted, and a duplicate URL is refused", async ({ page }) => {
  const v = good();
  await page.goto("/organizations");
  await fill(page, v);
  await expect(page.getByRole("status").filter({ hasText: `${v.name} was added` })).toBeVisible();
  const row = page.getByTestId(`org-row-${v.name}`);
  await expect(row).toContainText(new URL(v.url).origin);
  await expect(row).toContainText("Not accepted");
  const stored = storeRow<{ enc: string; tenantId: string }>(`SELECT clientSecretEnc AS enc, tenantId FROM "Organization" WHERE name = ?`, v.name)!;
  expect(stored.tenantId).toBe(GUID_A);
  expect(stored.enc).toBeTruthy();
  expect(stored.enc).not.toContain(v.clientSecret);
  await page.reload();
  expect(await page.content()).not.toContain(v.clientSecret);
  const listed = await (await page.request.get("/api/portal/organizations")).text();
  expect(listed).not.toContain(v.clientSecret);
  expect(listed).not.toContain("clientSecretEnc");

  const before = count("Organization");
  await fill(page, { ...good(), url: v.url });
  await expect(page.locator("#field-url-error")).toContainText("already registered");
  expect(count("Organization")).toBe(before);
});

test("testing connections answers in plain words", async ({ page }) => {
  await page.goto("/organizations");
  const demo = page.getByTestId(`org-row-${DEMO}`);
  await demo.getByRole("button", { name: /Test connection/ }).click();
  await expect(demo.getByRole("status")).toContainText("Connected to", { timeout: 30_000 });

  const v = good();
  await fill(page, v);
  const row = page.getByTestId(`org-row-${v.name}`);
  await row.getByRole("button", { name: /Test connection/ }).click();
  const answer = row.getByRole("alert");
  await expect(answer).toBeVisible({ timeout: 45_000 });
  const text = await answer.innerText();
  expect(text.length).toBeGreaterThan(10);
  expect(text).not.toMatch(/\n\s+at |Error:|undefined/);
});

test("the privacy terms page records who accepted and when", async ({ page }) => {
  await acceptDemoPrivacy(page);
  await page.goto("/organizations");
  const demo = page.getByTestId(`org-row-${DEMO}`);
  await expect(demo).toContainText("Accepted");
  await expect(demo).toContainText("by admin@e2e.test");
  // Accepting again keeps the first acceptance.
  const first = storeRow<{ at: number }>(`SELECT privacyAcceptedAt AS at FROM "Organization" WHERE isDemo = 1`)!.at;
  await acceptDemoPrivacy(page);
  expect(storeRow<{ at: number }>(`SELECT privacyAcceptedAt AS at FROM "Organization" WHERE isDemo = 1`)!.at).toBe(first);
});

test("the wizard refuses an organization whose privacy terms are not accepted", async ({ page }) => {
  const v = good();
  await page.goto("/organizations");
  await fill(page, v);
  await expect(page.getByTestId(`org-row-${v.name}`)).toBeVisible();
  await page.goto("/profiles/new");
  await page.getByLabel("Profile name").fill(unique("Blocked "));
  await page.getByLabel("Organization").selectOption({ label: `${v.name} (${new URL(v.url).origin})` });
  await expect(page.getByRole("alert").filter({ hasText: "privacy terms" })).toContainText("not accepted");
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByRole("alert").filter({ hasText: `Accept the privacy terms of ${v.name} first.` })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Step 1 of 5: Properties" })).toBeVisible();
});
