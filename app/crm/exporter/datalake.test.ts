// The REST API with DestinationType "datalake": validate, create (DataLake options in, out),
// activate with the worker running, then ?status=true shows the lake's figures and the lake
// reads back (DuckDB) equal to the emulator.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-api-lake-"));
process.env.DATA_DIR = dir;
delete process.env.DATABASE_URL;

const { migrateStore } = await import("@/lib/store/migrate");
migrateStore();
const { db } = await import("@/lib/db");
const { startEmulator } = await import("@/emulator/server");
const { ensureDemoOrganization } = await import("@/lib/organizations/demo");
const { createApiToken } = await import("@/lib/api/tokens");
const { waitFor } = await import("@/lib/sync/test-support");
const { fastWorker, admin } = await import("@/lib/profiles/test-helpers");
const { FolderStorage } = await import("@/lib/destinations/lake/folder-storage");
const { openLakeReader } = await import("@/lib/destinations/lake/reader");
const { expectLakeMatchesSource, expectReadableModel } = await import("@/lib/destinations/lake/test-support");
const { liveRows, replayLog } = await import("@/lib/destinations/lake/delta/test-support");
const acceptTerms = await import("./metadata/acceptprivacyterms/route");
const profiles = await import("./profiles/route");
const validate = await import("./profiles/validate/route");
const one = await import("./profiles/[id]/route");
const activate = await import("./profiles/[id]/activate/route");

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let emu: Awaited<ReturnType<typeof startEmulator>>;
let orgId = "";
let token = "";
let worker: ReturnType<typeof fastWorker> | undefined;
const lake = path.join(dir, "lake");

beforeAll(async () => {
  emu = await startEmulator({ port: 0, records: 40, seed: 3 });
  orgId = await ensureDemoOrganization(db, { url: emu.url, token: emu.token });
  token = (await createApiToken(db, admin, { name: "lake-admin", role: "admin" })).token;
});
afterAll(async () => {
  await worker?.stop();
  await db.$disconnect();
  await emu.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function call(handler: (req: Request, ctx: { params: Promise<{ id: string }> }) => Promise<Response>, method: string, p: string, body?: unknown, id = "") {
  const headers: Record<string, string> = { Accept: "application/json", Authorization: `Bearer ${token}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await handler(new Request(`http://api.test/crm/exporter/${p}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }), { params: Promise.resolve({ id }) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Json };
}

const lakeProfile = (over: Json = {}) => ({
  Name: "Lake via API", OrganizationId: orgId, DestinationType: "DataLake", DestinationConnectionString: `lake:${lake}`,
  Entities: ["account", "lead"], DataLake: { Mode: "InPlace", PartitionGranularity: "Month", SnapshotIntervalMinutes: 0, SnapshotRetention: 3 }, ...over,
});

describe("REST API: data lake profiles", () => {
  it("validates, creates, activates and reports the lake's figures", async () => {
    await call(acceptTerms.POST as never, "POST", `metadata/acceptprivacyterms?organizationId=${orgId}`);
    const v = await call(validate.POST as never, "POST", "profiles/validate", lakeProfile());
    expect(v.status).toBe(200);
    expect(v.body.IsValid).toBe(true);
    expect(v.body.Checks.map((c: Json) => c.Id)).toEqual(expect.arrayContaining(["target:connect", "target:permission:write"]));
    const bad = await call(profiles.POST as never, "POST", "profiles", lakeProfile({ DataLake: { Mode: "Sideways" } }));
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.fields)).toContain("DataLake.Mode");
    const wrongKind = await call(profiles.POST as never, "POST", "profiles", lakeProfile({ DestinationType: "sqlite" }));
    expect(wrongKind.status).toBe(400);

    const created = await call(profiles.POST as never, "POST", "profiles", lakeProfile());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      DestinationType: "datalake",
      DataLake: { Mode: "InPlace", PartitionGranularity: "Month", SnapshotIntervalMinutes: 0, SnapshotRetention: 3, IncrementalUpdateFolders: false },
    });
    const id = created.body.Id as string;
    expect((await call(activate.POST as never, "POST", `profiles/${id}/activate`, undefined, id)).status).toBe(200);
    worker = fastWorker(db, emu.token);
    const done = (await waitFor(async () => {
      const r = await call(one.GET as never, "GET", `profiles/${id}?status=true`, undefined, id);
      return r.body.Entities.every((e: Json) => e.Status.InitialSyncState === "Completed") && r.body.DataLake.SnapshotCount >= 2 ? r.body : null;
    }, "initial export and first snapshots", 60_000))!;
    expect(done.DataLake.LastSnapshotDate).toEqual(expect.any(String));
    expect(done.DataLake.FilesWritten).toBeGreaterThan(2);
    expect(done.DataLake.BytesWritten).toBeGreaterThan(1000);
    await worker.stop();
    worker = undefined;
    const storage = new FolderStorage(lake);
    expect((await expectReadableModel(storage)).sort()).toEqual(["account", "lead"]);
    const reader = await openLakeReader(storage);
    try {
      expect(await expectLakeMatchesSource(reader, emu.url, "account")).toBe(40);
      await expectLakeMatchesSource(reader, emu.url, "lead");
    } finally {
      await reader.close();
    }
  }, 120_000);

  it("Format Delta: settings in and out, Delta tables written, version / live files / last compaction reported", async () => {
    const deltaLake = path.join(dir, "delta-lake");
    const bad = await call(profiles.POST as never, "POST", "profiles", lakeProfile({ Name: "Delta bad", DataLake: { Format: "Parquet" } }));
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.fields)).toContain("DataLake.Format");
    const created = await call(
      profiles.POST as never, "POST", "profiles",
      lakeProfile({
        Name: "Delta via API", DestinationConnectionString: `lake:${deltaLake}`, Entities: ["account"],
        DataLake: { Format: "Delta", Delta: { CompactionIntervalMinutes: 0, VacuumIntervalMinutes: 720, RetentionHours: 48 } },
      }),
    );
    expect(created.status).toBe(201);
    expect(created.body.DataLake).toMatchObject({ Format: "Delta", Delta: { CompactionIntervalMinutes: 0, VacuumIntervalMinutes: 720, RetentionHours: 48 } });
    const id = created.body.Id as string;
    expect((await call(activate.POST as never, "POST", `profiles/${id}/activate`, undefined, id)).status).toBe(200);
    worker = fastWorker(db, emu.token);
    const done = (await waitFor(async () => {
      const r = await call(one.GET as never, "GET", `profiles/${id}?status=true`, undefined, id);
      return r.body.Entities.every((e: Json) => e.Status.InitialSyncState === "Completed") && (r.body.DataLake.Delta?.Version ?? -1) > 0 ? r.body : null;
    }, "initial export into Delta", 60_000))!;
    await worker.stop();
    worker = undefined;
    expect(done.DataLake.Delta.LiveFiles).toBeGreaterThan(0);
    expect(done.DataLake.Delta.LastCompactionDate).toEqual(expect.any(String));
    const storage = new FolderStorage(deltaLake);
    expect((await replayLog(storage, "deltalake/account_partitioned")).version).toBeGreaterThanOrEqual(done.DataLake.Delta.Version);
    expect((await liveRows(storage, "deltalake/account_partitioned")).size).toBe(40);
    const changed = await call(one.PUT as never, "PUT", `profiles/${id}`, { DataLake: { Delta: { RetentionHours: 24 } } }, id);
    expect(changed.status).toBe(200);
    expect(changed.body.DataLake.Delta.RetentionHours).toBe(24);
  }, 120_000);
});
