// Connections (issue 13): only admins define, change, remove them and detach exports; contributors
// see shared ones by name and type only and export over them; un-sharing keeps the exports but
// takes the contributor's rights away; a connection with exports cannot be removed; a detached
// export is inactive. Bad input answers with a message per field and writes nothing.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { freshActionStore } from "@/lib/testing/action-store";

const session = vi.hoisted(() => ({ current: null as null | { user: { id: string } } }));
vi.mock("next-auth", async (importOriginal) => ({
  ...(await importOriginal<typeof import("next-auth")>()),
  getServerSession: async () => session.current,
}));

const store = await freshActionStore("connection-actions");
const { db, dir, adminId, viewerId, contributorId } = store;
const { encryptSecret } = await import("@/lib/secrets");
const { listConnections, getConnection } = await import("@/lib/connections/service");
const actions = await import("./actions");
const newProfile = await import("../profiles/new/actions");
const profileActions = { ...(await import("../profiles/[id]/actions")), ...(await import("../profiles/[id]/edit/actions")) };
const as = (id: string | null) => void (session.current = id ? { user: { id } } : null);
const actor = (id: string, role: "admin" | "contributor" | "viewer") => ({ id, email: `${role}@t.test`, name: null, role });

let orgId = "";
const lake = path.join(dir, "lake");
const input = (over: Record<string, unknown> = {}) => ({
  name: "Analytics lake", destinationType: "datalake", connectionString: `lake:${lake}`, sharedWithContributors: false, agreeToTerms: true, ...over,
});

beforeAll(async () => {
  fs.mkdirSync(lake, { recursive: true });
  orgId = (await db.organization.create({
    data: { name: "Contoso", url: "https://contoso.crm.dynamics.com", staticTokenEnc: encryptSecret("t"), privacyAcceptedAt: new Date(), privacyAcceptedBy: "admin@t.test" },
  })).id;
});
afterAll(() => store.close());

describe("connection server actions", () => {
  let connectionId = "";
  let profileId = "";

  it("refuse anyone but an admin, writing nothing", async () => {
    for (const who of [null, viewerId, contributorId]) {
      as(who);
      const results = [
        await actions.createConnectionAction(input()),
        await actions.updateConnectionAction({ id: crypto.randomUUID(), changes: { name: "x" } }),
        await actions.deleteConnectionAction(crypto.randomUUID()),
        await actions.detachExportAction(crypto.randomUUID()),
      ];
      for (const r of results) expect(r).toMatchObject({ ok: false, error: who ? expect.stringMatching(/Only admins/) : "Sign in to continue." });
    }
    expect(await db.connection.count()).toBe(0);
  });

  it("answer bad input with a clear message and write nothing", async () => {
    as(adminId);
    const empty = await actions.createConnectionAction(input({ name: "  ", connectionString: "" }));
    expect(empty).toMatchObject({ ok: false, fieldErrors: { name: "Enter a display name.", connectionString: "Enter the target's connection string." } });
    const noAgreement = await actions.createConnectionAction(input({ agreeToTerms: false }));
    expect(noAgreement).toMatchObject({ ok: false, fieldErrors: { agreeToTerms: "Agree to the data privacy and compliance terms to save this connection." } });
    const wrongKind = await actions.createConnectionAction(input({ destinationType: "postgres" }));
    expect(wrongKind).toMatchObject({ ok: false, fieldErrors: { connectionString: expect.stringMatching(/data lake connection string, but the target type is PostgreSQL/) } });
    expect(await db.connection.count()).toBe(0);
  });

  it("let an admin define one (secret encrypted, agreement recorded); a duplicate name is refused", async () => {
    as(adminId);
    const r = await actions.createConnectionAction(input());
    expect(r).toMatchObject({ ok: true, data: { name: "Analytics lake" } });
    connectionId = r.ok ? r.data.id : "";
    const row = await db.connection.findUniqueOrThrow({ where: { id: connectionId } });
    expect(row.secretEnc).not.toContain(lake);
    expect(row).toMatchObject({ destinationType: "datalake", sharedWithContributors: false, termsAcceptedBy: "admin@t.test", createdBy: "admin@t.test" });
    expect(row.termsAcceptedAt).toBeInstanceOf(Date);
    const dup = await actions.createConnectionAction(input({ name: " Analytics lake " }));
    expect(dup).toMatchObject({ ok: false, fieldErrors: { name: expect.stringMatching(/already exists/) } });
    expect(await db.connection.count()).toBe(1);
    // What an admin sees never holds the secret: the target without its password.
    const pg = await actions.createConnectionAction(input({ name: "Warehouse", destinationType: "postgres", connectionString: "postgres://loader:hunter2@db.example.com:5432/dw" }));
    expect(pg.ok).toBe(true);
    const seen = JSON.stringify(await listConnections(db, actor(adminId, "admin")));
    expect(seen).toContain("db.example.com");
    expect(seen).not.toContain("hunter2");
    expect(seen).not.toContain((await db.connection.findUniqueOrThrow({ where: { name: "Warehouse" } })).secretEnc);
    await db.connection.deleteMany({ where: { name: "Warehouse" } });
  });

  it("hide a connection that is not shared from contributors, and refuse them exports over it", async () => {
    expect(await listConnections(db, actor(contributorId, "contributor"))).toEqual([]);
    await expect(getConnection(db, actor(contributorId, "contributor"), connectionId)).rejects.toThrow(/does not exist/);
    as(contributorId);
    const r = await newProfile.createProfileAction({ name: "Sales lake", organizationId: orgId, connectionId, tables: ["account"] });
    expect(r).toMatchObject({ ok: false, fieldErrors: { connectionId: "No connection shared with contributors has this id." } });
    expect(await db.profile.count()).toBe(0);
  });

  it("once shared: contributors see its name and type only, and create, run and change exports over it", async () => {
    as(adminId);
    expect((await actions.updateConnectionAction({ id: connectionId, changes: { sharedWithContributors: "true" } })).ok).toBe(true);
    expect(await listConnections(db, actor(contributorId, "contributor"))).toEqual([{ id: connectionId, name: "Analytics lake", destinationType: "datalake" }]);
    expect(await listConnections(db, actor(viewerId, "viewer"))).toEqual([{ id: connectionId, name: "Analytics lake", destinationType: "datalake" }]);

    as(contributorId);
    const bothTargets = await newProfile.createProfileAction({ name: "Sales lake", organizationId: orgId, connectionId, connectionString: `lake:${lake}`, tables: ["account"] });
    expect(bothTargets).toMatchObject({ ok: false, fieldErrors: { connectionString: expect.stringMatching(/one of them/) } });
    const r = await newProfile.createProfileAction({ name: "Sales lake", organizationId: orgId, connectionId, tables: ["account"] });
    expect(r).toMatchObject({ ok: true, data: { name: "Sales lake" } });
    profileId = r.ok ? r.data.id : "";
    const p = await db.profile.findUniqueOrThrow({ where: { id: profileId } });
    const c = await db.connection.findUniqueOrThrow({ where: { id: connectionId } });
    expect(p).toMatchObject({ connectionId, destinationType: "datalake", destinationEnc: c.secretEnc, destinationKeyVaultUri: null });
    expect((await profileActions.updateProfileAction({ id: profileId, changes: { retryCount: 3 } })).ok).toBe(true);
    expect((await profileActions.activateProfileAction({ id: profileId, what: "all" })).ok).toBe(true);
    expect(await db.profile.findUniqueOrThrow({ where: { id: profileId } })).toMatchObject({ retryCount: 3, state: "activating", dataActive: true });
    // A contributor cannot swap the connection for a target of their own.
    const inline = await profileActions.updateProfileAction({ id: profileId, changes: { connectionString: `lake:${lake}` } });
    expect(inline).toMatchObject({ ok: false, error: expect.stringMatching(/Only admins can export to a target entered directly/) });
    expect((await profileActions.deactivateProfileAction({ id: profileId })).ok).toBe(true);
  });

  it("un-sharing keeps the exports but takes the contributor's rights over them away", async () => {
    as(adminId);
    expect((await actions.updateConnectionAction({ id: connectionId, changes: { sharedWithContributors: "false" } })).ok).toBe(true);
    expect(await db.profile.count({ where: { connectionId } })).toBe(1);
    as(contributorId);
    const before = await db.profile.findUniqueOrThrow({ where: { id: profileId } });
    for (const r of [
      await profileActions.updateProfileAction({ id: profileId, changes: { retryCount: 7 } }),
      await profileActions.activateProfileAction({ id: profileId, what: "all" }),
      await profileActions.deleteProfileAction({ id: profileId }),
    ]) expect(r).toMatchObject({ ok: false, error: expect.stringMatching(/not a connection shared with contributors/) });
    expect(await db.profile.findUniqueOrThrow({ where: { id: profileId } })).toEqual(before);
  });

  it("a new secret needs the agreement again and reaches every export over the connection", async () => {
    as(adminId);
    const other = path.join(dir, "lake2");
    fs.mkdirSync(other);
    const noAgreement = await actions.updateConnectionAction({ id: connectionId, changes: { connectionString: `lake:${other}` } });
    expect(noAgreement).toMatchObject({ ok: false, fieldErrors: { agreeToTerms: expect.stringMatching(/Agree/) } });
    const before = await db.profile.findUniqueOrThrow({ where: { id: profileId } });
    expect((await actions.updateConnectionAction({ id: connectionId, changes: { connectionString: `lake:${other}`, agreeToTerms: true } })).ok).toBe(true);
    const c = await db.connection.findUniqueOrThrow({ where: { id: connectionId } });
    const after = await db.profile.findUniqueOrThrow({ where: { id: profileId } });
    expect(after.destinationEnc).toBe(c.secretEnc);
    expect(after.destinationEnc).not.toBe(before.destinationEnc);
    expect(after.version).toBe(before.version + 1);
  });

  it("refuse to remove a connection with exports; a detached export is inactive and the connection can go", async () => {
    as(adminId);
    const refused = await actions.deleteConnectionAction(connectionId);
    expect(refused).toMatchObject({ ok: false, error: expect.stringMatching(/used by the export "Sales lake". Remove or detach it first/) });
    expect(await db.connection.count()).toBe(1);
    await db.profile.update({ where: { id: profileId }, data: { state: "active", dataActive: true, metadataActive: true } });
    expect((await actions.detachExportAction(profileId)).ok).toBe(true);
    expect(await db.profile.findUniqueOrThrow({ where: { id: profileId } })).toMatchObject({ connectionId: null, destinationEnc: null, state: "inactive", dataActive: false });
    const again = await profileActions.activateProfileAction({ id: profileId, what: "all" });
    expect(again).toMatchObject({ ok: false, error: expect.stringMatching(/no target connection string/) });
    expect((await actions.deleteConnectionAction(connectionId)).ok).toBe(true);
    expect(await db.connection.count()).toBe(0);
    expect(await db.profile.count()).toBe(1);
  });

  it("record every change in the audit log, by whom, without a target secret", async () => {
    const rows = await db.auditEvent.findMany({ where: { action: { startsWith: "connection." } }, orderBy: { id: "asc" } });
    expect(new Set(rows.map((r) => r.action))).toEqual(new Set(["connection.create", "connection.update", "connection.detach_export", "connection.delete"]));
    expect(rows[0].action).toBe("connection.create");
    expect(rows.at(-1)?.action).toBe("connection.delete");
    for (const r of rows) expect(r).toMatchObject({ actorLabel: "admin@t.test", actorKind: "user" });
    const secretChange = rows.find((r) => r.action === "connection.update" && (r.after ?? "").includes("secret"));
    expect(JSON.parse(secretChange?.after ?? "{}")).toMatchObject({ secret: "[redacted]" });
    const text = JSON.stringify(rows);
    expect(text).not.toContain(lake);
    expect(text).not.toContain("lake2");
    expect(rows.find((r) => r.action === "connection.delete")).toMatchObject({ objectType: "connection", objectId: connectionId, objectLabel: expect.any(String) });
    expect(rows.find((r) => r.action === "connection.detach_export")).toMatchObject({ objectType: "profile", objectId: profileId, objectLabel: "Sales lake" });
  });
});
