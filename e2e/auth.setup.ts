import { expect, test as setup } from "@playwright/test";
import { ADMIN } from "./support/env";

// Signs the admin in once; the other tests start from this saved session.
setup("admin signs in", async ({ page }) => {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await page.context().storageState({ path: process.env.E2E_ADMIN_STATE ?? "e2e/.auth/admin.json" });
});
