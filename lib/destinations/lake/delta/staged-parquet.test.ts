// Staged pages converted to Parquet in the background (staged-parquet.ts), in a folder and on
// Azurite: the commit applies converted runs and the pages left with the latest state per Id
// and the version guard exact; a crash mid-conversion or after it loses nothing and applies
// nothing twice. Tables are read back with test-support.ts (independent of the writer).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, type RunningAzurite } from "../../../testing/azurite";
import { tableSpecFor } from "../../columns";
import { accountRecord, accountSchema, guid } from "../../test-fixtures";
import { FolderStorage } from "../folder-storage";
import { parseLakeTarget } from "../lake-target";
import { openStorage } from "../open-storage";
import type { LakeStorage } from "../storage";
import { DeltaDestination } from "./delta-destination";
import { tableDirOf } from "./delta-table";
import { liveRows, readDeltaRows, replayLog } from "./test-support";

type Store = LakeStorage & { probe(): Promise<void> };

const root = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-delta-conv-"));
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
      az ??= await startAzurite("Delta staged-Parquet tests on Azurite");
      if (!az) return null;
      const container = name.toLowerCase().replace(/[^a-z0-9]/g, "");
      await BlobServiceClient.fromConnectionString(az.connectionString).getContainerClient(container).createIfNotExists();
      return openStorage(parseLakeTarget(az.target(container, "lake")));
    },
  ],
];

const lake = { format: "delta" as const, deltaCompactMinutes: 1e6, deltaVacuumMinutes: 1e6 };
/** Converts once a run of staged upsert rows reaches 3. */
const CONVERT_AT = 3;

for (const [kind, make] of backends) {
  describe(`staged pages converted to Parquet (${kind})`, () => {
    let storage: Store | null;
    const spec = tableSpecFor(accountSchema("account"), "");
    const dir = tableDirOf("account");
    const dests: DeltaDestination[] = [];
    const open = (s: Store = storage!) => {
      const d = new DeltaDestination(s, { schemaName: "dbo", prefix: "", lake }, undefined, Date.now, CONVERT_AT);
      dests.push(d);
      return d;
    };
    const stagedNames = async () => (await storage!.list(`${dir}/_staging/`)).map((f) => f.path.slice(dir.length + "/_staging/".length)).sort();
    /** Converted runs (their manifests) and staged pages among staged names. */
    const runsIn = (names: string[]) => names.filter((n) => n.endsWith(".u.run"));
    const pagesIn = (names: string[]) => names.filter((n) => /\.(csv|json)$/.test(n));
    const settled = async (d: DeltaDestination) => (await d.table("account")).settled();
    /** A storage whose deletes fail: a process that dies before its clean-up. */
    const noDeletes = () => {
      const s = Object.create(storage) as Store;
      s.delete = async () => {
        throw new Error("power cut");
      };
      return s;
    };

    beforeAll(async () => {
      storage = await make(`delta-conv-${kind}`);
    }, 60_000);
    afterAll(async () => {
      for (const d of dests) await d.close().catch(() => undefined);
    });

    it("runs of staged pages become one staged Parquet file, invisible until the commit; the commit applies them with the pages left, latest per Id", async (ctx) => {
      if (!storage) return ctx.skip();
      const d = open();
      await d.ensureTable(spec);
      await d.upsert(spec, [1, 2].map((n) => accountRecord(n, 10, { name: `a${n}` })));
      await d.upsert(spec, [2, 3].map((n) => accountRecord(n, 11, { name: `b${n}` })));
      await settled(d);
      let names = await stagedNames();
      expect(runsIn(names)).toHaveLength(1);
      expect(pagesIn(names)).toHaveLength(0);
      // A delete ends a run: the pages after it are a run of their own.
      await d.delete(spec, [guid(1)], false);
      await d.upsert(spec, [accountRecord(4, 12, { name: "d4" })]);
      await d.upsert(spec, [accountRecord(1, 13, { name: "back" }), accountRecord(5, 13, { name: "d5" })]);
      await settled(d);
      await d.upsert(spec, [accountRecord(6, 14, { name: "d6" })]);
      names = await stagedNames();
      expect(runsIn(names)).toHaveLength(2);
      expect(pagesIn(names)).toHaveLength(2); // the delete and the last page
      expect((await replayLog(storage, dir)).live.size).toBe(0);
      await d.maintain([]);
      const rows = await liveRows(storage, dir);
      expect([...rows.keys()].sort()).toEqual([1, 2, 3, 4, 5, 6].map(guid).sort());
      expect(rows.get(guid(2))!.name).toBe("b2");
      expect(rows.get(guid(1))!.name).toBe("back");
      expect(rows.get(guid(6))!.name).toBe("d6");
      expect(await stagedNames()).toEqual([]);

      // A delta cycle over stored rows: within a run the later page wins, an older version than
      // the stored row is refused (the version guard), a delete after a converted run wins.
      await d.upsert(spec, [accountRecord(2, 20, { name: "two" }), accountRecord(3, 5, { name: "stale" })]);
      await d.upsert(spec, [accountRecord(2, 21, { name: "two again" }), accountRecord(7, 21, { name: "seven" })]);
      await settled(d);
      expect(runsIn(await stagedNames())).toHaveLength(1);
      await d.delete(spec, [guid(4)], false);
      await d.maintain([]);
      const after = await liveRows(storage, dir);
      expect(after.get(guid(2))!.name).toBe("two again");
      expect(after.get(guid(3))!.name).toBe("b3");
      expect(after.get(guid(7))!.name).toBe("seven");
      expect(after.has(guid(4))).toBe(false);
      expect(after.size).toBe(6);
    }, 120_000);

    it("decimals beyond 18 digits and with more decimals than the scale come out exact, from converted runs and from staged pages", async (ctx) => {
      if (!storage) return ctx.skip();
      const d = open();
      const big = { revenue: "922337203685477.5807", exchangerate: "-99999999999999.9999995" };
      const small = { revenue: "-0.00005", exchangerate: "1.0000005" };
      await d.upsert(spec, [accountRecord(20, 60, big), accountRecord(21, 60, small)]);
      await d.upsert(spec, [accountRecord(22, 60, big)]);
      await settled(d);
      expect(runsIn(await stagedNames())).toHaveLength(1);
      await d.upsert(spec, [accountRecord(23, 60, small)]); // stays a staged page until the commit
      await d.maintain([]);
      const rows = await liveRows(storage, dir);
      for (const n of [20, 22]) {
        expect(String(rows.get(guid(n))!.revenue)).toBe("922337203685477.5807");
        expect(String(rows.get(guid(n))!.exchangerate)).toBe("-100000000000000.000000");
      }
      for (const n of [21, 23]) {
        expect(String(rows.get(guid(n))!.revenue)).toBe("-0.0001");
        expect(String(rows.get(guid(n))!.exchangerate)).toBe("1.000001");
      }
    }, 120_000);

    it("a crash after a conversion was published but before its pages went: the next start applies each page once", async (ctx) => {
      if (!storage) return ctx.skip();
      const before = await liveRows(storage, dir);
      const version = (await replayLog(storage, dir)).version;
      const dying = open(noDeletes());
      await dying.upsert(spec, [accountRecord(1, 30, { name: "one" }), accountRecord(8, 30, { name: "eight" })]);
      await dying.upsert(spec, [accountRecord(8, 31, { name: "eight again" }), accountRecord(9, 31, { name: "nine" })]);
      await settled(dying);
      const names = await stagedNames();
      expect(runsIn(names)).toHaveLength(1);
      expect(names.filter((n) => n.endsWith(".u.csv"))).toHaveLength(2);
      expect((await replayLog(storage, dir)).version).toBe(version);
      // A new process: the converted file stands for the pages of its range.
      const d = open();
      await d.ensureTable(spec);
      expect((await d.maintain([])).delta!.version).toBe(version + 1);
      const { rows } = await readDeltaRows(storage, dir);
      expect(new Set(rows.map((r) => r.Id)).size).toBe(rows.length);
      const after = await liveRows(storage, dir);
      expect(after.get(guid(1))!.name).toBe("one");
      expect(after.get(guid(8))!.name).toBe("eight again");
      expect(after.get(guid(9))!.name).toBe("nine");
      expect(after.size).toBe(before.size + 2);
      expect(await stagedNames()).toEqual([]);
    }, 120_000);

    it("a crash mid-conversion (before its file is published) loses nothing: the pages are committed on the next start", async (ctx) => {
      if (!storage) return ctx.skip();
      const version = (await replayLog(storage, dir)).version;
      const crashed = open();
      const t = await crashed.table("account");
      // The process dies inside the conversion: the Parquet file never reaches the table, nothing is cleaned up.
      t.files.publish = async () => {
        throw new Error("power cut");
      };
      t.files.dropScratch = async () => undefined;
      await crashed.upsert(spec, [accountRecord(10, 40, { name: "ten" }), accountRecord(11, 40, { name: "eleven" })]);
      await crashed.upsert(spec, [accountRecord(12, 40, { name: "twelve" })]);
      await t.settled();
      expect(t.conversionFailed?.message).toBe("power cut");
      expect((await stagedNames()).filter((n) => n.endsWith(".u.csv"))).toHaveLength(2);
      expect((await stagedNames()).filter((n) => n.endsWith(".parquet"))).toHaveLength(0);
      const d = open();
      await d.ensureTable(spec);
      expect((await d.maintain([])).delta!.version).toBe(version + 1);
      const rows = await liveRows(storage, dir);
      expect(rows.get(guid(10))!.name).toBe("ten");
      expect(rows.get(guid(12))!.name).toBe("twelve");
      expect(await stagedNames()).toEqual([]);
    }, 120_000);

    it("a crash after the commit consumed a converted file but before it was removed: the next start removes it and commits nothing", async (ctx) => {
      if (!storage) return ctx.skip();
      const dying = open(noDeletes());
      await dying.upsert(spec, [accountRecord(13, 50, { name: "thirteen" }), accountRecord(14, 50)]);
      await dying.upsert(spec, [accountRecord(13, 51, { name: "thirteen again" })]);
      await settled(dying);
      const version = (await dying.maintain([])).delta!.version;
      expect(runsIn(await stagedNames())).toHaveLength(1);
      const d = open();
      await d.ensureTable(spec);
      expect((await d.maintain([])).delta!.version).toBe(version);
      expect(await stagedNames()).toEqual([]);
      expect((await liveRows(storage, dir)).get(guid(13))!.name).toBe("thirteen again");
    }, 120_000);
    it("a crash mid-conversion after some of a run's files were published, before its manifest: the pages are committed once, the files removed later", async (ctx) => {
      if (!storage) return ctx.skip();
      const version = (await replayLog(storage, dir)).version;
      const crashed = open();
      const t = await crashed.table("account");
      const writeNew = t.files.writeNew.bind(t.files);
      t.files.writeNew = async (rel, data) => {
        if (rel.endsWith(".u.run")) throw new Error("power cut");
        return writeNew(rel, data);
      };
      t.files.dropScratch = async () => undefined;
      await crashed.upsert(spec, [accountRecord(30, 70, { name: "thirty" }), accountRecord(31, 70, { createdon: "2023-02-03T00:00:00Z" })]);
      await crashed.upsert(spec, [accountRecord(32, 70, { name: "thirty-two" })]);
      await t.settled();
      expect(t.conversionFailed?.message).toBe("power cut");
      const names = await stagedNames();
      expect(names.filter((n) => n.includes(".run/"))).toHaveLength(2); // one file per PartitionId
      expect(runsIn(names)).toHaveLength(0);
      expect(pagesIn(names)).toHaveLength(2);
      const d = open();
      await d.ensureTable(spec);
      expect((await d.maintain([])).delta!.version).toBe(version + 1);
      const rows = await liveRows(storage, dir);
      expect(rows.get(guid(30))!.name).toBe("thirty");
      expect(rows.get(guid(32))!.name).toBe("thirty-two");
      expect(rows.get(guid(31))!.PartitionId).toBe("2023");
      // The files without a manifest go once a commit has consumed their range.
      const again = open();
      await again.ensureTable(spec);
      expect(await stagedNames()).toEqual([]);
    }, 120_000);

    it("the initial export takes converted runs as data files as they are; a crash before its log entry shows nothing and the next start commits once", async (ctx) => {
      if (!storage) return ctx.skip();
      const spec2 = tableSpecFor(accountSchema("account2"), "");
      const dir2 = tableDirOf("account2");
      const crashed = open();
      await crashed.ensureTable(spec2);
      await crashed.upsert(spec2, [1, 2].map((n) => accountRecord(n, 1, { name: `a${n}` })));
      await crashed.upsert(spec2, [3, 4].map((n) => accountRecord(n, 1, { name: `a${n}`, createdon: "2023-01-01T00:00:00Z" })));
      await (await crashed.table("account2")).settled();
      await crashed.upsert(spec2, [accountRecord(5, 1, { name: "a5" })]); // stays a page
      const t = await crashed.table("account2");
      t.files.createExclusive = async () => {
        throw new Error("power cut");
      };
      t.files.remove = async () => {
        throw new Error("power cut");
      };
      await expect(crashed.maintain([])).rejects.toThrow(/power cut/);
      expect((await replayLog(storage, dir2)).version).toBe(0);
      // The run's files were given their data-file names (no version names them) and stay staged.
      expect((await storage.list(`${dir2}/`)).filter((f) => f.path.startsWith(`${dir2}/PartitionId=`)).length).toBeGreaterThan(0);
      expect(runsIn((await storage.list(`${dir2}/_staging/`)).map((f) => f.path))).toHaveLength(1);
      const d = open();
      await d.ensureTable(spec2);
      expect((await d.maintain([])).delta!.version).toBe(1);
      const replay = await replayLog(storage, dir2);
      // Two PartitionIds from the run, as converted, plus the page's file: three data files (a rewrite would make two).
      expect([...replay.live.values()].map((pv) => pv.PartitionId).sort()).toEqual(["2023", "2024", "2024"]);
      const rows = await liveRows(storage, dir2);
      expect([...rows.keys()].sort()).toEqual([1, 2, 3, 4, 5].map(guid).sort());
      expect(rows.get(guid(3))!.name).toBe("a3");
      expect(rows.get(guid(3))!.PartitionId).toBe("2023");
      expect(await storage.list(`${dir2}/_staging/`)).toEqual([]);
    }, 120_000);

    it("a run holding each Id once streams into its files with their stats in its manifest; the initial commit takes both and counts nothing; an Id repeated in a run or across runs takes the exact paths", async (ctx) => {
      if (!storage) return ctx.skip();
      const spec3 = tableSpecFor(accountSchema("account3"), "");
      const dir3 = tableDirOf("account3");
      const d = open();
      await d.ensureTable(spec3);
      const t = await d.table("account3");
      const queries: string[] = [];
      const conn = await t.connection();
      const all = conn.all.bind(conn);
      conn.all = async (sql) => (queries.push(sql), all(sql));
      await d.upsert(spec3, [1, 2].map((n) => accountRecord(n, 1, { name: `a${n}` })));
      await d.upsert(spec3, [3, 4].map((n) => accountRecord(n, 1, { name: `a${n}`, createdon: "2023-01-01T00:00:00Z" })));
      await t.settled();
      expect(t.conversions).toEqual({ streamed: 1, windowed: 0 });
      const [manifestName] = runsIn((await storage.list(`${dir3}/_staging/`)).map((f) => f.path));
      const manifest = JSON.parse((await storage.read(manifestName))!.toString("utf8")) as { files: { rel: string; stats: string }[] };
      expect(manifest.files).toHaveLength(2);
      for (const f of manifest.files) expect(JSON.parse(f.stats)).toMatchObject({ numRecords: 2, nullCount: { Id: 0 } });
      await d.upsert(spec3, [accountRecord(5, 1, { name: "a5" })]); // stays a page
      expect((await d.maintain([])).delta!.version).toBe(1);
      // Each Id once, known from the hashes: no distinct count, and the run's stats as read at the conversion.
      expect(queries.filter((q) => q.includes("count(DISTINCT"))).toEqual([]);
      const adds = (await replayLog(storage, dir3)).commits.at(-1)!.actions.flatMap((a) => ("add" in a ? [a.add] : []));
      expect(adds).toHaveLength(3);
      expect(adds.map((a) => a.stats).filter((s) => manifest.files.some((f) => f.stats === s))).toHaveLength(2);
      expect([...(await liveRows(storage, dir3)).keys()].sort()).toEqual([1, 2, 3, 4, 5].map(guid).sort());

      // A fresh table: Id 6 in two runs (each run holds it once) and Id 9 twice in one run.
      const spec4 = tableSpecFor(accountSchema("account4"), "");
      const dir4 = tableDirOf("account4");
      await d.ensureTable(spec4);
      const t4 = await d.table("account4");
      const conn4 = await t4.connection();
      const all4 = conn4.all.bind(conn4);
      queries.length = 0;
      conn4.all = async (sql) => (queries.push(sql), all4(sql));
      await d.upsert(spec4, [6, 7].map((n) => accountRecord(n, 1, { name: `first${n}` })));
      await d.upsert(spec4, [accountRecord(8, 1)]);
      await t4.settled();
      await d.upsert(spec4, [accountRecord(6, 2, { name: "later" }), accountRecord(9, 2, { name: "nine" })]);
      await d.upsert(spec4, [accountRecord(9, 3, { name: "nine again" })]);
      await t4.settled();
      expect(t4.conversions).toEqual({ streamed: 1, windowed: 1 });
      await d.maintain([]);
      expect(queries.filter((q) => q.includes("count(DISTINCT"))).toHaveLength(1);
      const { rows } = await readDeltaRows(storage, dir4);
      expect(rows).toHaveLength(4);
      const live = await liveRows(storage, dir4);
      expect(live.get(guid(6))!.name).toBe("later");
      expect(live.get(guid(7))!.name).toBe("first7");
      expect(live.get(guid(9))!.name).toBe("nine again");
    }, 120_000);
  });
}
