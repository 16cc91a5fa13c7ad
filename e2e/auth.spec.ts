import { expect, test } from "@playwright/test";
import { ADMIN, ANONYMOUS, unique } from "./support/env";
import { count } from "./support/store";
import { createUser, signIn } from "./support/users";

test.describe("anonymous visitor", () => {
  test.use({ storageState: ANONYMOUS });

  for (const path of ["/", "/organizations", "/profiles", "/failures", "/users"]) {
    test(`${path} lands on sign-in`, async ({ page }) => {
      await page.goto(path);
      await expect(page).toHaveURL(/\/signin/);
      await expect(page.getByRole("heading", { name: "Sign in to dataverse-export" })).toBeVisible();
    });
  }

  test("the user REST route answers 401 without a session", async ({ request }) => {
    const res = await request.get("/api/users");
    expect(res.status()).toBe(401);
    expect((await res.json()).error.code).toBe("Unauthorized");
  });

  test("health answers without a session", async ({ request }) => {
    const res = await request.get("/api/health");
    expect(res.status()).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", store: "ok" });
  });

  test("a wrong password shows a clear error and gives no session", async ({ page, context }) => {
    await page.goto("/signin");
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").filter({ hasText: /\S/ })).toHaveText("Incorrect email or password.");
    await expect(page).toHaveURL(/\/signin/);
    const cookies = await context.cookies();
    expect(cookies.some((c) => c.name.includes("session-token"))).toBe(false);
    const session = await (await page.request.get("/api/auth/session")).json();
    expect(session).toEqual({});
  });

  // A fresh admin, not ADMIN: signing out ends every session of that user (a token version per
  // user), and the other specs share ADMIN's stored session.
  test("admin signs in, sees the dashboard, signs out", async ({ page, playwright }) => {
    const adminApi = await playwright.request.newContext({ baseURL: process.env.E2E_BASE_URL, storageState: process.env.E2E_ADMIN_STATE });
    const admin = await createUser(adminApi, "admin");
    await adminApi.dispose();
    await signIn(page, admin);
    await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
    await expect(page.getByTestId("signed-in-user")).toContainText("admin");
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/signin/);
    await page.goto("/profiles");
    await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fprofiles/);
  });

  // Sign-out revokes the session server-side (a token version per user), not just this browser's
  // cookie: a second browser holding the same user's session cookie is turned away after it.
  test("signing out ends the same user's session in another browser too", async ({ page, browser, playwright }) => {
    const adminApi = await playwright.request.newContext({ baseURL: process.env.E2E_BASE_URL, storageState: process.env.E2E_ADMIN_STATE });
    const admin = await createUser(adminApi, "admin");
    await adminApi.dispose();
    await signIn(page, admin);
    const other = await browser.newContext();
    const otherPage = await other.newPage();
    await signIn(otherPage, admin);
    await otherPage.goto("/profiles");
    await expect(otherPage.getByTestId("signed-in-user")).toContainText("admin");
    const before = await other.request.get("/api/portal/profiles");
    expect(before.status()).toBe(200);

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/signin/);

    // The other browser still sends its (unexpired, validly signed) cookie: the server refuses it.
    expect((await other.cookies()).some((c) => c.name.includes("session-token"))).toBe(true);
    expect((await other.request.get("/api/portal/profiles")).status()).toBe(401);
    await otherPage.goto("/profiles");
    await expect(otherPage).toHaveURL(/\/signin/);
    await other.close();
  });

  test("sign-in comes back to the page first asked for", async ({ page }) => {
    await page.goto("/failures");
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/failures$/);
  });

  test("repeated wrong passwords lock the account with a 'try again in N s' message, unknown accounts too", async ({ page }) => {
    const email = `${unique("nobody")}@e2e.test`;
    await page.goto("/signin");
    const alert = page.getByRole("alert").filter({ hasText: /\S/ });
    for (let i = 0; i <= 5; i++) {
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(`wrong-${i}`);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(alert).toHaveText(i < 5 ? "Incorrect email or password." : /^Too many sign-in attempts\. Try again in \d+ s\.$/);
      await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
    }
  });

  const badSignIns = [
    { name: "empty email", email: "", password: "whatever-pass", field: "Email", message: "Enter an email address." },
    { name: "malformed email", email: "not an email", password: "whatever-pass", field: "Email", message: "Enter a valid email address" },
    { name: "10 kB email", email: `${"a".repeat(10_000)}@e2e.test`, password: "whatever-pass", field: "Email", message: "at most 254 characters" },
    { name: "empty password", email: ADMIN.email, password: "", field: "Password", message: "Enter a password." },
    { name: "10 kB password", email: ADMIN.email, password: "p".repeat(10_000), field: "Password", message: "at most 256 characters" },
  ];
  for (const bad of badSignIns) {
    test(`sign-in with ${bad.name} says what is wrong`, async ({ page }) => {
      await page.goto("/signin");
      await page.getByLabel("Email").fill(bad.email);
      await page.getByLabel("Password").fill(bad.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      const field = page.getByLabel(bad.field);
      await expect(field).toHaveAttribute("aria-invalid", "true");
      await expect(page.locator(`#field-${bad.field.toLowerCase()}-error`)).toContainText(bad.message);
      expect((await page.request.get("/api/auth/session").then((r) => r.json())) ?? {}).toEqual({});
    });
  }

  test("the server refuses a 10 kB email even when the form is bypassed", async ({ page }) => {
    await page.goto("/signin");
    const csrf = (await (await page.request.get("/api/auth/csrf")).json()).csrfToken as string;
    const res = await page.request.post("/api/auth/callback/credentials", {
      form: { csrfToken: csrf, email: `${"a".repeat(10_000)}@e2e.test`, password: "x", json: "true" },
      maxRedirects: 0,
    });
    expect(res.status()).toBeLessThan(500);
    expect(await (await page.request.get("/api/auth/session")).json()).toEqual({});
  });
});

test.describe("users and roles", () => {
  test("an admin creates a viewer on the Users page and that viewer can sign in", async ({ page, browser }) => {
    const email = `${unique("viewer")}@e2e.test`;
    await page.goto("/users");
    const form = page.getByRole("form", { name: "Add a user" });
    await form.getByLabel("Email").fill(email);
    await form.getByLabel("Name (optional)").fill("Vera Viewer");
    await form.getByLabel("Password").fill("a-good-password");
    await form.getByLabel("Role").selectOption("viewer");
    await form.getByRole("button", { name: "Add user" }).click();
    await expect(page.getByRole("status")).toContainText(`${email} can now sign in as viewer`);
    await expect(page.getByTestId(`user-row-${email}`)).toBeVisible();
    expect(count("User", "email = ? AND role = 'viewer'", email)).toBe(1);

    const context = await browser.newContext({ storageState: ANONYMOUS });
    const viewerPage = await context.newPage();
    await signIn(viewerPage, { email, password: "a-good-password" });
    await expect(viewerPage.getByTestId("signed-in-user")).toContainText("viewer");
    await context.close();
  });

  const badUsers = [
    { name: "empty email", email: "", password: "a-good-password", field: "email", message: "Enter an email address." },
    { name: "malformed email", email: "nope@", password: "a-good-password", field: "email", message: "Enter a valid email address" },
    { name: "10 kB email", email: `${"b".repeat(10_000)}@e2e.test`, password: "a-good-password", field: "email", message: "at most 254 characters" },
    { name: "empty password", email: "ok@e2e.test", password: "", field: "password", message: "Enter a password." },
    { name: "short password", email: "ok@e2e.test", password: "short", field: "password", message: "at least 10 characters" },
    { name: "10 kB password", email: "ok@e2e.test", password: "p".repeat(10_000), field: "password", message: "at most 256 characters" },
  ];
  for (const bad of badUsers) {
    test(`the Users form refuses ${bad.name} and writes nothing`, async ({ page }) => {
      const before = count("User");
      await page.goto("/users");
      const form = page.getByRole("form", { name: "Add a user" });
      await form.getByLabel("Email").fill(bad.email);
      await form.getByLabel("Password").fill(bad.password);
      await form.getByRole("button", { name: "Add user" }).click();
      await expect(form.getByRole("alert")).toBeVisible();
      await expect(form.locator(`#field-${bad.field}-error`)).toContainText(bad.message);
      expect(count("User")).toBe(before);
    });
  }

  test("a duplicate email is refused with a clear message", async ({ page, request }) => {
    const existing = await createUser(request, "viewer");
    const before = count("User");
    await page.goto("/users");
    const form = page.getByRole("form", { name: "Add a user" });
    await form.getByLabel("Email").fill(existing.email.toUpperCase());
    await form.getByLabel("Password").fill("a-good-password");
    await form.getByRole("button", { name: "Add user" }).click();
    await expect(form.locator("#field-email-error")).toContainText("already exists");
    expect(count("User")).toBe(before);
  });

  test("the user REST route refuses bad bodies with the field named and writes nothing", async ({ request }) => {
    const before = count("User");
    const malformed = await request.post("/api/users", { headers: { "content-type": "application/json" }, data: Buffer.from("{not json") });
    expect(malformed.status()).toBe(400);
    expect((await malformed.json()).error.message).toContain("not valid JSON");
    const wrongType = await request.post("/api/users", { data: { email: 42, password: "a-good-password", role: "viewer" } });
    expect(wrongType.status()).toBe(400);
    expect((await wrongType.json()).error.fields.email).toBeTruthy();
    const badRole = await request.post("/api/users", { data: { email: "r@e2e.test", password: "a-good-password", role: "root" } });
    expect((await badRole.json()).error.fields.role).toBe("Role must be admin, contributor or viewer.");
    expect(count("User")).toBe(before);
  });
});

test.describe("a viewer", () => {
  test("cannot reach admin-only pages nor run admin-only operations", async ({ request, browser }) => {
    const viewer = await createUser(request, "viewer");
    const context = await browser.newContext({ storageState: ANONYMOUS });
    const page = await context.newPage();
    await signIn(page, viewer);

    await page.goto("/users");
    await expect(page.getByRole("alert").filter({ hasText: /\S/ })).toContainText("Only admins can manage users");
    await expect(page.getByRole("form", { name: "Add a user" })).toHaveCount(0);

    // The server refuses, whatever the page shows: the same operations through the REST routes.
    const before = count("User");
    const create = await page.request.post("/api/users", { data: { email: `${unique("x")}@e2e.test`, password: "a-good-password", role: "admin" } });
    expect(create.status()).toBe(403);
    expect((await create.json()).error.code).toBe("Forbidden");
    const list = await page.request.get("/api/users");
    expect(list.status()).toBe(403);
    const me = count("User", "email = ?", viewer.email);
    const promote = await page.request.patch(`/api/users/${encodeURIComponent("00000000-0000-0000-0000-000000000000")}`, { data: { role: "admin" } });
    expect(promote.status()).toBe(403);
    expect(count("User")).toBe(before);
    expect(me).toBe(1);
    expect(count("User", "email = ? AND role = 'viewer'", viewer.email)).toBe(1);
    await context.close();
  });
});
