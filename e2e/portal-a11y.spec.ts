// Automated accessibility scan (axe, WCAG 2.1 A/AA) of every page of the portal: no serious or
// critical violation. "Every page" is checked against the authorization matrix's page list, so a
// new page without a scan here fails this test.
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { PAGES } from "./support/authorization-matrix";
import { ANONYMOUS, unique } from "./support/env";
import { seedOrganizationWithUnreadableSecret } from "./support/organizations";
import { acceptDemoPrivacy, createProfileThroughWizard, demoOrganizationId, seriousViolations } from "./portal-helpers";

test("the portal pages have no serious accessibility violations", async ({ page, browser }) => {
  test.setTimeout(300_000);
  await acceptDemoPrivacy(page);
  const profileId = await createProfileThroughWizard(page, { name: unique("A11y "), tables: ["contact"] });

  // [page file under app/, label, how to open it]
  const pages: [string, string, () => Promise<void>][] = [
    ["(portal)", "dashboard", async () => void (await page.goto("/"))],
    ["(portal)/organizations", "/organizations", async () => void (await page.goto("/organizations"))],
    ["(portal)/organizations/[id]/privacy", "privacy terms", async () => void (await page.goto(`/organizations/${demoOrganizationId()}/privacy`))],
    // A registered organization whose secret cannot be decrypted: the notice and the form.
    ["(portal)/organizations/[id]/edit", "edit organization", async () => void (await page.goto(`/organizations/${seedOrganizationWithUnreadableSecret().id}/edit`))],
    ["(portal)/profiles", "/profiles", async () => void (await page.goto("/profiles"))],
    ["(portal)/users", "/users", async () => void (await page.goto("/users"))],
    ["(portal)/tokens", "/tokens", async () => void (await page.goto("/tokens"))],
    // The worker beside the portal holds the profile created above: a row with a profile link.
    ["(portal)/workers", "/workers", async () => void (await page.goto("/workers"))],
    ["(portal)/api-docs", "/api-docs", async () => void (await page.goto("/api-docs"))],
    ["(portal)/profiles/new",
      "wizard step 1 with errors",
      async () => {
        await page.goto("/profiles/new");
        await page.getByLabel("Profile name").fill("");
        await page.getByRole("button", { name: "Next" }).click();
        await expect(page.locator("#field-name-error")).toBeVisible();
      },
    ],
    ["(portal)/profiles/new",
      "wizard step 2 (tables)",
      async () => {
        await page.getByLabel("Profile name").fill(unique("A11y draft "));
        await page.getByRole("button", { name: "Next" }).click();
        await expect(page.getByTestId("table-row-activitypointer")).toBeVisible();
      },
    ],
    ["(portal)/profiles/[id]",
      "profile detail",
      async () => {
        await page.goto(`/profiles/${profileId}`);
        await page.getByRole("button", { name: "Test" }).click();
        await expect(page.getByTestId("test-summary")).toBeVisible({ timeout: 30_000 });
      },
    ],
    ["(portal)/profiles/[id]/edit", "profile edit", async () => {
      await page.goto(`/profiles/${profileId}/edit`);
      await expect(page.getByTestId("table-row-contact")).toBeVisible();
    }],
    ["(portal)/failures", "/failures", async () => void (await page.goto("/failures"))],
    ["(portal)/audit", "/audit", async () => {
      await page.goto("/audit");
      // The setup's sign-in is recorded: the table is scanned with rows in it.
      await expect(page.getByTestId("audit-row").first()).toBeVisible();
    }],
    ["(portal)/connections", "/connections with an error", async () => {
      await page.goto("/connections");
      await page.getByRole("button", { name: "Save connection" }).click();
      await expect(page.locator("#field-agreeToTerms-error")).toBeVisible();
    }],
    ["(portal)/connections/[id]", "connection detail", async () => {
      const name = unique("A11y connection ");
      const form = page.getByRole("form", { name: "Add a connection" });
      await form.getByLabel("Display name").fill(name);
      await form.getByLabel("Connection string").fill(`lake:${path.join(os.tmpdir(), name.replace(/\W/g, ""))}`);
      await form.getByLabel("I agree to the data privacy and compliance terms").check();
      await form.getByRole("button", { name: "Save connection" }).click();
      await page.getByRole("link", { name }).click();
      await expect(page.getByTestId("connection-target")).toBeVisible();
    }],
  ];
  const found: string[] = [];
  for (const [, label, open] of pages) {
    await open();
    for (const v of await seriousViolations(page)) found.push(`${label}: ${v}`);
  }
  // The sign-in page, as a visitor sees it.
  const visitor = await browser.newContext({ storageState: ANONYMOUS });
  const signin = await visitor.newPage();
  await signin.goto("/signin");
  await expect(signin.getByRole("button", { name: "Sign in" })).toBeVisible();
  for (const v of await seriousViolations(signin)) found.push(`/signin: ${v}`);
  await visitor.close();
  expect(found).toEqual([]);

  const scanned = new Set([...pages.map(([file]) => `app/${file}/page.tsx`), "app/signin/page.tsx"]);
  expect(PAGES.map((p) => p.file).filter((f) => !scanned.has(f)), "pages without an accessibility scan").toEqual([]);
});
