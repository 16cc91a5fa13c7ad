// The audit log: an admin's action (a user added, then their role changed, on the Users page)
// appears on the Audit page with who, what, the object, before → after and the address; the
// filters narrow it (and stay in the URL); the CSV download holds what the filters match and no
// secret; viewers and anonymous callers get nothing.
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import Database from "better-sqlite3";
import { ADMIN, ANONYMOUS, E2E, unique } from "./support/env";
import { createUser, signIn } from "./support/users";
import { seriousViolations } from "./portal-helpers";

test("an admin's change is on the Audit page, filtered and downloaded as CSV", async ({ page, browser }) => {
  test.setTimeout(120_000);
  const email = `${unique("audited")}@e2e.test`;
  const password = "audited-password-123";

  // The admin action, through the portal's own forms.
  await page.goto("/users");
  const form = page.getByRole("form", { name: "Add a user" });
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Password").fill(password);
  await form.getByRole("button", { name: "Add user" }).click();
  const row = page.getByTestId(`user-row-${email}`);
  await expect(row).toBeVisible();
  await row.getByLabel(`Role of ${email}`).selectOption("contributor");
  await expect(row.getByLabel(`Role of ${email}`)).toHaveValue("contributor");

  // On the Audit page, newest first.
  await page.goto("/audit");
  const rows = page.getByTestId("audit-row");
  const change = rows.filter({ hasText: "user.role_change" }).filter({ hasText: email });
  await expect(change).toHaveCount(1);
  await expect(change).toContainText(ADMIN.email);
  await expect(change).toContainText("Changed a user's role");
  await expect(change).toContainText("role: viewer → contributor");
  await expect(change).toContainText("127.0.0.1");
  expect(await seriousViolations(page)).toEqual([]);

  // Filters: the object and one action; then the action's family.
  const apply = () => page.getByRole("button", { name: "Apply filters" }).click();
  await page.getByLabel("Object (id or name)").fill(email);
  await page.getByLabel("Action").selectOption("user.role_change");
  await apply();
  await expect(rows).toHaveCount(1);
  await expect(page).toHaveURL(/action=user\.role_change/);
  await page.getByLabel("Action").selectOption("user");
  await apply();
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1)).toContainText("Created a user");
  // Who: nobody by that name did anything.
  await page.getByLabel("Who (email or token name)").fill("nobody-at-all");
  await apply();
  await expect(page.getByText("No entries")).toBeVisible();
  await page.getByLabel("Who (email or token name)").fill(ADMIN.email);
  // A time range that ends before the change finds nothing; one around it finds both entries.
  await page.getByLabel("To (UTC)").fill("2020-01-01T00:00:00");
  await apply();
  await expect(rows).toHaveCount(0);
  await page.getByLabel("To (UTC)").fill("");
  await page.getByLabel("From (UTC)").fill(new Date(Date.now() - 3_600_000).toISOString().slice(0, 19));
  await apply();
  await expect(rows).toHaveCount(2);

  // The CSV holds exactly what the filters match, oldest first, and no password.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download CSV" }).click()]);
  const csv = fs.readFileSync((await download.path())!, "utf8");
  const lines = csv.trimEnd().split("\r\n");
  expect(lines[0]).toBe("Time (UTC),Actor kind,Actor,Action,Object type,Object id,Object,Before,After,IP");
  expect(lines).toHaveLength(3);
  expect(lines[1]).toContain("user.create");
  expect(lines[2]).toContain("user.role_change");
  expect(lines.slice(1).every((l) => l.includes(email))).toBe(true);
  expect(csv).not.toContain(password);

  // In the store: the entry as recorded.
  const store = new Database(path.join(E2E.dataDir, "portal.db"), { readonly: true });
  try {
    const entry = store.prepare(`SELECT actorKind, actorLabel, "before", "after", ip FROM "AuditEvent" WHERE action = 'user.role_change' AND objectLabel = ?`).get(email);
    expect(entry).toEqual({ actorKind: "user", actorLabel: ADMIN.email, before: '{"role":"viewer"}', after: '{"role":"contributor"}', ip: "127.0.0.1" });
  } finally {
    store.close();
  }

  // A viewer sees neither the entries nor the download; nor does an anonymous caller.
  const viewer = await createUser(page.request, "viewer");
  const viewerContext = await browser.newContext({ storageState: ANONYMOUS });
  const viewerPage = await viewerContext.newPage();
  await signIn(viewerPage, viewer);
  await viewerPage.goto("/audit");
  await expect(viewerPage.getByText("Only admins can read the audit log.")).toBeVisible();
  await expect(viewerPage.getByTestId("audit-row")).toHaveCount(0);
  expect((await viewerPage.request.get("/api/portal/audit")).status()).toBe(403);
  expect((await viewerPage.request.get("/api/portal/audit/download")).status()).toBe(403);
  await viewerContext.close();
  const anonymous = await browser.newContext({ storageState: ANONYMOUS });
  expect((await anonymous.request.get("/api/portal/audit")).status()).toBe(401);
  expect((await anonymous.request.get("/api/portal/audit/download")).status()).toBe(401);
  await anonymous.close();
});
