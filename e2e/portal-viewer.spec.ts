// A viewer sees the portal read-only (a contributor too, for profiles over an admin's own target), and the server refuses a viewer's mutation even when the
// page is bypassed: server actions captured from an admin's page are replayed with a viewer's
// session and must change nothing.
import { expect, test } from "@playwright/test";
import { ANONYMOUS, unique } from "./support/env";
import { count } from "./support/store";
import { createUser, signIn } from "./support/users";
import { acceptDemoPrivacy, captureServerAction, createProfileThroughWizard, replayAction, storeRow } from "./portal-helpers";

test("a viewer cannot change profiles or privacy terms, even by calling the server directly", async ({ page, browser }) => {
  test.setTimeout(240_000);
  await acceptDemoPrivacy(page);
  const name = unique("Viewer target ");
  const profileId = await createProfileThroughWizard(page, { name, tables: ["contact"] });

  // Captured from the admin's own pages (aborted before they reach the server).
  const activate = await captureServerAction(page, () => page.getByRole("button", { name: "Activate", exact: true }).click());
  await page.reload();
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  const remove = await captureServerAction(page, () => page.getByRole("button", { name: "Delete profile" }).click());

  await page.goto("/organizations");
  const org = { name: unique("Northwind "), url: `https://${unique("nw").toLowerCase()}.crm.dynamics.com` };
  const form = page.getByRole("form", { name: "Add a Dataverse environment" });
  await form.getByLabel("Name").fill(org.name);
  await form.getByLabel("Environment URL").fill(org.url);
  await form.getByLabel("Tenant id").fill("3f2504e0-4f89-41d3-9a0c-0305e82c3301");
  await form.getByLabel("Client id").fill("7c9e6679-7425-40de-944b-e07fc1f90ae7");
  await form.getByLabel("Client secret", { exact: true }).fill("s3cret");
  await form.getByRole("button", { name: "Add environment" }).click();
  await page.getByTestId(`org-row-${org.name}`).getByRole("link", { name: /privacy terms/ }).click();
  const accept = await captureServerAction(page, () => page.getByRole("button", { name: "I accept the privacy terms" }).click());

  const viewer = await createUser(page.request, "viewer");
  const context = await browser.newContext({ storageState: ANONYMOUS });
  const viewerPage = await context.newPage();
  await signIn(viewerPage, viewer);

  const profileBefore = storeRow(`SELECT state, version, metadataActive, dataActive FROM "Profile" WHERE id = ?`, profileId);
  for (const action of [activate, remove]) {
    expect(await replayAction(viewerPage.request, action)).toContain("Only admins and contributors can change export profiles.");
  }
  expect(await replayAction(viewerPage.request, accept)).toContain("Only admins can do this.");

  // A contributor may change profiles, but not this one: its target was typed in by an admin
  // (no connection shared with contributors). Privacy terms stay an admin's.
  const contributor = await createUser(page.request, "contributor");
  const contributorContext = await browser.newContext({ storageState: ANONYMOUS });
  const contributorPage = await contributorContext.newPage();
  await signIn(contributorPage, contributor);
  for (const action of [activate, remove]) {
    expect(await replayAction(contributorPage.request, action)).toContain("Only admins can change this profile: its target is not a connection shared with contributors.");
  }
  expect(await replayAction(contributorPage.request, accept)).toContain("Only admins can do this.");
  await contributorPage.goto(`/profiles/${profileId}`);
  await expect(contributorPage.getByRole("heading", { name })).toBeVisible();
  for (const label of ["Activate", "Deactivate", "Delete"]) await expect(contributorPage.getByRole("button", { name: label, exact: true })).toHaveCount(0);
  await contributorContext.close();
  expect(storeRow(`SELECT state, version, metadataActive, dataActive FROM "Profile" WHERE id = ?`, profileId)).toEqual(profileBefore);
  expect(count("Profile", "id = ?", profileId)).toBe(1);
  expect(storeRow<{ at: unknown }>(`SELECT privacyAcceptedAt AS at FROM "Organization" WHERE name = ?`, org.name)?.at).toBeNull();

  // The same calls work for the admin: the replay is a real call, not one that always fails.
  expect(await replayAction(page.request, activate)).not.toContain("Only admins");
  await expect.poll(() => storeRow<{ dataActive: number }>(`SELECT dataActive FROM "Profile" WHERE id = ?`, profileId)?.dataActive).toBe(1);

  // The pages show a viewer no mutation controls.
  await viewerPage.goto(`/profiles/${profileId}`);
  await expect(viewerPage.getByRole("heading", { name })).toBeVisible();
  await expect(viewerPage.getByRole("button", { name: "Test" })).toBeVisible();
  for (const label of ["Activate", "Deactivate", "Delete"]) await expect(viewerPage.getByRole("button", { name: label, exact: true })).toHaveCount(0);
  await viewerPage.goto("/organizations");
  await expect(viewerPage.getByRole("form", { name: "Add a Dataverse environment" })).toHaveCount(0);
  await viewerPage.goto("/profiles/new");
  await expect(viewerPage.getByRole("alert").filter({ hasText: "Only admins and contributors can create export profiles." })).toBeVisible();
  await context.close();

  // Clean up: deactivate so the worker does not keep syncing this profile for later tests.
  await page.goto(`/profiles/${profileId}`);
  await page.getByRole("button", { name: "Deactivate" }).click();
  await expect(page.getByTestId("profile-state")).toHaveText("Inactive");
});
