// The Delta writer on its own (folder and Azurite): commits per cycle, deletes, schema change,
// compaction, vacuum and time travel, a crash between data files and the log entry, two writers
// racing on one version, checkpoints. Every check reads the table back with test-support.ts
// (log replayed and validated independently of the writer, live files read with read_parquet).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, type RunningAzurite } from "../../../testing/azurite";
import { tableSpecFor } from "../../columns";
import { accountRecord, accountSchema, guid } from "../../test-fixtures";
import type { LakeSettings } from "../../types";
import { FolderStorage } from "../folder-storage";
import { parseLakeTarget } from "../lake-target";
import { openStorage } from "../open-storage";
import type { LakeStorage } from "../storage";
import { DeltaDestination } from "./delta-destination";
import { DeltaConflictError, DeltaTable, tableDirOf } from "./delta-table";
import { Duck } from "./duck";
import { liveFileTypes, liveRows, readDeltaRows, replayLog } from "./test-support";

type Store = LakeStorage & { probe(): Promise<void> };

const root = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-delta-"));
let az: RunningAzurite | null = null;
afterAll(async () => {
  fs.rmSync(root, { recursive: true, force: true });
  await az?.close();
});

const backends: [string, (name: string) => Promise<Store | null>][] = [
  ["folder", async (name) => new FolderStorage(path.join(root, name))],
  [
    "Azurite",
    async (name) => {
      az ??= await startAzurite("Delta writer tests on Azurite");
      if (!az) return null;
      const container = name.toLowerCase().replace(/[^a-z0-9]/g, "");
      await BlobServiceClient.fromConnectionString(az.connectionString).getContainerClient(container).createIfNotExists();
      return openStorage(parseLakeTarget(az.target(container, "lake")));
    },
  ],
];

/** Data files in the table folder (the part of the table a reader would see, live or not). */
const dataFiles = async (s: LakeStorage, dir: string) => (await s.list(`${dir}/`)).filter((f) => f.path.slice(dir.length + 1).startsWith("PartitionId="));

const delta = (overrides: Partial<LakeSettings> = {}) => ({ format: "delta" as const, deltaCompactMinutes: 1e6, deltaVacuumMinutes: 1e6, ...overrides });

for (const [kind, make] of backends) {
  describe(`Delta table (${kind})`, () => {
    let storage: Store | null;
    const spec = tableSpecFor(accountSchema("account"), "");
    const dir = tableDirOf("account");
    const dests: DeltaDestination[] = [];
    const open = (s: Partial<LakeSettings> = {}) => {
      const d = new DeltaDestination(storage!, { schemaName: "dbo", prefix: "", lake: delta(s) });
      dests.push(d);
      return d;
    };
    beforeAll(async () => {
      storage = await make(`delta-${kind}`);
    }, 60_000);
    afterAll(async () => {
      for (const d of dests) await d.close().catch(() => undefined);
    });

    it("initial export, deltas and deletes: one commit per cycle, latest state per Id, deletes as IsDelete rows", async (ctx) => {
      if (!storage) return ctx.skip();
      const d = open();
      expect((await d.ensureTable(spec)).created).toBe(true);
      await d.upsert(spec, [1, 2, 3, 4, 5].map((n) => accountRecord(n, 10 + n, { name: `a${n}` })));
      await d.upsert(spec, [6, 7, 8].map((n) => accountRecord(n, 10 + n, { name: `a${n}`, createdon: "2023-01-01T00:00:00Z" })));
      // Staged, not committed: readers see the empty table.
      expect((await liveRows(storage, dir)).size).toBe(0);
      const s1 = await d.maintain([]);
      expect(s1.delta!.version).toBe(1);
      let rows = await liveRows(storage, dir);
      expect([...rows.keys()].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map(guid).sort());
      expect(rows.get(guid(1))!.name).toBe("a1");
      expect(rows.get(guid(6))!.PartitionId).toBe("2023");
      expect(rows.get(guid(1))!.PartitionId).toBe("2024");

      // A delta cycle: updates (one older than stored: refused), a delete, a create — one commit.
      await d.upsert(spec, [accountRecord(2, 100, { name: "two" }), accountRecord(3, 1, { name: "stale" }), accountRecord(9, 50, { name: "nine" })]);
      await d.delete(spec, [guid(4), guid(77)], false);
      await d.upsert(spec, [accountRecord(2, 101, { name: "two again" })]);
      const s2 = await d.maintain([]);
      expect(s2.delta!.version).toBe(2);
      const { rows: all, replay } = await readDeltaRows(storage, dir);
      rows = await liveRows(storage, dir);
      expect(rows.get(guid(2))!.name).toBe("two again");
      expect(rows.get(guid(3))!.name).toBe("a3");
      expect(rows.get(guid(9))!.name).toBe("nine");
      expect(rows.has(guid(4))).toBe(false);
      const tomb = all.find((r) => r.Id === guid(4))!;
      expect(tomb.IsDelete).toBe(true);
      expect(Number(tomb.versionnumber)).toBeGreaterThan(101);
      expect(tomb.name).toBe("a4");
      expect(all.some((r) => r.Id === guid(77))).toBe(false);
      // The commit: removes of the rewritten files, adds with stats, the consumed staging sequence.
      const c2 = replay.commits[2].actions;
      const adds = c2.filter((a) => "add" in a).map((a) => (a as { add: { stats: string } }).add);
      expect(adds.length).toBeGreaterThan(0);
      const st = JSON.parse(adds[0].stats) as { numRecords: number; minValues: Record<string, unknown>; maxValues: Record<string, unknown>; nullCount: Record<string, number> };
      expect(st.numRecords).toBeGreaterThan(0);
      expect(typeof st.minValues.Id).toBe("string");
      expect(st.nullCount).toHaveProperty("name");
      expect(c2.some((a) => "remove" in a)).toBe(true);
      expect(c2.some((a) => "txn" in a)).toBe(true);
      expect(replay.schema.at(-1)).toMatchObject({ name: "PartitionId", type: "string" });
      expect(replay.partitionColumns).toEqual(["PartitionId"]);
      // Nothing staged: no commit.
      expect((await d.maintain([])).delta!.version).toBe(2);
    }, 120_000);

    it("schema change: added columns via a new metaData; older files read them as null", async (ctx) => {
      if (!storage) return ctx.skip();
      const d = open();
      const schema = accountSchema("account");
      schema.attributes.push({ logicalName: "cr0a1_score", kind: "Integer", typeName: "IntegerType", isPrimaryId: false, isValidForRead: true });
      const wider = tableSpecFor(schema, "");
      expect((await d.ensureTable(wider)).addedColumns).toEqual(["cr0a1_score"]);
      await d.upsert(wider, [accountRecord(10, 200, { name: "ten", cr0a1_score: 42 })]);
      await d.maintain([]);
      const { replay } = await readDeltaRows(storage, dir);
      const metas = replay.commits.filter((c) => c.actions.some((a) => "metaData" in a));
      expect(metas.length).toBe(2);
      expect(replay.schema.map((f) => f.name)).toContain("cr0a1_score");
      const rows = await liveRows(storage, dir);
      expect(Number(rows.get(guid(10))!.cr0a1_score)).toBe(42);
      expect(rows.get(guid(1))!.cr0a1_score ?? null).toBeNull();
      // Backfill of the added column (only that column, under the version guard).
      expect(await d.updateColumns(wider, ["cr0a1_score"], [accountRecord(1, 11, { cr0a1_score: 7, name: "must not change" }), accountRecord(2, 5, { cr0a1_score: 9 })])).toBe(1);
      const after = await liveRows(storage, dir);
      expect(Number(after.get(guid(1))!.cr0a1_score)).toBe(7);
      expect(after.get(guid(1))!.name).toBe("a1");
      expect(after.get(guid(2))!.cr0a1_score ?? null).toBeNull();
    }, 120_000);

    it("a widened type (decimal scale up, integer to decimal) rewrites the table in one commit: new metaData, every file removed and added with the new types", async (ctx) => {
      if (!storage) return ctx.skip();
      const d = open();
      const before = await readDeltaRows(storage, dir);
      const oldRows = await liveRows(storage, dir);
      const schema = accountSchema("account");
      schema.attributes.find((a) => a.logicalName === "exchangerate")!.precision = 10;
      schema.attributes.push({ logicalName: "cr0a1_score", kind: "Decimal", typeName: "DecimalType", precision: 2, isPrimaryId: false, isValidForRead: true });
      const widened = tableSpecFor(schema, "");
      expect((await d.ensureTable(widened)).addedColumns).toEqual([]);
      const { replay } = await readDeltaRows(storage, dir);
      expect(replay.version).toBe(before.replay.version + 1);
      const commit = replay.commits.at(-1)!.actions;
      expect(commit.filter((a) => "metaData" in a)).toHaveLength(1);
      const removed = commit.flatMap((a) => ("remove" in a ? [decodeURIComponent(a.remove.path)] : []));
      expect(removed.sort()).toEqual([...before.replay.live.keys()].sort());
      expect(replay.schema.find((f) => f.name === "exchangerate")!.type).toBe("decimal(38,10)");
      expect(replay.schema.find((f) => f.name === "cr0a1_score")!.type).toBe("decimal(38,2)");
      // Every live file is written with the new types (Delta at reader 1 / writer 2 has no in-place change).
      const types = await liveFileTypes(storage, dir);
      expect([...types.get("exchangerate")!]).toEqual(["DECIMAL(38,10)"]);
      expect([...types.get("cr0a1_score")!]).toEqual(["DECIMAL(38,2)"]);
      // The same rows and values; the older version still reads with its own schema (time travel).
      const rows = await liveRows(storage, dir);
      expect([...rows.keys()].sort()).toEqual([...oldRows.keys()].sort());
      for (const [id, r] of oldRows) {
        expect(Number(rows.get(id)!.exchangerate)).toBeCloseTo(Number(r.exchangerate), 6);
        expect(rows.get(id)!.cr0a1_score === null ? null : Number(rows.get(id)!.cr0a1_score)).toBe(r.cr0a1_score === null ? null : Number(r.cr0a1_score));
      }
      expect((await liveRows(storage, dir, before.replay.version)).size).toBe(oldRows.size);
      // A value using the new scale survives.
      await d.upsert(widened, [accountRecord(11, 300, { exchangerate: 1.2345678901, cr0a1_score: 2.5 })]);
      await d.maintain([]);
      const after = await liveRows(storage, dir);
      expect(String(after.get(guid(11))!.exchangerate)).toBe("1.2345678901");
      expect(Number(after.get(guid(11))!.cr0a1_score)).toBe(2.5);
    }, 120_000);

    it("compaction merges small files (dataChange false, same rows); vacuum removes what no version in the retention needs; time travel within it", async (ctx) => {
      if (!storage) return ctx.skip();
      const d = open({ deltaRetentionHours: 0 });
      await d.ensureTable(spec);
      // Insert-only cycles: each adds a small file to partition 2024.
      for (let i = 0; i < 3; i++) {
        await d.upsert(spec, [accountRecord(100 + i, 1, { name: `insert ${i}` })]);
        await d.maintain([]);
      }
      const before = await replayLog(storage, dir);
      const rowsBefore = await liveRows(storage, dir);
      const small = [...before.live.entries()].filter(([, pv]) => pv.PartitionId === "2024").length;
      expect(small).toBeGreaterThan(1);
      const t = await d.table("account");
      const version = await t.compact();
      const after = await replayLog(storage, dir);
      expect(after.version).toBe(version);
      expect([...after.live.values()].filter((pv) => pv.PartitionId === "2024")).toHaveLength(1);
      const opt = after.commits.at(-1)!.actions;
      expect(opt.find((a) => "commitInfo" in a)).toMatchObject({ commitInfo: { operation: "OPTIMIZE" } });
      for (const a of opt) if ("add" in a) expect(a.add.dataChange).toBe(false);
      expect(await liveRows(storage, dir)).toEqual(rowsBefore);
      // Time travel: the version before compaction still reads (its files are tombstones, not yet vacuumed).
      expect(await liveRows(storage, dir, before.version)).toEqual(rowsBefore);
      const filesBefore = (await dataFiles(storage!, dir)).length;
      const deleted = await t.vacuum(Date.now() + 1000);
      expect(deleted).toBeGreaterThan(0);
      const filesAfter = (await dataFiles(storage!, dir)).map((f) => f.path.slice(dir.length + 1));
      expect(filesAfter.length).toBe(filesBefore - deleted);
      const live = (await replayLog(storage, dir)).live;
      expect(filesAfter.sort()).toEqual([...live.keys()].sort());
      expect(await liveRows(storage, dir)).toEqual(rowsBefore);
    }, 120_000);

    it("a crash between the data files and the log entry leaves no visible half-commit; the next start commits the staged changes", async (ctx) => {
      if (!storage) return ctx.skip();
      const before = await replayLog(storage, dir);
      const rowsBefore = await liveRows(storage, dir);
      // A storage that dies when the log entry is about to be written (after the data files).
      const dying = Object.create(storage) as Store;
      dying.writeIfMatch = async () => {
        throw new Error("power cut");
      };
      // A dead process cleans nothing up either.
      dying.delete = async () => {
        throw new Error("power cut");
      };
      const crashed = new DeltaDestination(dying, { schemaName: "dbo", prefix: "", lake: delta() });
      dests.push(crashed);
      await crashed.upsert(spec, [accountRecord(1, 500, { name: "after crash" }), accountRecord(200, 1, { name: "new after crash" })]);
      await crashed.delete(spec, [guid(5)], false);
      if (storage instanceof FolderStorage) {
        // The folder lake's put-if-absent is a link(2): make it fail the same way.
        const fsp = await import("node:fs/promises");
        const link = fsp.default.link;
        fsp.default.link = async () => {
          throw new Error("power cut");
        };
        try {
          await expect(crashed.maintain([])).rejects.toThrow(/power cut/);
        } finally {
          fsp.default.link = link;
        }
      } else await expect(crashed.maintain([])).rejects.toThrow(/power cut/);
      const mid = await replayLog(storage, dir);
      expect(mid.version).toBe(before.version);
      // The data files were written (before the log entry) and no version names them.
      const named = new Set(mid.commits.flatMap((c) => c.actions.flatMap((x) => ("add" in x ? [decodeURIComponent(x.add.path)] : []))));
      const orphans = (await dataFiles(storage!, dir)).filter((f) => !named.has(f.path.slice(dir.length + 1)));
      expect(orphans.length).toBeGreaterThan(0);
      expect(await liveRows(storage, dir)).toEqual(rowsBefore);
      // A new process: the staged changes are found and committed once.
      const d = open();
      await d.ensureTable(spec);
      const s = await d.maintain([]);
      expect(s.delta!.version).toBe(before.version + 1);
      const rows = await liveRows(storage, dir);
      expect(rows.get(guid(1))!.name).toBe("after crash");
      expect(rows.get(guid(200))!.name).toBe("new after crash");
      expect(rows.has(guid(5))).toBe(false);
      // Reopened again: nothing left to apply.
      const again = open();
      await again.ensureTable(spec);
      expect((await again.maintain([])).delta!.version).toBe(before.version + 1);
    }, 120_000);

    it("two writers racing on one version: one commit wins, the other loses cleanly and its files are gone", async (ctx) => {
      if (!storage) return ctx.skip();
      const duck = new Duck();
      const opts = { granularity: "Year" as const, targetFileBytes: 128 << 20, retentionHours: 168, checkpointEvery: 10 };
      const a = await new DeltaTable(storage, "account", duck, opts).open();
      const b = await new DeltaTable(storage, "account", duck, opts).open();
      const v = a.snapshot.version;
      const earlier = new Set((await dataFiles(storage, dir)).map((f) => f.path));
      await a.stageUpserts(spec, [accountRecord(300, 1, { name: "writer A" })]);
      await b.stageUpserts(spec, [accountRecord(301, 1, { name: "writer B" })]);
      const results = await Promise.allSettled([a.commit(), b.commit()]);
      const won = results.filter((r) => r.status === "fulfilled");
      const lost = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0].reason).toBeInstanceOf(DeltaConflictError);
      expect((won[0] as PromiseFulfilledResult<number>).value).toBe(v + 1);
      const replay = await replayLog(storage, dir);
      expect(replay.version).toBe(v + 1);
      const rows = await liveRows(storage, dir);
      expect([rows.has(guid(300)), rows.has(guid(301))].filter(Boolean)).toHaveLength(1);
      // The loser's data files were removed: every data file the race wrote is named by the log.
      const loser = lost[0] === results[0] ? a : b;
      const named = new Set(replay.commits.flatMap((c) => c.actions.flatMap((x) => ("add" in x ? [decodeURIComponent(x.add.path)] : []))));
      for (const f of (await dataFiles(storage!, dir)).filter((x) => !earlier.has(x.path))) expect(named.has(f.path.slice(dir.length + 1)), f.path).toBe(true);
      // The loser re-read the log and commits its change on top.
      expect(await loser.commit()).toBe(v + 2);
      const both = await liveRows(storage, dir);
      expect(both.get(guid(300))!.name).toBe("writer A");
      expect(both.get(guid(301))!.name).toBe("writer B");
      a.close();
      b.close();
      await duck.close();
    }, 120_000);

    it("checkpoints every 10 commits: _last_checkpoint names it and replaying from it equals replaying every commit", async (ctx) => {
      if (!storage) return ctx.skip();
      const d = open();
      await d.ensureTable(spec);
      let version = (await replayLog(storage, dir)).version;
      while (version < 21) {
        await d.upsert(spec, [accountRecord(400 + version, version, { name: `v${version}` })]);
        version = (await d.maintain([])).delta!.version;
      }
      const last = JSON.parse((await storage.read(`${dir}/_delta_log/_last_checkpoint`))!.toString("utf8"));
      expect(last.version).toBe(20);
      expect(await storage.read(`${dir}/_delta_log/00000000000000000010.checkpoint.parquet`)).not.toBeNull();
      const fromCheckpoint = await replayLog(storage, dir, Infinity, true);
      const fromJson = await replayLog(storage, dir, Infinity, false);
      expect(fromCheckpoint.checkpoint).toBe(20);
      expect([...fromCheckpoint.live.keys()].sort()).toEqual([...fromJson.live.keys()].sort());
      // A fresh writer opens from the checkpoint and continues the numbering.
      const t = await open().table("account");
      expect(t.snapshot.version).toBe(version);
      expect(t.consumedSeq).toBeGreaterThan(0);
    }, 180_000);

    it("log clean-up: commits and checkpoints older than the log retention go once a checkpoint covers them; what time travel within it needs stays", async (ctx) => {
      if (!storage) return ctx.skip();
      const all = await replayLog(storage, dir, Infinity, false);
      // The default retention (30 days): the checkpoints written just now removed nothing.
      expect(all.commits[0].version).toBe(0);
      const stamp = (v: number) => {
        const info = all.commits.find((c) => c.version === v)!.actions.find((a) => "commitInfo" in a);
        return (info as { commitInfo: { timestamp: number } }).commitInfo.timestamp;
      };
      const newest = all.version;
      const rowsNow = await liveRows(storage, dir);
      const at15 = await liveRows(storage, dir, 15);
      const logNames = async () => (await storage!.list(`${dir}/_delta_log/`)).map((f) => f.path.slice(dir.length + "/_delta_log/".length)).filter((n) => /^\d{20}\./.test(n)).sort();
      const duck = new Duck();
      const t = new DeltaTable(storage, "account", duck, { granularity: "Year", targetFileBytes: 1, retentionHours: 0, checkpointEvery: 10, logRetentionHours: 0 });
      try {
        await t.open();
        // Cutoff just after version 15: 15 is in effect then and checkpoint 10 rebuilds it, so only 0–9 go.
        expect(await t.cleanLog(stamp(15) + 1)).toBe(10);
        let names = await logNames();
        expect(names[0]).toBe("00000000000000000010.checkpoint.parquet");
        expect(names).toContain("00000000000000000010.json");
        expect(await liveRows(storage, dir, 15)).toEqual(at15);
        expect(await liveRows(storage, dir)).toEqual(rowsNow);
        // Everything expired: kept from the newest checkpoint (20) on; version 15 is gone with its checkpoint.
        expect(await t.cleanLog(stamp(newest) + 1)).toBe(11);
        names = await logNames();
        expect(names[0]).toBe("00000000000000000020.checkpoint.parquet");
        expect(names.filter((n) => n.endsWith(".json"))).toEqual(Array.from({ length: newest - 19 }, (_, i) => `${String(20 + i).padStart(20, "0")}.json`));
        expect(await liveRows(storage, dir)).toEqual(rowsNow);
        await expect(liveRows(storage, dir, 15)).rejects.toThrow(/no checkpoint before it/);
        // A writer opens the cleaned log and continues.
        const d = open();
        await d.upsert(spec, [accountRecord(600, 1, { name: "after clean-up" })]);
        expect((await d.maintain([])).delta!.version).toBe(newest + 1);
        expect((await liveRows(storage, dir)).get(guid(600))!.name).toBe("after clean-up");
      } finally {
        t.close();
        await duck.close();
      }
    }, 180_000);
  });
}
