import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { unique } from "./env";

export interface TestUser {
  email: string;
  password: string;
}

/** Creates a user through the admin REST route (the request carries the admin session). */
export async function createUser(request: APIRequestContext, role: "admin" | "contributor" | "viewer"): Promise<TestUser> {
  const user = { email: `${unique(role)}@e2e.test`, password: "viewer-password-123" };
  const res = await request.post("/api/users", { data: { ...user, role, name: `Test ${role}` } });
  expect(res.status(), await res.text()).toBe(201);
  return user;
}

export async function signIn(page: Page, user: TestUser): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-user")).toContainText(user.email);
}
