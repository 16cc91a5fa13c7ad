// REST for scheduled refresh: the Refresh object on profiles (bad schedules → 400 with the API's
// field names, nothing written), POST profiles/{id}/run (Run now) and GET profiles/{id}/runs by
// role: admin; contributor over a shared connection; viewer reads only.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Json } from "@/lib/testing/rest-call";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-api-refresh-"));
process.env.DATA_DIR = dir;
delete process.env.DATABASE_URL;

const { migrateStore } = await import("@/lib/store/migrate");
migrateStore();
const { db } = await import("@/lib/db");
const { createApiToken } = await import("@/lib/api/tokens");
const { encryptSecret } = await import("@/lib/secrets");
const { admin } = await import("@/lib/profiles/test-helpers");
const { restCaller } = await import("@/lib/testing/rest-call");
const { createConnection } = await import("@/lib/connections/service");
const profiles = await import("./profiles/route");
const profile = await import("./profiles/[id]/route");
const run = await import("./profiles/[id]/run/route");
const runs = await import("./profiles/[id]/runs/route");
const activate = await import("./profiles/[id]/activate/route");

const tokens: Record<"admin" | "contributor" | "viewer", string> = { admin: "", contributor: "", viewer: "" };
let orgId = "";
let shared = "";
let adminsOnly = "";

const call = restCaller(tokens);

beforeAll(async () => {
  for (const role of ["admin", "contributor", "viewer"] as const) tokens[role] = (await createApiToken(db, admin, { name: role, role })).token;
  orgId = (await db.organization.create({
    data: { name: "Contoso", url: "https://contoso.crm.dynamics.com", staticTokenEnc: encryptSecret("t"), privacyAcceptedAt: new Date(), privacyAcceptedBy: "admin@t.test" },
  })).id;
  for (const n of ["a", "b"]) fs.mkdirSync(path.join(dir, n));
  shared = (await createConnection(db, admin, { name: "Shared lake", destinationType: "datalake", connectionString: `lake:${path.join(dir, "a")}`, sharedWithContributors: true, agreeToTerms: true })).id;
  adminsOnly = (await createConnection(db, admin, { name: "Admins' lake", destinationType: "datalake", connectionString: `lake:${path.join(dir, "b")}`, sharedWithContributors: false, agreeToTerms: true })).id;
});
afterAll(async () => {
  await db.$disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("REST scheduled refresh", () => {
  let id = "";
  let privateId = "";
  const body = (o: Json = {}) => ({ Name: "Nightly lake", OrganizationId: orgId, ConnectionId: shared, Entities: ["account"], ...o });

  it("refuse a cron that does not parse, hours out of range and a schedule on a SQL target (400, field names of the API, nothing written)", async () => {
    const cases: [Json, string, RegExp][] = [
      [{ Refresh: { Mode: "Cron", Cron: "0 25 * * *" } }, "Refresh.Cron", /not a cron expression: Invalid value for hour/],
      [{ Refresh: { Cron: "whenever" } }, "Refresh.Cron", /not a cron expression/],
      [{ Refresh: { Mode: "EveryHours", EveryHours: 0 } }, "Refresh.EveryHours", /from 1 to 168/],
      [{ Refresh: { Mode: "EveryHours", EveryHours: 10_000 } }, "Refresh.EveryHours", /from 1 to 168/],
      [{ Refresh: { Mode: "EveryHours", EveryHours: 2.5 } }, "Refresh.EveryHours", /whole number/],
      [{ Refresh: "hourly" }, "Refresh", /Must be an object/],
      [{ ConnectionId: undefined, DestinationType: "sqlite", DestinationConnectionString: `sqlite:${path.join(dir, "x.db")}`, Refresh: { Mode: "EveryHours", EveryHours: 6 } }, "Refresh.Mode", /data lake exports only/],
    ];
    for (const [o, field, msg] of cases) {
      const r = await call(profiles.POST, "POST", "profiles", "admin", { body: body(o) });
      expect(r.status, JSON.stringify(o)).toBe(400);
      expect(r.body.error.fields?.[field], JSON.stringify(o)).toMatch(msg);
    }
    expect(await db.profile.count()).toBe(0);
  });

  it("create with a schedule (contributor over a shared connection) and show it; PUT with a bad cron changes nothing", async () => {
    const r = await call(profiles.POST, "POST", "profiles", "contributor", { body: body({ Refresh: { Mode: "EveryHours", EveryHours: 6 } }) });
    expect(r.status).toBe(201);
    id = r.body.Id;
    expect(r.body.Refresh).toMatchObject({ Mode: "EveryHours", EveryHours: 6, Cron: null, RunRequestedDate: null });
    expect(Date.parse(r.body.Refresh.NextRunDate)).toBeGreaterThan(Date.now() + 5.9 * 3_600_000);
    const bad = await call(profile.PUT, "PUT", `profiles/${id}`, "contributor", { id, body: { Refresh: { Mode: "Cron", Cron: "* * *" } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toHaveProperty(["Refresh.Cron"]);
    expect((await call(profile.GET, "GET", `profiles/${id}`, "viewer", { id })).body.Refresh).toMatchObject({ Mode: "EveryHours", EveryHours: 6 });
    const cron = await call(profile.PUT, "PUT", `profiles/${id}`, "contributor", { id, body: { Refresh: { Cron: "0 */4 * * *" } } });
    expect(cron.status).toBe(200);
    expect(cron.body.Refresh).toMatchObject({ Mode: "Cron", Cron: "0 */4 * * *", EveryHours: null });
    privateId = (await call(profiles.POST, "POST", "profiles", "admin", { body: body({ Name: "Private lake", ConnectionId: adminsOnly, Refresh: { EveryHours: 24 } }) })).body.Id;
  });

  it("POST run: viewer 403, contributor on an admins-only export 403, inactive 409, unknown 404; 202 and stored otherwise", async () => {
    expect((await call(run.POST, "POST", `profiles/${id}/run`, "viewer", { id })).status).toBe(403);
    expect((await call(run.POST, "POST", `profiles/${privateId}/run`, "contributor", { id: privateId })).status).toBe(403);
    expect((await call(run.POST, "POST", `profiles/${id}/run`, "contributor", { id })).status).toBe(409);
    expect((await call(run.POST, "POST", "profiles/0a0a0a0a-0000-4000-8000-000000000000/run", "admin", { id: "0a0a0a0a-0000-4000-8000-000000000000" })).status).toBe(404);
    expect(await db.profile.count({ where: { refreshRequestedAt: { not: null } } })).toBe(0);
    for (const p of [id, privateId]) expect((await call(activate.POST, "POST", `profiles/${p}/activate`, "admin", { id: p })).status).toBe(200);
    const ok = await call(run.POST, "POST", `profiles/${id}/run`, "contributor", { id });
    expect(ok.status).toBe(202);
    expect(ok.body).toMatchObject({ ProfileId: id, Mode: "Cron", Schedule: "cron 0 */4 * * * (UTC)", Runs: [], NextCursor: null });
    expect(ok.body.RunRequestedDate).not.toBeNull();
    expect((await call(run.POST, "POST", `profiles/${privateId}/run`, "admin", { id: privateId })).status).toBe(202);
  });

  it("GET runs: every role reads the history, newest first, a page at a time", async () => {
    const at = (h: number) => new Date(Date.UTC(2026, 11, 1, h));
    for (const h of [1, 2, 3]) {
      await db.refreshRun.create({ data: { profileId: id, trigger: h === 2 ? "manual" : "schedule", requestedBy: h === 2 ? "token:contributor" : null, dueAt: at(h), startedAt: at(h), endedAt: at(h), result: h === 3 ? "failed" : "succeeded", rowsWritten: h * 10, message: h === 3 ? "account: refused" : null } });
    }
    for (const who of ["viewer", "contributor", "admin"] as const) {
      const r = await call(runs.GET, "GET", `profiles/${id}/runs?limit=2`, who, { id });
      expect(r.status).toBe(200);
      expect(r.body.Runs.map((x: Json) => [x.Result, x.Trigger, x.RowsWritten])).toEqual([["Failed", "Schedule", 30], ["Succeeded", "Manual", 20]]);
      expect(r.body.Runs[0]).toMatchObject({ StartedOn: at(3).toISOString(), EndedOn: at(3).toISOString(), Message: "account: refused" });
      const next = await call(runs.GET, "GET", `profiles/${id}/runs?limit=2&before=${encodeURIComponent(r.body.NextCursor)}`, who, { id });
      expect(next.body.Runs.map((x: Json) => x.RowsWritten)).toEqual([10]);
      expect(next.body.NextCursor).toBeNull();
    }
    expect((await call(runs.GET, "GET", `profiles/${id}/runs?limit=0`, "viewer", { id })).status).toBe(400);
    const bad = await call(runs.GET, "GET", `profiles/${id}/runs?before=${encodeURIComponent(at(3).toISOString())}`, "viewer", { id });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/page cursor is not valid/);
  });

  it("GET runs: runs that started in the same millisecond are each listed once across pages", async () => {
    const same = new Date(Date.UTC(2026, 11, 2, 6));
    const made = [];
    for (let i = 0; i < 5; i++) made.push((await db.refreshRun.create({ data: { profileId: privateId, trigger: "schedule", dueAt: same, startedAt: same, endedAt: same, result: "succeeded", rowsWritten: i } })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `&before=${encodeURIComponent(cursor)}` : "";
      const r = await call(runs.GET, "GET", `profiles/${privateId}/runs?limit=2${q}`, "admin", { id: privateId });
      expect(r.status).toBe(200);
      seen.push(...r.body.Runs.map((x: Json) => x.Id as string));
      cursor = r.body.NextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(made.sort());
  });
});
