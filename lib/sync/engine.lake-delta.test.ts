// The engine end to end into Delta tables (lake format = delta), in a folder and on Azurite
// (skipped loudly when Azurite cannot start). Every check reads the tables back independently
// of the writer (log replayed and validated, live files read with read_parquet) and compares
// them with the emulator's rows, value by value.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorControl, type EmulatorControl } from "../../emulator/control";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import type { Db } from "../db";
import { DataverseClient } from "../dataverse/client";
import { tableDirOf } from "../destinations/lake/delta/delta-table";
import { liveRows, replayLog } from "../destinations/lake/delta/test-support";
import { parseLakeTarget } from "../destinations/lake/lake-target";
import { openStorage } from "../destinations/lake/open-storage";
import type { LakeStorage } from "../destinations/lake/storage";
import { expectRowsMatchSource, sourceTable } from "../destinations/lake/test-support";
import { startAzurite, type RunningAzurite } from "../testing/azurite";
import { runProfile } from "./profile-runner";
import { createProfile, makeStore, webApi } from "./test-support";

async function expectDeltaMatchesSource(storage: LakeStorage, url: string, table: string): Promise<number> {
  const { spec, rows: src } = await sourceTable(url, table);
  return expectRowsMatchSource(spec, src, await liveRows(storage, tableDirOf(spec.tableName)), "the Delta table");
}

const targets: [string, () => Promise<{ make(name: string): Promise<string>; close(): Promise<void> } | null>][] = [
  [
    "folder",
    async () => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-delta-engine-"));
      return { make: async (name) => `lake:${path.join(root, name)}`, close: async () => fs.rmSync(root, { recursive: true, force: true }) };
    },
  ],
  [
    "Azurite",
    async () => {
      const az: RunningAzurite | null = await startAzurite("Delta engine tests on Azurite");
      if (!az) return null;
      const service = BlobServiceClient.fromConnectionString(az.connectionString);
      return {
        make: async (name) => {
          await service.getContainerClient(name).create();
          return az.target(name, "exports");
        },
        close: () => az.close(),
      };
    },
  ],
];

for (const [kind, setup] of targets) {
  describe(`sync engine → Delta tables (${kind})`, () => {
    let where: Awaited<ReturnType<typeof setup>>;
    let emu: RunningEmulator;
    let control: EmulatorControl;
    let db: Db;
    let api: ReturnType<typeof webApi>;
    let storage: LakeStorage;
    let profileId: string;
    const tables = ["account", "contact"];
    const once = async () => {
      const fast = (org: { url: string }) => new DataverseClient({ url: org.url, token: "emulator-token", baseDelayMs: 5, maxDelayMs: 20, maxRetries: 2 });
      const r = await runProfile(profileId, { db, sourceFactory: fast, pageSize: 40 }, { signal: new AbortController().signal, once: true });
      expect(r.anyTableFailed).toBe(false);
    };
    const versionOf = async (t: string) => (await replayLog(storage, tableDirOf(t))).version;

    beforeAll(async () => {
      where = await setup();
      if (!where) return;
      ({ db } = makeStore());
      emu = await startEmulator({ port: 0, records: 120, seed: 7 });
      control = emulatorControl(emu.url, emu.token);
      api = webApi(emu.url);
      const target = await where.make("delta-engine");
      profileId = await createProfile(db, { name: "delta", source: emu.url, target, tables, lakeFormat: "delta", deltaCompactMinutes: 0, deltaVacuumMinutes: 10_000 });
      storage = await openStorage(parseLakeTarget(target));
    }, 60_000);
    afterAll(async () => {
      if (!where) return;
      await db.$disconnect();
      await emu.close();
      await where.close();
    });

    it("initial export: every table and value; protocol 1/2, PartitionId partition column; profile figures", async (ctx) => {
      if (!where) return ctx.skip();
      await once();
      for (const t of tables) {
        await expectDeltaMatchesSource(storage, emu.url, t);
        const r = await replayLog(storage, tableDirOf(t));
        expect(r.commits[0].actions).toContainEqual({ protocol: { minReaderVersion: 1, minWriterVersion: 2 } });
        expect(r.partitionColumns).toEqual(["PartitionId"]);
      }
      const p = await db.profile.findUniqueOrThrow({ where: { id: profileId } });
      expect(p.lakeFormat).toBe("delta");
      expect(p.lakeDeltaVersion).toBeGreaterThan(0);
      expect(p.lakeDeltaFiles).toBeGreaterThan(0);
      expect(p.lakeLastCompactionAt).not.toBeNull();
      // No CSV layout: model.json is not written in Delta mode.
      expect(await storage.read("model.json")).toBeNull();
    }, 240_000);

    it("a delta cycle with creates, updates and deletes is one Delta commit per changed table", async (ctx) => {
      if (!where) return ctx.skip();
      const before = await versionOf("account");
      const contactBefore = await versionOf("contact");
      const [a1, a2, a3] = await api.firstIds("accounts", "accountid", 3);
      const awkward = `Comma, "quoted"\nline two; ünïcödé 日本語`;
      const created = await api.create("accounts", { name: awkward, numberofemployees: 7 }, "accountid");
      await api.update("accounts", a1, { name: "Renamed" });
      await api.update("accounts", a2, { description: null });
      await api.remove("accounts", a3);
      await once();
      await expectDeltaMatchesSource(storage, emu.url, "account");
      const after = await replayLog(storage, tableDirOf("account"));
      // One MERGE commit for the cycle (compaction runs every cycle here: at most one OPTIMIZE after it).
      const merges = after.commits.filter((c) => c.version > before && c.actions.some((x) => "commitInfo" in x && x.commitInfo.operation === "MERGE"));
      expect(merges).toHaveLength(1);
      const rows = await liveRows(storage, tableDirOf("account"));
      expect(rows.get(created)!.name).toBe(awkward);
      expect(rows.has(a3)).toBe(false);
      // Unchanged table: no data commit.
      const contact = await replayLog(storage, tableDirOf("contact"));
      expect(contact.commits.filter((c) => c.version > contactBefore && c.actions.some((x) => "add" in x && x.add.dataChange))).toEqual([]);
    }, 240_000);

    it("a column added at the source: a new metaData, old rows null, the record that has it set", async (ctx) => {
      if (!where) return ctx.skip();
      const [a] = await api.firstIds("accounts", "accountid", 1);
      await control.addAttribute("account", { logicalName: "cr0a1_score", kind: "Integer" });
      await control.setFields("account", a, { cr0a1_score: 42 });
      await once();
      await expectDeltaMatchesSource(storage, emu.url, "account");
      const r = await replayLog(storage, tableDirOf("account"));
      expect(r.schema.map((f) => f.name)).toContain("cr0a1_score");
      expect(r.commits.filter((c) => c.actions.some((x) => "metaData" in x)).length).toBeGreaterThanOrEqual(2);
      expect(Number((await liveRows(storage, tableDirOf("account"))).get(a)!.cr0a1_score)).toBe(42);
    }, 240_000);
  });
}
