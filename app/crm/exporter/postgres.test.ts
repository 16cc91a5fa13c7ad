// The REST API into a real PostgreSQL (skips loudly without a server): a role without rights gets a
// failed check naming the GRANT to run; after the GRANT, validate passes, the profile is created,
// activated, and GET ?status=true reaches Completed with the rows in PostgreSQL.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-api-pg-"));
process.env.DATA_DIR = dir;
delete process.env.DATABASE_URL;

const { usePostgres } = await import("@/lib/testing/postgres");
const pg = await usePostgres();
if (!pg.available) console.warn(`\n*** SKIPPING the REST API → PostgreSQL test: ${pg.reason} ***\n`);

const { migrateStore } = await import("@/lib/store/migrate");
migrateStore();
const { db } = await import("@/lib/db");
const { startEmulator } = await import("@/emulator/server");
const { ensureDemoOrganization } = await import("@/lib/organizations/demo");
const { acceptPrivacyTerms } = await import("@/lib/organizations/service");
const { createApiToken } = await import("@/lib/api/tokens");
const { waitFor } = await import("@/lib/sync/test-support");
const { admin, fastWorker } = await import("@/lib/profiles/test-helpers");
const profiles = await import("./profiles/route");
const validate = await import("./profiles/validate/route");
const one = await import("./profiles/[id]/route");
const activate = await import("./profiles/[id]/activate/route");
const deactivate = await import("./profiles/[id]/deactivate/route");

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let emu: Awaited<ReturnType<typeof startEmulator>>;
let worker: ReturnType<typeof fastWorker> | undefined;
let token = "";
let orgId = "";

async function call(handler: (req: Request, ctx: { params: Promise<{ id: string }> }) => Promise<Response>, method: string, url: string, body?: unknown, id = "") {
  const req = new Request(`http://api.test/crm/exporter/${url}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const res = await handler(req, { params: Promise.resolve({ id }) });
  return { status: res.status, body: (await res.json()) as Json };
}

describe.skipIf(!pg.available)("REST API → PostgreSQL", () => {
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, records: 40, seed: 17 });
    orgId = await ensureDemoOrganization(db, { url: emu.url, token: emu.token });
    await acceptPrivacyTerms(db, admin, orgId);
    token = (await createApiToken(db, admin, { name: "pg", role: "admin" })).token;
  });
  afterAll(async () => {
    await worker?.stop();
    await db.$disconnect();
    await emu?.close();
    await pg.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("names the missing permission with its GRANT, then exports once it is granted", async () => {
    const role = await pg.createRole("dvxapi");
    await pg.admin(`create schema "Crm"`);
    const body = {
      Name: "pg profile", OrganizationId: orgId, DestinationType: "PostgreSql", DestinationConnectionString: role.url,
      DestinationSchemaName: "Crm", DestinationPrefix: "dx", Entities: ["account", "team"], RetryPolicy: { MaxRetryCount: 0, IntervalInSeconds: 0 },
    };
    const refused = await call(validate.POST, "POST", "profiles/validate", body);
    expect(refused.status).toBe(200);
    expect(refused.body.IsValid).toBe(false);
    const failed = (refused.body.Checks as Json[]).filter((c) => !c.Passed);
    expect(failed.map((c) => c.Id)).toEqual(["target:permission:USAGE ON SCHEMA", "target:permission:CREATE ON SCHEMA"]);
    expect(failed[0].Fix).toBe(`grant usage, create on schema "Crm" to "${role.name}";`);

    await pg.admin(failed[0].Fix);
    const ok = await call(validate.POST, "POST", "profiles/validate", body);
    expect(ok.body.Checks.filter((c: Json) => !c.Passed)).toEqual([]);

    const created = await call(profiles.POST, "POST", "profiles", body);
    expect(created.status).toBe(201);
    expect(created.body.DestinationType).toBe("postgres");
    const id = created.body.Id as string;
    expect((await call(activate.POST, "POST", `profiles/${id}/activate`, undefined, id)).status).toBe(200);
    worker = fastWorker(db, emu.token);
    await waitFor(async () => {
      const r = await call(one.GET, "GET", `profiles/${id}?status=true`, undefined, id);
      return (r.body.Entities as Json[]).every((e) => e.Status.InitialSyncState === "Completed");
    }, "InitialSyncState Completed", 40_000);
    expect(await pg.admin(`select count(*)::int as n from "Crm"."dx_account"`)).toEqual([{ n: 40 }]);
    expect(await pg.admin(`select count(*)::int as n from "Crm"."dx_team"`)).toEqual([{ n: 6 }]);
    expect((await call(deactivate.POST, "POST", `profiles/${id}/deactivate`, undefined, id)).body.State).toBe("Inactive");
    await waitFor(() => worker!.running().length === 0, "runner stopped");
  });
});
