// REST: POST profiles/{id}/reconcile stores a request (admin, zod-validated) that the worker runs;
// GET profiles/{id}/reconciliation shows the result to any role. Through the route handlers, with
// the emulator, a SQLite target and the engine's worker.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-api-reconcile-"));
process.env.DATA_DIR = dir;
delete process.env.DATABASE_URL;

const { migrateStore } = await import("@/lib/store/migrate");
migrateStore();
const { db } = await import("@/lib/db");
const { startEmulator } = await import("@/emulator/server");
const { createApiToken } = await import("@/lib/api/tokens");
const { createProfile, sqliteRows, waitFor } = await import("@/lib/sync/test-support");
const { activateProfile } = await import("@/lib/sync/profile-store");
const { fastWorker, admin } = await import("@/lib/profiles/test-helpers");
const reconcile = await import("./profiles/[id]/reconcile/route");
const reconciliation = await import("./profiles/[id]/reconciliation/route");

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Handler = (req: Request, ctx: { params: Promise<{ id: string }> }) => Promise<Response>;

let emu: Awaited<ReturnType<typeof startEmulator>>;
let adminToken = "";
let viewerToken = "";
let id = "";
let worker: ReturnType<typeof fastWorker> | undefined;
const target = path.join(dir, "target.db");

beforeAll(async () => {
  emu = await startEmulator({ port: 0, records: 40, seed: 4 });
  adminToken = (await createApiToken(db, admin, { name: "admin", role: "admin" })).token;
  viewerToken = (await createApiToken(db, admin, { name: "viewer", role: "viewer" })).token;
  id = await createProfile(db, { name: "api-reconcile", source: emu.url, target: `sqlite:${target}`, tables: ["account", "team"], deleteLog: true });
  await activateProfile(db, id);
});
afterAll(async () => {
  await worker?.stop();
  await db.$disconnect();
  await emu.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function call(handler: Handler, method: string, p: string, opts: { token?: string; body?: unknown; raw?: string; id?: string } = {}) {
  const headers: Record<string, string> = { Accept: "application/json", Authorization: `Bearer ${opts.token ?? adminToken}` };
  const body = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await handler(new Request(`http://api.test/crm/exporter/${p}`, { method, headers, body }), { params: Promise.resolve({ id: opts.id ?? id }) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Json };
}

const post = (opts: Parameters<typeof call>[3] = {}) => call(reconcile.POST, "POST", `profiles/${opts.id ?? id}/reconcile`, opts);
const get = (token = viewerToken) => call(reconciliation.GET, "GET", `profiles/${id}/reconciliation`, { token });
const finished = (requestId: string) =>
  waitFor(async () => {
    const r = await get();
    return r.body.Latest?.Id === requestId && ["Completed", "Failed"].includes(r.body.Latest.Status) ? r.body : null;
  }, "the worker to finish the reconciliation", 60_000) as Promise<Json>;

describe("REST reconciliation", () => {
  it("checks roles and input before storing anything", async () => {
    expect((await post({ token: viewerToken })).status).toBe(403);
    expect((await post({ body: { Repair: "yes" } })).status).toBe(400);
    expect((await post({ raw: "{not json" })).status).toBe(400);
    expect((await post({ body: { Unknown: 1 } })).status).toBe(400);
    const unknownTable = await post({ body: { Entities: ["contact"] } });
    expect(unknownTable.status).toBe(404);
    expect(unknownTable.body.error.message).toContain("'contact'");
    expect((await post({ id: "not-a-guid" })).status).toBe(404);
    expect((await post({ id: "00000000-0000-0000-0000-000000000000" })).status).toBe(404);
    expect(await db.reconciliation.count()).toBe(0);
    const empty = await get();
    expect(empty.status).toBe(200);
    expect(empty.body).toMatchObject({ ProfileId: id, Latest: null, LastCompleted: null, Schedule: { Enabled: true, TimeOfDayUtc: "02:00", EveryHours: null } });
  });

  it("runs a request in the worker; a viewer reads the result; Repair fixes the target", async () => {
    const first = await post({ body: { Entities: ["account"] } });
    expect(first.status).toBe(202);
    expect(first.body.Latest).toMatchObject({ Status: "Requested", Trigger: "api", Repair: false, Entities: ["account"] });
    // The same request again while it waits is not queued twice; an empty body means all tables.
    expect((await post({ body: { Entities: ["account"] } })).body.Latest.Id).toBe(first.body.Latest.Id);
    expect(await db.reconciliation.count()).toBe(1);

    worker = fastWorker(db, emu.token);
    const done = await finished(first.body.Latest.Id);
    // The worker starts with the initial export, so the first comparison may race it: only the
    // shape is fixed here; the next one runs on a synced target.
    expect(done.Latest).toMatchObject({ Status: "Completed", Results: [expect.objectContaining({ Entity: "account", TableName: "account" })] });
    await waitFor(async () => (await db.profileTable.findMany({ where: { profileId: id } })).every((t) => t.initialSyncState === "Completed"), "initial export", 60_000);

    const [gone] = sqliteRows(target, "account").map((r) => String(r.Id));
    const t = new Database(target);
    t.prepare("delete from account where Id = ?").run(gone);
    t.close();
    const repair = await post({ raw: JSON.stringify({ Repair: true }) });
    expect(repair.status).toBe(202);
    const fixed = await finished(repair.body.Latest.Id);
    expect(fixed.Latest).toMatchObject({ Status: "Completed", Repair: true, Entities: null, Missing: 1, Extra: 0, Stale: 0, IsEqual: false });
    const account = fixed.Latest.Results.find((r: Json) => r.Entity === "account");
    expect(account).toMatchObject({ Missing: 1, Samples: { Missing: [gone] }, Repaired: true, RepairedRows: 1, RepairFailed: 0 });
    expect(fixed.Latest.Results.map((r: Json) => r.Entity)).toEqual(["account", "team"]);
    expect(fixed.LastCompleted.Id).toBe(repair.body.Latest.Id);
    expect(sqliteRows(target, "account").some((r) => r.Id === gone)).toBe(true);

    const check = await post({ body: {} });
    const equal = await finished(check.body.Latest.Id);
    expect(equal.Latest).toMatchObject({ Status: "Completed", IsEqual: true, Missing: 0, Extra: 0, Stale: 0 });
    expect(equal.Latest.DurationMs).toBeGreaterThanOrEqual(0);
  }, 120_000);
});
