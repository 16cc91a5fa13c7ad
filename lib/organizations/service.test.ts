import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import type { Actor } from "../auth/actor";
import type { Db } from "../db";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../errors";
import { decryptSecret } from "../secrets";
import { makeStore } from "../sync/test-support";
import { DEMO_ORGANIZATION_NAME, ensureDemoOrganization } from "./demo";
import {
  acceptPrivacyTerms, addOrganization, findOrganization, getOrganization, listOrganizationRelationships, listOrganizationTables,
  listOrganizations, testOrganizationConnection, updateOrganization,
} from "./service";

const admin: Actor = { id: "u-admin", email: "admin@example.com", name: "Admin", role: "admin" };
const viewer: Actor = { id: "u-viewer", email: "viewer@example.com", name: "Viewer", role: "viewer" };
const TENANT = "11111111-2222-3333-4444-555555555555";
const CLIENT = "66666666-7777-8888-9999-000000000000";

let emu: RunningEmulator;
let db: Db;
let demoId: string;

beforeAll(async () => {
  ({ db } = makeStore());
  emu = await startEmulator({ port: 0, records: 40, seed: 3, token: "org-test-token" });
  demoId = await ensureDemoOrganization(db, { url: emu.url, token: emu.token });
});
afterAll(async () => {
  await db.$disconnect();
  await emu.close();
});

async function fieldError(p: Promise<unknown>): Promise<Record<string, string>> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ValidationError);
  return (err as ValidationError).fieldErrors;
}

describe("demo organization", () => {
  it("is registered once, with an encrypted token and privacy terms not accepted", async () => {
    expect(await ensureDemoOrganization(db, { url: emu.url, token: emu.token })).toBe(demoId);
    const rows = await db.organization.findMany({ where: { url: emu.url } });
    expect(rows).toHaveLength(1);
    expect(rows[0].staticTokenEnc).not.toContain(emu.token);
    expect(decryptSecret(rows[0].staticTokenEnc!)).toBe(emu.token);
    const demo = await getOrganization(db, viewer, demoId);
    expect(demo).toMatchObject({ name: DEMO_ORGANIZATION_NAME, isDemo: true, authKind: "token", privacyAcceptedAt: null, profileCount: 0 });
  });
});

describe("addOrganization", () => {
  it("stores the secret encrypted and never returns it", async () => {
    const org = await addOrganization(db, admin, { name: "Fabrikam", url: "https://fabrikam.crm.dynamics.com/main.aspx", tenantId: TENANT, clientId: CLIENT.toUpperCase(), clientSecret: "s3cr3t-value" });
    expect(org).toMatchObject({ name: "Fabrikam", url: "https://fabrikam.crm.dynamics.com", authKind: "client-credentials", tenantId: TENANT, clientId: CLIENT, isDemo: false });
    expect(JSON.stringify(org)).not.toContain("s3cr3t-value");
    const row = await db.organization.findUniqueOrThrow({ where: { id: org.id } });
    expect(row.clientSecretEnc).not.toContain("s3cr3t-value");
    expect(decryptSecret(row.clientSecretEnc!)).toBe("s3cr3t-value");
    expect((await listOrganizations(db, viewer)).map((o) => o.name)).toEqual([DEMO_ORGANIZATION_NAME, "Fabrikam"]);
  });

  it("names the field of bad input and writes nothing", async () => {
    const before = await db.organization.count();
    const good = { name: "X", url: "https://x.crm.dynamics.com", tenantId: TENANT, clientId: CLIENT, clientSecret: "s" };
    expect(Object.keys(await fieldError(addOrganization(db, admin, { ...good, url: "http://x.crm.dynamics.com" })))).toEqual(["url"]);
    expect(Object.keys(await fieldError(addOrganization(db, admin, { ...good, url: "not a url" })))).toEqual(["url"]);
    expect((await fieldError(addOrganization(db, admin, { ...good, tenantId: "abc" }))).tenantId).toMatch(/GUID/);
    expect((await fieldError(addOrganization(db, admin, { ...good, clientId: "" }))).clientId).toMatch(/client id/);
    expect(Object.keys(await fieldError(addOrganization(db, admin, { ...good, clientSecret: "" })))).toEqual(["clientSecret"]);
    expect(Object.keys(await fieldError(addOrganization(db, admin, { ...good, name: "   " })))).toEqual(["name"]);
    expect(await db.organization.count()).toBe(before);
  });

  it("refuses a second organization with the same URL, and viewers", async () => {
    const err = await addOrganization(db, admin, { name: "Again", url: "https://FABRIKAM.crm.dynamics.com", tenantId: TENANT, clientId: CLIENT, clientSecret: "x" }).catch((e) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.field).toBe("url");
    await expect(addOrganization(db, viewer, { name: "V", url: "https://v.crm.dynamics.com", tenantId: TENANT, clientId: CLIENT, clientSecret: "x" })).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe("findOrganization", () => {
  it("finds by id or URL, and says when there is none", async () => {
    expect((await findOrganization(db, viewer, { organizationUrl: `${emu.url}/` })).id).toBe(demoId);
    expect((await findOrganization(db, viewer, { organizationId: demoId })).url).toBe(emu.url);
    await expect(findOrganization(db, viewer, { organizationUrl: "https://nowhere.crm.dynamics.com" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(findOrganization(db, viewer, { organizationId: crypto.randomUUID() })).rejects.toBeInstanceOf(NotFoundError);
    await expect(findOrganization(db, viewer, {})).rejects.toBeInstanceOf(ValidationError);
    await expect(getOrganization(db, viewer, "not-a-uuid")).rejects.toBeInstanceOf(ValidationError);
  });
});

describe("testOrganizationConnection", () => {
  it("answers WhoAmI for a working organization and records its Dataverse id", async () => {
    const r = await testOrganizationConnection(db, viewer, demoId);
    expect(r.ok).toBe(true);
    expect(r.userId).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.message).toContain(emu.url);
    expect((await getOrganization(db, viewer, demoId)).dataverseOrgId).toBe(r.organizationId);
  });

  it("explains a refused token and an unreachable host in plain words", async () => {
    const bad = await db.organization.create({ data: { name: "Bad token", url: `${emu.url}/`, staticTokenEnc: (await import("../secrets")).encryptSecret("wrong") } });
    const refused = await testOrganizationConnection(db, viewer, bad.id);
    expect(refused.ok).toBe(false);
    expect(refused.message).not.toMatch(/\n\s+at /);
    expect(refused.message).toMatch(/token|credential|authenticat|401/i);

    const gone = await db.organization.create({ data: { name: "Gone", url: "https://127.0.0.1:1", staticTokenEnc: (await import("../secrets")).encryptSecret("t") } });
    const unreachable = await testOrganizationConnection(db, viewer, gone.id);
    expect(unreachable.ok).toBe(false);
    expect(unreachable.message).not.toMatch(/\n\s+at /);
    await db.organization.deleteMany({ where: { id: { in: [bad.id, gone.id] } } });
  });
});

describe("acceptPrivacyTerms", () => {
  it("records who and when, once; viewers cannot", async () => {
    await expect(acceptPrivacyTerms(db, viewer, demoId)).rejects.toBeInstanceOf(ForbiddenError);
    const first = await acceptPrivacyTerms(db, admin, demoId);
    expect(first.privacyAcceptedBy).toBe(admin.email);
    expect(Date.parse(first.privacyAcceptedAt!)).toBeGreaterThan(Date.now() - 60_000);
    const again = await acceptPrivacyTerms(db, { ...admin, email: "other@example.com" }, demoId);
    expect(again.privacyAcceptedAt).toBe(first.privacyAcceptedAt);
    expect(again.privacyAcceptedBy).toBe(admin.email);
    await expect(acceptPrivacyTerms(db, admin, crypto.randomUUID())).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("tables and relationships", () => {
  it("lists every table, marking the ones that cannot be exported and why", async () => {
    const tables = await listOrganizationTables(db, viewer, demoId);
    const by = new Map(tables.map((t) => [t.logicalName, t]));
    expect(by.get("account")).toMatchObject({ entitySetName: "accounts", changeTrackingEnabled: true, notSelectableReason: null, approxRowCount: 40 });
    expect(by.get("activitypointer")!.changeTrackingEnabled).toBe(false);
    expect(by.get("activitypointer")!.notSelectableReason).toMatch(/Track changes/);
    expect(by.get("activitypointer")!.approxRowCount).toBeNull();
    expect(by.get("accountleads")!.notSelectableReason).toMatch(/relationship/);
    expect(by.get("account")!.displayName).not.toBe("");
  });

  it("lists N:N relationships, only among the given tables when given", async () => {
    const all = await listOrganizationRelationships(db, viewer, demoId);
    expect(all).toContainEqual({ schemaName: "accountleads_association", entity1: "account", entity2: "lead", intersectEntity: "accountleads" });
    expect(await listOrganizationRelationships(db, viewer, demoId, ["account", "lead"])).toHaveLength(1);
    expect(await listOrganizationRelationships(db, viewer, demoId, ["account"])).toEqual([]);
    await expect(listOrganizationRelationships(db, viewer, demoId, ["bad name!"])).rejects.toBeInstanceOf(ValidationError);
  });

  it("says plainly when the source cannot be read", async () => {
    const gone = await db.organization.create({ data: { name: "Gone2", url: "https://127.0.0.1:1", staticTokenEnc: (await import("../secrets")).encryptSecret("t") } });
    const err = await listOrganizationTables(db, viewer, gone.id).catch((e) => e);
    expect(err.status).toBe(502);
    expect(err.code).toBe("SourceUnavailable");
    await db.organization.delete({ where: { id: gone.id } });
  });
});

describe("an organization whose client secret cannot be decrypted", () => {
  const unreadable = "v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA==:AAAA";

  it("answers a 409 that says how to re-enter it (not a 500), and the edit takes the secret again", async () => {
    const org = await db.organization.create({
      data: { name: "Broken key", url: "https://broken-key.crm.dynamics.com", tenantId: TENANT, clientId: CLIENT, clientSecretEnc: unreadable },
    });
    const err = await listOrganizationTables(db, viewer, org.id).catch((e) => e);
    expect(err.status).toBe(409);
    expect(err.code).toBe("SecretUnreadable");
    expect(err.message).toContain(`/organizations/${org.id}/edit`);
    await expect(listOrganizationRelationships(db, viewer, org.id)).rejects.toMatchObject({ status: 409 });
    expect(await testOrganizationConnection(db, viewer, org.id)).toMatchObject({ ok: false, message: expect.stringContaining("Edit") });
    expect((await getOrganization(db, viewer, org.id)).secretReadable).toBe(false);

    await expect(updateOrganization(db, viewer, { id: org.id, name: "x", tenantId: TENANT, clientId: CLIENT, clientSecret: "s" })).rejects.toBeInstanceOf(ForbiddenError);
    expect(Object.keys(await fieldError(updateOrganization(db, admin, { id: org.id, name: "Fixed", tenantId: TENANT, clientId: CLIENT, clientSecret: "" })))).toEqual(["clientSecret"]);
    const fixed = await updateOrganization(db, admin, { id: org.id, name: "Fixed", tenantId: TENANT, clientId: CLIENT, clientSecret: "new-secret" });
    expect(fixed).toMatchObject({ name: "Fixed", secretReadable: true, url: "https://broken-key.crm.dynamics.com" });
    const row = await db.organization.findUniqueOrThrow({ where: { id: org.id } });
    expect(decryptSecret(row.clientSecretEnc!)).toBe("new-secret");
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "organization.update", objectId: org.id }, orderBy: { id: "desc" } });
    expect(JSON.parse(audit.after!)).toEqual({ name: "Fixed", clientSecret: "[redacted]" });
    expect(JSON.stringify(audit)).not.toContain("new-secret");
    // Empty keeps a readable secret.
    await updateOrganization(db, admin, { id: org.id, name: "Fixed again", tenantId: TENANT, clientId: CLIENT, clientSecret: "" });
    expect((await db.organization.findUniqueOrThrow({ where: { id: org.id } })).clientSecretEnc).toBe(row.clientSecretEnc);
    await expect(updateOrganization(db, admin, { id: demoId, name: "x", tenantId: TENANT, clientId: CLIENT, clientSecret: "s" })).rejects.toThrow(/demo organization/);
  });

  it("records the client secret's expiry date: validated, shown, kept when absent, cleared when empty, audited", async () => {
    const org = await addOrganization(db, admin, {
      name: "Expiring", url: "https://expiring.crm.dynamics.com", tenantId: TENANT, clientId: CLIENT, clientSecret: "s", clientSecretExpiresAt: "2027-03-31",
    });
    expect(org.clientSecretExpiresOn).toBe("2027-03-31");
    const edit = { id: org.id, name: "Expiring", tenantId: TENANT, clientId: CLIENT, clientSecret: "" };
    for (const bad of ["2027-02-30", "31/03/2027", "1999-12-31", 20270331]) {
      expect(Object.keys(await fieldError(updateOrganization(db, admin, { ...edit, clientSecretExpiresAt: bad })))).toEqual(["clientSecretExpiresAt"]);
    }
    expect((await getOrganization(db, admin, org.id)).clientSecretExpiresOn).toBe("2027-03-31"); // nothing written
    expect((await updateOrganization(db, admin, { ...edit, clientSecretExpiresAt: "2028-03-30" })).clientSecretExpiresOn).toBe("2028-03-30");
    expect((await db.organization.findUniqueOrThrow({ where: { id: org.id } })).clientSecretExpiresAt).toEqual(new Date("2028-03-30T00:00:00.000Z"));
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "organization.update", objectId: org.id }, orderBy: { id: "desc" } });
    expect([JSON.parse(audit.before!), JSON.parse(audit.after!)]).toEqual([{ clientSecretExpiresOn: "2027-03-31" }, { clientSecretExpiresOn: "2028-03-30" }]);
    // A REST-style caller that leaves the field out keeps the date; the form's empty field clears it.
    expect((await updateOrganization(db, admin, { ...edit, name: "Renamed" })).clientSecretExpiresOn).toBe("2028-03-30");
    expect((await updateOrganization(db, admin, { ...edit, clientSecretExpiresAt: "" })).clientSecretExpiresOn).toBeNull();
  });
});
