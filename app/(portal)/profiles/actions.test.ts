// The profile and organization server actions check the session and the role themselves: an
// anonymous or viewer call is refused on the server and changes nothing, whatever the page showed.
// An admin's bad input comes back as messages per field, and nothing is saved.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { freshActionStore } from "@/lib/testing/action-store";

const session = vi.hoisted(() => ({ current: null as null | { user: { id: string } } }));
vi.mock("next-auth", async (importOriginal) => ({
  ...(await importOriginal<typeof import("next-auth")>()),
  getServerSession: async () => session.current,
}));

const store = await freshActionStore("profile-actions");
const { db, dir, adminId, viewerId, contributorId } = store;
const { encryptSecret } = await import("@/lib/secrets");
const newActions = await import("./new/actions");
const profileActions = { ...(await import("./[id]/actions")), ...(await import("./[id]/edit/actions")) };
const orgActions = { ...(await import("../organizations/actions")), ...(await import("../organizations/[id]/privacy/actions")) };

let orgId = "";
let profileId = "";
const target = `sqlite:${path.join(dir, "target.db")}`;

function input(overrides: Record<string, unknown> = {}) {
  return { name: "Sales copy", organizationId: orgId, destinationType: "sqlite", connectionString: target, tables: ["account"], relationships: [], ...overrides };
}

async function snapshot() {
  const profiles = await db.profile.findMany({
    select: { name: true, state: true, version: true, metadataActive: true, dataActive: true, resyncFailedRequested: true, retryCount: true },
    orderBy: { name: "asc" },
  });
  const tables = await db.profileTable.findMany({ select: { logicalName: true, enabled: true, resyncRequested: true }, orderBy: { logicalName: "asc" } });
  const orgs = await db.organization.findMany({ select: { name: true, privacyAcceptedAt: true }, orderBy: { name: "asc" } });
  return { profiles, tables, orgs };
}

beforeAll(async () => {
  // An unreachable source is fine: none of these actions reads Dataverse.
  orgId = (await db.organization.create({ data: { name: "Contoso", url: "https://contoso.crm.dynamics.com", staticTokenEnc: encryptSecret("t") } })).id;
});
afterAll(() => store.close());

describe("profile and organization server actions", () => {
  it("refuse to create a profile before the privacy terms are accepted, saving nothing", async () => {
    session.current = { user: { id: adminId } };
    const r = await newActions.createProfileAction(input(), { activate: true });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/privacy terms of Contoso have not been accepted/);
    expect(!r.ok && r.fieldErrors?.organizationId).toBeTruthy();
    expect(await db.profile.count()).toBe(0);
  });

  it("refuse a viewer's privacy acceptance and a viewer's new organization", async () => {
    session.current = { user: { id: viewerId } };
    const accepted = await orgActions.acceptPrivacyTermsAction(orgId);
    expect(accepted).toMatchObject({ ok: false, error: expect.stringMatching(/Only admins/) });
    const added = await orgActions.addOrganizationAction({
      name: "Other",
      url: "https://other.crm.dynamics.com",
      tenantId: "11111111-1111-1111-1111-111111111111",
      clientId: "22222222-2222-2222-2222-222222222222",
      clientSecret: "s",
    });
    expect(added).toMatchObject({ ok: false, error: expect.stringMatching(/Only admins/) });
    expect(await db.organization.count()).toBe(1);
    expect((await db.organization.findUniqueOrThrow({ where: { id: orgId } })).privacyAcceptedAt).toBeNull();
  });

  it("record who accepted the privacy terms", async () => {
    session.current = { user: { id: adminId } };
    const r = await orgActions.acceptPrivacyTermsAction(orgId);
    expect(r).toMatchObject({ ok: true, data: { privacyAcceptedBy: "admin@t.test" } });
    const row = await db.organization.findUniqueOrThrow({ where: { id: orgId } });
    expect(row.privacyAcceptedBy).toBe("admin@t.test");
    expect(row.privacyAcceptedAt).toBeInstanceOf(Date);
  });

  it("answer bad profile input with a message per field and save nothing", async () => {
    session.current = { user: { id: adminId } };
    const bad = await newActions.createProfileAction(
      input({ name: "", schemaName: "dbo;--", prefix: "p".repeat(15), retryCount: 21, retryIntervalSeconds: 3601, tables: [] }),
    );
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.fieldErrors).toMatchObject({
      name: "Enter a profile name.",
      schemaName: expect.stringMatching(/letters and digits/),
      prefix: expect.stringMatching(/under 15/),
      retryCount: expect.stringMatching(/0 to 20/),
      retryIntervalSeconds: expect.stringMatching(/0 to 3600/),
      tables: "Choose at least one table.",
    });
    const tooLong = await newActions.createProfileAction(input({ name: "x".repeat(10_000) }));
    expect(!tooLong.ok && tooLong.fieldErrors?.name).toMatch(/100 characters/);
    expect(await db.profile.count()).toBe(0);
  });

  it("let an admin create a profile, then refuse the same name", async () => {
    session.current = { user: { id: adminId } };
    const r = await newActions.createProfileAction(input({ tables: ["account", "contact"] }));
    expect(r).toMatchObject({ ok: true, data: { name: "Sales copy" } });
    profileId = r.ok ? r.data.id : "";
    const row = await db.profile.findUniqueOrThrow({ where: { id: profileId }, select: { state: true, destinationEnc: true, tables: { select: { logicalName: true } } } });
    expect(row.state).toBe("draft");
    expect(row.destinationEnc).not.toContain(target);
    expect(row.tables.map((t) => t.logicalName).sort()).toEqual(["account", "contact"]);
    const dup = await newActions.createProfileAction(input());
    expect(dup).toMatchObject({ ok: false, fieldErrors: { name: expect.stringMatching(/already exists/) } });
    expect(await db.profile.count()).toBe(1);
  });

  it("refuse every profile mutation from a viewer and from an anonymous caller, changing nothing", async () => {
    const before = await snapshot();
    for (const who of [null, { user: { id: viewerId } }]) {
      session.current = who;
      const results = [
        await newActions.createProfileAction(input({ name: "Viewer copy" })),
        await newActions.validateProfileAction(input()),
        await newActions.testTargetConnectionAction({ destinationType: "sqlite", connectionString: target }),
        await profileActions.activateProfileAction({ id: profileId, what: "all" }),
        await profileActions.activateProfileAction({ id: profileId, what: "metadata" }),
        await profileActions.deactivateProfileAction({ id: profileId }),
        await profileActions.resyncTableAction({ id: profileId, logicalName: "account" }),
        await profileActions.resyncFailedRecordsAction({ id: profileId }),
        await profileActions.updateProfileAction({ id: profileId, changes: { retryCount: 3, tables: ["account"] } }),
        await profileActions.deleteProfileAction({ id: profileId }),
      ];
      for (const r of results) {
        expect(r.ok).toBe(false);
        expect(!r.ok && r.error).toMatch(who ? /Only admins/ : /Sign in/);
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  it("refuse a contributor every change to a profile whose target an admin typed in, and an inline target of its own", async () => {
    const before = await snapshot();
    session.current = { user: { id: contributorId } };
    const own = [
      await newActions.createProfileAction(input({ name: "Contributor copy" })),
      await newActions.validateProfileAction(input()),
      await newActions.testTargetConnectionAction({ destinationType: "sqlite", connectionString: target }),
    ];
    for (const r of own) expect(r).toMatchObject({ ok: false, error: expect.stringMatching(/Only admins can export to a target entered directly/) });
    const onAdmins = [
      await profileActions.activateProfileAction({ id: profileId, what: "all" }),
      await profileActions.deactivateProfileAction({ id: profileId }),
      await profileActions.resyncTableAction({ id: profileId, logicalName: "account" }),
      await profileActions.resyncFailedRecordsAction({ id: profileId }),
      await profileActions.reconcileProfileAction({ id: profileId }),
      await profileActions.updateReconcileScheduleAction({ id: profileId, schedule: { enabled: false, timeUtc: "03:00", everyHours: null } }),
      await profileActions.updateProfileAction({ id: profileId, changes: { retryCount: 3 } }),
      await profileActions.deleteProfileAction({ id: profileId }),
    ];
    for (const r of onAdmins) expect(r).toMatchObject({ ok: false, error: expect.stringMatching(/Only admins can change this profile: its target is not a connection shared with contributors/) });
    // Existence comes first: a missing profile is "not found" for a contributor as for an admin.
    expect(await profileActions.deleteProfileAction({ id: "00000000-0000-4000-8000-000000000000" })).toMatchObject({ ok: false, error: expect.stringMatching(/does not exist/) });
    // Organizations and privacy terms stay an admin's.
    expect(await orgActions.acceptPrivacyTermsAction(orgId)).toMatchObject({ ok: false, error: expect.stringMatching(/Only admins can do this/) });
    expect(await orgActions.addOrganizationAction({ name: "Other", url: "https://other.crm.dynamics.com" })).toMatchObject({ ok: false, error: expect.stringMatching(/Only admins can do this/) });
    // Reading is allowed.
    expect((await profileActions.testProfileAction({ id: profileId })).ok).toBe(true);
    expect(await snapshot()).toEqual(before);
    expect(await db.reconciliation.count()).toBe(0);
  });

  it("let an admin activate, request re-syncs, deactivate and delete", async () => {
    session.current = { user: { id: adminId } };
    expect(await profileActions.activateProfileAction({ id: profileId, what: "all" })).toEqual({ ok: true, data: undefined });
    expect(await db.profile.findUniqueOrThrow({ where: { id: profileId } })).toMatchObject({ state: "activating", metadataActive: true, dataActive: true });
    expect((await profileActions.resyncTableAction({ id: profileId, logicalName: "account" })).ok).toBe(true);
    expect((await db.profileTable.findFirstOrThrow({ where: { profileId, logicalName: "account" } })).resyncRequested).toBe(true);
    const unknownTable = await profileActions.resyncTableAction({ id: profileId, logicalName: "lead" });
    expect(unknownTable).toMatchObject({ ok: false, error: expect.stringMatching(/lead is not part of this profile/) });
    expect((await profileActions.deactivateProfileAction({ id: profileId })).ok).toBe(true);
    expect(await db.profile.findUniqueOrThrow({ where: { id: profileId } })).toMatchObject({ state: "inactive", metadataActive: false, dataActive: false });
    const badId = await profileActions.deleteProfileAction({ id: "not-a-uuid" });
    expect(badId).toMatchObject({ ok: false, error: expect.stringMatching(/Unknown profile/) });
    expect((await profileActions.deleteProfileAction({ id: profileId })).ok).toBe(true);
    expect(await db.profile.count()).toBe(0);
  });
});
