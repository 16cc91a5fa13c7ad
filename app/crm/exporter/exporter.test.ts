// The REST API end to end, through the route handlers themselves: bearer tokens, every operation,
// DES field names, error bodies, and create → activate → status → failure log → deactivate → delete
// against the in-process emulator and a SQLite target, with the engine's worker running.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-api-"));
process.env.DATA_DIR = dir;
delete process.env.DATABASE_URL;
delete process.env.PUBLIC_URL;
delete process.env.NEXTAUTH_URL;

const { migrateStore } = await import("@/lib/store/migrate");
migrateStore();
const { db } = await import("@/lib/db");
const { startEmulator } = await import("@/emulator/server");
const { ensureDemoOrganization } = await import("@/lib/organizations/demo");
const { createApiToken, revokeApiToken } = await import("@/lib/api/tokens");
const { signFailureDownload } = await import("@/lib/api/signed-url");
const { sqliteRows, waitFor, webApi } = await import("@/lib/sync/test-support");
const { fastWorker, admin } = await import("@/lib/profiles/test-helpers");

const organizations = await import("./metadata/organizations/route");
const discover = await import("./metadata/discover/route");
const connector = await import("./metadata/connector/route");
const entities = await import("./metadata/entities/route");
const relationships = await import("./metadata/relationships/route");
const hasTerms = await import("./metadata/hasorgacceptedprivacyterms/route");
const acceptTerms = await import("./metadata/acceptprivacyterms/route");
const profiles = await import("./profiles/route");
const validate = await import("./profiles/validate/route");
const one = await import("./profiles/[id]/route");
const activate = await import("./profiles/[id]/activate/route");
const activateMetadata = await import("./profiles/[id]/activatemetadata/route");
const activateData = await import("./profiles/[id]/activatedata/route");
const deactivate = await import("./profiles/[id]/deactivate/route");
const test = await import("./profiles/[id]/test/route");
const failures = await import("./profiles/[id]/failures/route");
const resyncEntity = await import("./profiles/[id]/resyncentity/route");
const resyncFailed = await import("./profiles/[id]/resyncfailedrecords/route");
const download = await import("./downloads/failures/route");

type Handler = (req: Request, ctx: { params: Promise<{ id: string }> }) => Promise<Response>;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const BASE = "http://api.test/crm/exporter";
let emu: Awaited<ReturnType<typeof startEmulator>>;
let orgId = "";
let adminToken = "";
let viewerToken = "";
let contributorToken = "";
let revokedToken = "";
let worker: ReturnType<typeof fastWorker> | undefined;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, records: 50, seed: 9 });
  orgId = await ensureDemoOrganization(db, { url: emu.url, token: emu.token });
  adminToken = (await createApiToken(db, admin, { name: "ci-admin", role: "admin" })).token;
  viewerToken = (await createApiToken(db, admin, { name: "ci-viewer", role: "viewer" })).token;
  contributorToken = (await createApiToken(db, admin, { name: "ci-contributor", role: "contributor" })).token;
  const revoked = await createApiToken(db, admin, { name: "old", role: "admin" });
  await revokeApiToken(db, admin, revoked.summary.id);
  revokedToken = revoked.token;
});
afterAll(async () => {
  await worker?.stop();
  await db.$disconnect();
  await emu.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function call(
  handler: Handler | ((req: Request) => Promise<Response>),
  method: string,
  pathAndQuery: string,
  opts: { token?: string | null; body?: unknown; raw?: string; id?: string } = {},
): Promise<{ status: number; body: Json; res: Response }> {
  const token = opts.token === undefined ? adminToken : opts.token;
  const headers: Record<string, string> = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const req = new Request(`${BASE}/${pathAndQuery}`, { method, headers, body });
  const res = await (handler as Handler)(req, { params: Promise.resolve({ id: opts.id ?? "" }) });
  const text = await res.clone().text();
  return { status: res.status, body: text ? JSON.parse(text) : null, res };
}

const q = (ref: Record<string, string>) => new URLSearchParams(ref).toString();
const newProfile = (over: Json = {}) => ({
  Name: "API journey",
  OrganizationId: orgId,
  DestinationType: "sqlite",
  DestinationConnectionString: `sqlite:${path.join(dir, "target.db")}`,
  DestinationPrefix: "api",
  Entities: [{ Type: "account" }, "team"],
  RetryPolicy: { MaxRetryCount: 0, IntervalInSeconds: 0 },
  WriteDeleteLog: true,
  ...over,
});

describe("authentication", () => {
  it("refuses a request without a token: 401 with a JSON body and a Bearer challenge", async () => {
    const r = await call(organizations.GET, "GET", "metadata/organizations", { token: null });
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe("Unauthorized");
    expect(r.body.error.message).toMatch(/Authorization: Bearer/);
    expect(r.res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(r.res.headers.get("content-type")).toMatch(/application\/json/);
  });

  it("refuses an unknown token, a wrong scheme and a revoked token", async () => {
    expect((await call(organizations.GET, "GET", "metadata/organizations", { token: "dvx_not-a-real-token" })).status).toBe(401);
    const basic = new Request(`${BASE}/metadata/organizations`, { headers: { Authorization: `Basic ${Buffer.from("a:b").toString("base64")}` } });
    expect((await organizations.GET(basic)).status).toBe(401);
    const revoked = await call(organizations.GET, "GET", "metadata/organizations", { token: revokedToken });
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.message).toMatch(/revoked/);
  });

  it("lets a viewer token read but not change anything (403)", async () => {
    expect((await call(organizations.GET, "GET", "metadata/organizations", { token: viewerToken })).status).toBe(200);
    const accept = await call(acceptTerms.POST, "POST", `metadata/acceptprivacyterms?${q({ organizationId: orgId })}`, { token: viewerToken });
    expect(accept.status).toBe(403);
    expect(accept.body.error.code).toBe("Forbidden");
    const create = await call(profiles.POST, "POST", "profiles", { token: viewerToken, body: newProfile() });
    expect(create.status).toBe(403);
    expect(await db.profile.count()).toBe(0);
    expect((await db.organization.findUniqueOrThrow({ where: { id: orgId } })).privacyAcceptedAt).toBeNull();
  });
});

describe("metadata operations", () => {
  it("lists organizations and discovers one by URL, with the connector URL", async () => {
    const list = await call(organizations.GET, "GET", "metadata/organizations");
    expect(list.status).toBe(200);
    expect(list.body).toEqual([expect.objectContaining({ OrganizationId: orgId, OrganizationName: "Contoso (demo)", OrganizationUrl: emu.url, ConnectorUrl: "http://api.test", PrivacyTermsAccepted: false })]);
    const found = await call(discover.GET, "GET", `metadata/discover?${q({ organizationUrl: emu.url })}`, { token: viewerToken });
    expect(found.body).toMatchObject({ OrganizationId: orgId, OrganizationUrl: emu.url });
    const conn = await call(connector.GET, "GET", `metadata/connector?${q({ organizationId: orgId })}`);
    expect(conn.body).toEqual({ OrganizationId: orgId, OrganizationUrl: emu.url, ConnectorUrl: "http://api.test" });
  });

  it("answers 404 for an unknown organization and 400 naming the missing parameter", async () => {
    const unknown = await call(discover.GET, "GET", `metadata/discover?${q({ organizationUrl: "https://nowhere.crm.dynamics.com" })}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("NotFound");
    const missing = await call(entities.GET, "GET", "metadata/entities");
    expect(missing.status).toBe(400);
    expect(missing.body.error.fields).toHaveProperty("organizationId");
    expect((await call(entities.GET, "GET", `metadata/entities?${q({ organizationId: "nope" })}`)).status).toBe(400);
  });

  it("lists exportable entities (with the reason when not) and N:N relationships", async () => {
    const ents = await call(entities.GET, "GET", `metadata/entities?${q({ organizationUrl: emu.url })}`, { token: viewerToken });
    expect(ents.status).toBe(200);
    const by = new Map((ents.body as unknown as Json[]).map((e) => [e.LogicalName, e]));
    expect(by.get("account")).toMatchObject({ EntitySetName: "accounts", IsChangeTrackingEnabled: true, IsExportable: true, ApproximateRecordCount: 50 });
    expect(by.get("activitypointer")).toMatchObject({ IsChangeTrackingEnabled: false, IsExportable: false, NotExportableReason: expect.stringMatching(/Track changes/) });
    const rels = await call(relationships.GET, "GET", `metadata/relationships?${q({ organizationId: orgId, entities: "account,lead" })}`);
    expect(rels.body).toEqual([{ SchemaName: "accountleads_association", Entity1LogicalName: "account", Entity2LogicalName: "lead", IntersectEntityName: "accountleads" }]);
    expect((await call(relationships.GET, "GET", `metadata/relationships?${q({ organizationId: orgId, entities: "account" })}`)).body).toEqual([]);
  });

  it("refuses a profile until the privacy terms are accepted, then records who accepted", async () => {
    expect((await call(hasTerms.GET, "GET", `metadata/hasorgacceptedprivacyterms?${q({ organizationId: orgId })}`)).body).toBe(false);
    const refused = await call(profiles.POST, "POST", "profiles", { body: newProfile() });
    expect(refused.status).toBe(400);
    expect(refused.body.error.fields.OrganizationId).toMatch(/privacy terms/);
    expect(await db.profile.count()).toBe(0);

    const accepted = await call(acceptTerms.POST, "POST", `metadata/acceptprivacyterms?${q({ organizationUrl: emu.url })}`);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ PrivacyTermsAccepted: true, PrivacyTermsAcceptedBy: "token:ci-admin" });
    expect((await call(hasTerms.GET, "GET", `metadata/hasorgacceptedprivacyterms?${q({ organizationUrl: emu.url })}`, { token: viewerToken })).body).toBe(true);
  });
});

describe("bad profile requests", () => {
  it("answers malformed JSON with 400", async () => {
    const r = await call(profiles.POST, "POST", "profiles", { raw: "{ not json" });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/not valid JSON/);
  });

  it.each([
    [{ Name: 5 }, "Name"],
    [{ Name: "" }, "Name"],
    [{ OrganizationId: 42 }, "OrganizationId"],
    [{ DestinationType: "oracle" }, "DestinationType"],
    [{ DestinationPrefix: "has-dash" }, "DestinationPrefix"],
    [{ DestinationSchemaName: "x".repeat(65) }, "DestinationSchemaName"],
    [{ RetryPolicy: "often" }, "RetryPolicy"],
    [{ RetryPolicy: { MaxRetryCount: 50 } }, "RetryPolicy.MaxRetryCount"],
    [{ RetryPolicy: { IntervalInSeconds: "soon" } }, "RetryPolicy.IntervalInSeconds"],
    [{ Entities: "account" }, "Entities"],
    [{ Entities: [] }, "Entities"],
    [{ WriteDeleteLog: "yes please" }, "WriteDeleteLog"],
    [{ DestinationConnectionString: undefined }, "DestinationConnectionString"],
    [{ DestinationConnectionString: undefined, DestinationKeyVaultUri: "https://example.com/x" }, "DestinationKeyVaultUri"],
  ])("%j → 400 naming %s, nothing written", async (over, field) => {
    const r = await call(profiles.POST, "POST", "profiles", { body: newProfile(over) });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("ValidationFailed");
    expect(Object.keys(r.body.error.fields)).toContain(field);
    expect(r.body.error.message).toContain(field);
    expect(await db.profile.count()).toBe(0);
  });

  it("answers a body that is not an object with 400", async () => {
    const r = await call(profiles.POST, "POST", "profiles", { body: ["account"] });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/JSON object/);
  });
});

describe("the profile journey", () => {
  let id = "";
  const target = path.join(dir, "target.db");

  it("creates a profile (201) that never shows its connection string; a second with that name is 409", async () => {
    const r = await call(profiles.POST, "POST", "profiles", { body: newProfile() });
    expect(r.status).toBe(201);
    id = r.body.Id;
    expect(r.body).toMatchObject({
      Version: 1, State: "Draft", Name: "API journey", OrganizationId: orgId, OrganizationUrl: emu.url, DestinationType: "sqlite",
      DestinationPrefix: "api", DestinationSchemaName: "dbo", DestinationKeyVaultUri: null, WriteDeleteLog: true,
      RetryPolicy: { MaxRetryCount: 0, IntervalInSeconds: 0, Backoff: "Constant" },
      Entities: [{ Type: "account" }, { Type: "team" }],
    });
    expect(JSON.stringify(r.body)).not.toContain(target);
    const dup = await call(profiles.POST, "POST", "profiles", { body: newProfile({ DestinationPrefix: "other" }) });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ code: "Conflict", message: expect.stringMatching(/already exists/) });
    expect(await db.profile.count()).toBe(1);
  });

  it("lets a contributor token read, but not change a profile over an admin's inline target nor create one (403)", async () => {
    expect((await call(one.GET, "GET", `profiles/${id}`, { id, token: contributorToken })).status).toBe(200);
    const before = await db.profile.findUniqueOrThrow({ where: { id }, select: { version: true, state: true, name: true } });
    for (const [handler, method, path, body] of [
      [one.PUT, "PUT", `profiles/${id}`, { Name: "Renamed by a contributor" }],
      [one.DELETE, "DELETE", `profiles/${id}`, undefined],
      [activate.POST, "POST", `profiles/${id}/activate`, undefined],
      [resyncEntity.POST, "POST", `profiles/${id}/resyncentity?entity=account`, undefined],
    ] as const) {
      const r = await call(handler as Handler, method, path, { id, token: contributorToken, body });
      expect(r.status, path).toBe(403);
      expect(r.body.error.message).toMatch(/not a connection shared with contributors/);
    }
    const create = await call(profiles.POST, "POST", "profiles", { token: contributorToken, body: newProfile({ Name: "Contributor inline" }) });
    expect(create.status).toBe(403);
    expect(create.body.error.message).toMatch(/Only admins can export to a target entered directly/);
    const accept = await call(acceptTerms.POST, "POST", `metadata/acceptprivacyterms?${q({ organizationId: orgId })}`, { token: contributorToken });
    expect(accept.status).toBe(403);
    expect(await db.profile.findUniqueOrThrow({ where: { id }, select: { version: true, state: true, name: true } })).toEqual(before);
    expect(await db.profile.count()).toBe(1);
  });

  it("lists and reads profiles; unknown ids are 404", async () => {
    const list = await call(profiles.GET, "GET", `profiles?${q({ organizationId: orgId })}`, { token: viewerToken });
    expect(list.body.map((p: Json) => p.Id)).toEqual([id]);
    expect((await call(profiles.GET, "GET", `profiles?${q({ organizationId: crypto.randomUUID() })}`)).body).toEqual([]);
    const got = await call(one.GET, "GET", `profiles/${id}`, { id, token: viewerToken });
    expect(got.body.Id).toBe(id);
    expect(got.body.Entities[0]).not.toHaveProperty("Status");
    expect((await call(one.GET, "GET", "profiles/x", { id: crypto.randomUUID() })).status).toBe(404);
    expect((await call(one.GET, "GET", "profiles/x", { id: "not-an-id" })).status).toBe(404);
    expect((await call(activate.POST, "POST", "profiles/x/activate", { id: crypto.randomUUID() })).status).toBe(404);
    expect((await call(failures.GET, "GET", "profiles/x/failures", { id: crypto.randomUUID() })).status).toBe(404);
  });

  it("validates a description before creation and tests a saved profile", async () => {
    const good = await call(validate.POST, "POST", "profiles/validate", { body: newProfile({ Name: "another" }) });
    expect(good.status).toBe(200);
    expect(good.body.IsValid).toBe(true);
    const bad = await call(validate.POST, "POST", "profiles/validate", { body: newProfile({ Entities: ["account", "activitypointer"] }) });
    expect(bad.body.IsValid).toBe(false);
    expect(bad.body.Checks.find((c: Json) => c.Id === "table:activitypointer")).toMatchObject({ Passed: false, Fix: expect.stringMatching(/Track changes/) });
    expect((await call(validate.POST, "POST", "profiles/validate", { token: viewerToken, body: newProfile() })).status).toBe(403);
    const t = await call(test.GET, "GET", `profiles/${id}/test`, { id, token: viewerToken });
    expect(t.status).toBe(200);
    expect(t.body.IsValid).toBe(true);
  });

  it("activates; GET ?status=true reaches InitialSyncState Completed with rows in the target", async () => {
    expect((await call(activate.POST, "POST", `profiles/${id}/activate`, { id, token: viewerToken })).status).toBe(403);
    const on = await call(activate.POST, "POST", `profiles/${id}/activate`, { id });
    expect(on.status).toBe(200);
    expect(on.body.State).toBe("Activating");
    worker = fastWorker(db, emu.token);
    const done = (await waitFor(async () => {
      const r = await call(one.GET, "GET", `profiles/${id}?status=true`, { id, token: viewerToken });
      return r.body.Entities.every((e: Json) => e.Status.InitialSyncState === "Completed") ? r.body : null;
    }, "InitialSyncState Completed", 30_000))!;
    expect(done.Entities.find((e: Json) => e.Type === "account").Status).toMatchObject({ TotalNotifications: 50, SuccessNotifications: 50, FailureNotifications: 0, EntityMetadataState: "Created" });
    expect(done.Status.RecordsSynced).toBeGreaterThanOrEqual(56);
    expect(sqliteRows(target, "api_account")).toHaveLength(50);
    expect(sqliteRows(target, "api_team")).toHaveLength(6);
  });

  it("returns a signed failures URI that downloads the DES log without a token, for 24 hours", async () => {
    const t = new Database(target);
    t.exec("create trigger poison before update on api_account when new.name like 'POISON%' begin select raise(abort, 'rejected by trigger'); end;");
    t.close();
    const api = webApi(emu.url, emu.token);
    const [bad] = await api.firstIds("accounts", "accountid", 1);
    await api.update("accounts", bad, { name: "POISON" });
    await waitFor(async () => (await db.failure.count({ where: { profileId: id } })) > 0, "failure entry");

    const f = await call(failures.GET, "GET", `profiles/${id}/failures`, { id, token: viewerToken });
    expect(f.status).toBe(200);
    expect(f.body.Uri).toMatch(/^http:\/\/api\.test\/crm\/exporter\/downloads\/failures\?/);
    const hours = (Date.parse(f.body.ExpiresOn) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
    const res = await download.GET(new Request(f.body.Uri));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toMatch(/attachment; filename="API_journey-failures.log"/);
    const lines = (await res.text()).trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Entity: account, RecordId: ${bad}, NotificationTime: \\d{1,2}/\\d{1,2}/\\d{4} \\d{1,2}:\\d\\d:\\d\\d [AP]M, ChangeType: Update, FailureReason: .*rejected by trigger`));

    const csv = await call(failures.GET, "GET", `profiles/${id}/failures?format=csv`, { id });
    const csvText = await (await download.GET(new Request(csv.body.Uri))).text();
    expect(csvText.split("\n")[0]).toBe("Entity,RecordId,NotificationTime,ChangeType,FailureReason");

    const tampered = new URL(f.body.Uri);
    tampered.searchParams.set("profileId", crypto.randomUUID());
    expect((await download.GET(new Request(tampered))).status).toBe(403);
    const old = signFailureDownload(id, "des", Date.now() - 25 * 3_600_000);
    const expired = await download.GET(new Request(`http://api.test${old.path}`));
    expect(expired.status).toBe(403);
    expect(((await expired.json()) as Json).error.message).toMatch(/expired/);
    expect((await download.GET(new Request("http://api.test/crm/exporter/downloads/failures"))).status).toBe(400);
  });

  it("re-exports one table and re-syncs failed records on request (beyond the old product)", async () => {
    expect((await call(resyncEntity.POST, "POST", `profiles/${id}/resyncentity?entity=team`, { id, token: viewerToken })).status).toBe(403);
    expect((await call(resyncEntity.POST, "POST", `profiles/${id}/resyncentity`, { id })).body.error.fields).toHaveProperty("entity");
    expect((await call(resyncEntity.POST, "POST", `profiles/${id}/resyncentity?entity=contact`, { id })).status).toBe(404);
    const team = async () => (await db.profileTable.findFirstOrThrow({ where: { profileId: id, logicalName: "team" } }));
    const before = (await team()).totalNotifications;
    const r = await call(resyncEntity.POST, "POST", `profiles/${id}/resyncentity?entity=team`, { id });
    expect(r.status).toBe(200);
    await waitFor(async () => {
      const t = await team();
      return !t.resyncRequested && t.initialSyncState === "Completed" && t.totalNotifications >= before + 6;
    }, "team re-exported", 30_000);

    expect((await call(resyncFailed.POST, "POST", `profiles/${id}/resyncfailedrecords`, { id, token: viewerToken })).status).toBe(403);
    expect((await call(resyncFailed.POST, "POST", `profiles/${id}/resyncfailedrecords`, { id })).status).toBe(200);
    // Served at the next cycle; the trigger still refuses the record, so it stays failed.
    await waitFor(async () => !(await db.profile.findUniqueOrThrow({ where: { id } })).resyncFailedRequested, "re-sync served", 30_000);
    expect(await db.failedRecord.count({ where: { profileId: id } })).toBe(1);
  });

  it("updates with PUT (the version moves on); fixed fields name themselves", async () => {
    const before = (await call(one.GET, "GET", `profiles/${id}`, { id })).body;
    const r = await call(one.PUT, "PUT", `profiles/${id}`, { id, body: { RetryPolicy: { MaxRetryCount: 3, IntervalInSeconds: 1 }, Entities: ["account", "team", "lead"] } });
    expect(r.status).toBe(200);
    expect(r.body.Version).toBe(before.Version + 1);
    expect(r.body.RetryPolicy).toMatchObject({ MaxRetryCount: 3, IntervalInSeconds: 1 });
    expect(r.body.Entities.map((e: Json) => e.Type)).toEqual(["account", "lead", "team"]);
    const prefix = await call(one.PUT, "PUT", `profiles/${id}`, { id, body: { DestinationPrefix: "zz" } });
    expect(prefix.status).toBe(400);
    expect(prefix.body.error.fields.DestinationPrefix).toMatch(/cannot change/);
    const moved = await call(one.PUT, "PUT", `profiles/${id}`, { id, body: { OrganizationId: crypto.randomUUID() } });
    expect(moved.status).toBe(400);
    expect(moved.body.error.fields).toHaveProperty("OrganizationId");
    expect((await call(one.PUT, "PUT", `profiles/${id}`, { id, raw: "nope" })).status).toBe(400);
    expect((await call(one.PUT, "PUT", `profiles/${id}`, { id, token: viewerToken, body: { Name: "x" } })).status).toBe(403);
  });

  it("activates metadata only, then data, then deactivates", async () => {
    const meta = await call(activateMetadata.POST, "POST", `profiles/${id}/activatemetadata`, { id });
    expect(meta.status).toBe(200);
    expect(meta.body.State).toBe("Activating");
    expect((await db.profile.findUniqueOrThrow({ where: { id } })).dataActive).toBe(false);
    const data = await call(activateData.POST, "POST", `profiles/${id}/activatedata`, { id });
    expect(data.status).toBe(200);
    expect((await db.profile.findUniqueOrThrow({ where: { id } })).dataActive).toBe(true);
    const off = await call(deactivate.POST, "POST", `profiles/${id}/deactivate`, { id });
    expect(off.status).toBe(200);
    expect(off.body.State).toBe("Inactive");
    await waitFor(() => worker!.running().length === 0, "runner stopped");
  });

  it("deletes the profile (204) and leaves the target's data alone", async () => {
    expect((await call(one.DELETE, "DELETE", `profiles/${id}`, { id, token: viewerToken })).status).toBe(403);
    const del = await call(one.DELETE, "DELETE", `profiles/${id}`, { id });
    expect(del.status).toBe(204);
    expect((await call(one.GET, "GET", `profiles/${id}`, { id })).status).toBe(404);
    expect((await call(one.DELETE, "DELETE", `profiles/${id}`, { id })).status).toBe(404);
    expect(sqliteRows(target, "api_account")).toHaveLength(50);
  });
});
