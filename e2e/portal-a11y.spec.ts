// Automated accessibility scan (axe, WCAG 2.1 A/AA) of every page of the admin journey:
// no serious or critical violation.
import { expect, test } from "@playwright/test";
import { unique } from "./support/env";
import { acceptDemoPrivacy, createProfileThroughWizard, demoOrganizationId, seriousViolations } from "./portal-helpers";

test("the portal pages have no serious accessibility violations", async ({ page }) => {
  test.setTimeout(120_000);
  await acceptDemoPrivacy(page);
  const profileId = await createProfileThroughWizard(page, { name: unique("A11y "), tables: ["contact"] });

  const pages: [string, () => Promise<void>][] = [
    ["/organizations", async () => void (await page.goto("/organizations"))],
    ["privacy terms", async () => void (await page.goto(`/organizations/${demoOrganizationId()}/privacy`))],
    ["/profiles", async () => void (await page.goto("/profiles"))],
    [
      "wizard step 1 with errors",
      async () => {
        await page.goto("/profiles/new");
        await page.getByLabel("Profile name").fill("");
        await page.getByRole("button", { name: "Next" }).click();
        await expect(page.locator("#field-name-error")).toBeVisible();
      },
    ],
    [
      "wizard step 2 (tables)",
      async () => {
        await page.getByLabel("Profile name").fill(unique("A11y draft "));
        await page.getByRole("button", { name: "Next" }).click();
        await expect(page.getByTestId("table-row-activitypointer")).toBeVisible();
      },
    ],
    [
      "profile detail",
      async () => {
        await page.goto(`/profiles/${profileId}`);
        await page.getByRole("button", { name: "Test" }).click();
        await expect(page.getByTestId("test-summary")).toBeVisible({ timeout: 30_000 });
      },
    ],
    ["profile edit", async () => {
      await page.goto(`/profiles/${profileId}/edit`);
      await expect(page.getByTestId("table-row-contact")).toBeVisible();
    }],
    ["/failures", async () => void (await page.goto("/failures"))],
  ];
  const found: string[] = [];
  for (const [label, open] of pages) {
    await open();
    for (const v of await seriousViolations(page)) found.push(`${label}: ${v}`);
  }
  expect(found).toEqual([]);
});
