// The table pipeline with a fake source: checkpoint only after the write, resume from it,
// bounded read-ahead, DES retry policy (count + interval), version guard, per-record isolation.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db";
import type { ChangePage, ChangeSource, SourceRecord, TableInfo, TableSchema } from "../dataverse/types";
import { tableSpecFor } from "../destinations/columns";
import { SqliteDestination } from "../destinations/sqlite";
import type { Destination } from "../destinations/types";
import { selectFor } from "./metadata-sync";
import { loadTable } from "./profile-store";
import { classifyError } from "./retry-policy";
import { TablePipeline, silentLog, type PipelineContext } from "./table-pipeline";
import { makeStore, sqliteRows } from "./test-support";

const schema: TableSchema = {
  table: { logicalName: "widget", schemaName: "Widget", entitySetName: "widgets", primaryIdAttribute: "widgetid", displayName: "Widget", changeTrackingEnabled: true, isIntersect: false },
  attributes: [
    { logicalName: "widgetid", kind: "Uniqueidentifier", typeName: "UniqueidentifierType", isPrimaryId: true, isValidForRead: true },
    { logicalName: "name", kind: "String", typeName: "StringType", maxLength: 100, isPrimaryId: false, isValidForRead: true },
  ],
};
const spec = tableSpecFor(schema, "");
const gid = (n: number) => `00000000-0000-0000-0000-${String(n).padStart(12, "0")}`;
const rec = (n: number, version: number, name = `w${n}`): SourceRecord => ({ id: gid(n), version: String(version), values: { widgetid: gid(n), name } });

/** Pages keyed by link; records each read so tests can see how far ahead the reader ran. */
class FakeSource implements ChangeSource {
  reads: string[] = [];
  constructor(public pages: Map<string, ChangePage>, private readonly onRead?: (link: string) => Promise<void>) {}
  async whoAmI() { return { userId: "u", businessUnitId: "b", organizationId: "o" }; }
  async listTables() { return [schema.table]; }
  async getTableSchema() { return schema; }
  async listManyToMany() { return []; }
  async fetchRecord(_t: TableInfo, id: string) { return [...this.pages.values()].flatMap((p) => p.upserts).find((r) => r.id === id) ?? null; }
  readChanges(_t: TableInfo, opts: { from?: string }): AsyncIterable<ChangePage> {
    const self = this;
    return (async function* () {
      let link: string | undefined = opts.from ?? "start";
      while (link) {
        self.reads.push(link);
        await self.onRead?.(link);
        const page = self.pages.get(link);
        if (!page) throw new Error(`no page ${link}`);
        yield page;
        link = page.nextLink;
      }
    })();
  }
}

/** Wraps a destination: counts upsert calls and can refuse records or whole batches. */
function wrap(dest: Destination, o: { poison?: Set<string>; failBatchesFrom?: number; log?: string[] } = {}): Destination & { upsertCalls: number } {
  let calls = 0;
  const w = Object.create(dest) as Destination & { upsertCalls: number };
  Object.defineProperty(w, "upsertCalls", { get: () => calls });
  w.upsert = async (s, records) => {
    calls++;
    if (o.failBatchesFrom !== undefined && calls >= o.failBatchesFrom) throw Object.assign(new Error("connection lost"), { code: "ECONNRESET" });
    const bad = records.find((r) => o.poison?.has(r.id));
    // Shaped like better-sqlite3's error for a CHECK constraint: known to concern the record.
    if (bad) throw Object.assign(new Error(`CHECK constraint failed for ${bad.id}`), { code: "SQLITE_CONSTRAINT_CHECK" });
    o.log?.push(`write ${records.map((r) => r.id.slice(-2)).join(",")}`);
    return dest.upsert(s, records);
  };
  return w;
}

let db: Db;
let dir: string;
let profileId: string;
let n = 0;

beforeAll(async () => {
  ({ db, dir } = makeStore());
  const org = await db.organization.create({ data: { name: "fake", url: "http://fake.example" } });
  profileId = (await db.profile.create({ data: { name: "unit", organizationId: org.id, destinationType: "sqlite" } })).id;
});
afterAll(() => db.$disconnect());

async function setup(source: ChangeSource, wrapOpts: Parameters<typeof wrap>[1] = {}, retry = { retryCount: 3, retryIntervalMs: 0 }) {
  const file = path.join(dir, `t${++n}.db`);
  const raw = new SqliteDestination(file, { schemaName: "dbo", prefix: "" });
  await raw.prepare({ deleteLog: true });
  await raw.ensureTable(spec);
  const dest = wrap(raw, wrapOpts);
  const table = await db.profileTable.create({ data: { profileId, logicalName: `widget${n}` } });
  const sleeps: number[] = [];
  const ctx: PipelineContext = {
    db, profileId, source, dest, retry, deleteLog: true, signal: new AbortController().signal, log: silentLog,
    sleep: async (ms) => void sleeps.push(ms),
  };
  // Each test gets its own failure-log entity name so counts do not mix.
  const s = { ...spec, entity: `widget${n}` };
  const pipeline = new TablePipeline(ctx, { tableId: table.id, info: schema.table, spec: s, select: selectFor(spec) });
  return { pipeline, dest, raw, file, tableId: table.id, sleeps, entity: s.entity };
}

describe("table pipeline", () => {
  it("saves each checkpoint only after its page is written; a failure leaves the previous checkpoint", async () => {
    const pages = new Map<string, ChangePage>([
      ["start", { upserts: [rec(1, 1), rec(2, 2)], deletes: [], nextLink: "p2" }],
      ["p2", { upserts: [rec(3, 3)], deletes: [], nextLink: "p3" }],
      ["p3", { upserts: [rec(4, 4)], deletes: [], deltaLink: "d1" }],
    ]);
    const { pipeline, tableId, file, dest } = await setup(new FakeSource(pages), { failBatchesFrom: 2 });
    await expect(pipeline.sync()).rejects.toThrow(/connection lost/);
    const t = await loadTable(db, tableId);
    expect(t).toMatchObject({ resumeLink: "p2", deltaLink: null, initialDone: 2, initialSyncState: "InProgress" });
    expect(sqliteRows(file, "widget").length).toBe(2);
    expect(dest.upsertCalls).toBe(2);

    // Restart from the checkpoint with a healthy target: resumes at p2, not from zero.
    const source2 = new FakeSource(pages);
    const again = await setup(source2);
    await db.profileTable.update({ where: { id: again.tableId }, data: { resumeLink: "p2", initialDone: 2, initialSyncState: "InProgress" } });
    const s = await again.pipeline.sync();
    expect(source2.reads).toEqual(["p2", "p3"]);
    expect(s.upserts).toBe(2);
    expect(await loadTable(db, again.tableId)).toMatchObject({ resumeLink: null, deltaLink: "d1", initialDone: 4, initialSyncState: "Completed" });
  });

  it("reads at most one page ahead of the writer", async () => {
    const pages = new Map<string, ChangePage>();
    for (let i = 0; i < 6; i++) pages.set(i === 0 ? "start" : `p${i}`, { upserts: [rec(i + 1, i + 1)], deletes: [], ...(i < 5 ? { nextLink: `p${i + 1}` } : { deltaLink: "d" }) });
    const events: string[] = [];
    const source = new FakeSource(pages, async (link) => void events.push(`read ${link}`));
    const { pipeline } = await setup(source, { log: events });
    await pipeline.sync();
    // Before writing page k the reader may have started page k+1, never k+2.
    for (let k = 0; k < 6; k++) {
      const w = events.indexOf(`write ${String(k + 1).padStart(2, "0")}`);
      expect(w).toBeGreaterThan(-1);
      const readsBefore = events.slice(0, w).filter((e) => e.startsWith("read")).length;
      expect(readsBefore).toBeLessThanOrEqual(k + 2);
    }
    // And it does overlap: page 2's read starts before page 1's write ends.
    expect(events.indexOf("read p1")).toBeLessThan(events.indexOf("write 01") + 1);
  });

  it("retries a poison record retryCount times retryInterval apart, logs it once, and goes on", async () => {
    const pages = new Map<string, ChangePage>([["start", { upserts: [rec(1, 1), rec(2, 2), rec(3, 3), rec(4, 4), rec(5, 5)], deletes: [], deltaLink: "d1" }]]);
    const poison = new Set([gid(3)]);
    const { pipeline, file, sleeps, entity, tableId, dest } = await setup(new FakeSource(pages), { poison }, { retryCount: 4, retryIntervalMs: 250 });
    const s = await pipeline.sync();
    expect(s).toMatchObject({ upserts: 4, failed: 1 });
    expect(sleeps).toEqual([250, 250, 250, 250]);
    expect(sqliteRows(file, "widget").map((r) => r.Id).sort()).toEqual([gid(1), gid(2), gid(4), gid(5)]);
    const failures = await db.failure.findMany({ where: { profileId, entity } });
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ recordId: gid(3), changeType: "New" });
    expect(failures[0].reason).toMatch(/CHECK constraint failed/);
    expect(await loadTable(db, tableId)).toMatchObject({ initialSyncState: "CompletedWithFailures", failureNotifications: 1, successNotifications: 4, totalNotifications: 5 });
    const callsAfterFirst = dest.upsertCalls;

    // Same version again in a delta: skipped, no new entry, no write attempt for it.
    pages.set("d1", { upserts: [rec(3, 3)], deletes: [], deltaLink: "d2" });
    expect((await pipeline.sync()).skipped).toBe(1);
    expect(dest.upsertCalls).toBe(callsAfterFirst);
    // Changed at the source and fixed target: written, marker removed, log untouched.
    poison.clear();
    pages.set("d2", { upserts: [rec(3, 9, "fixed")], deletes: [], deltaLink: "d3" });
    expect((await pipeline.sync()).upserts).toBe(1);
    expect(await db.failedRecord.count({ where: { profileId, entity } })).toBe(0);
    expect(await db.failure.count({ where: { profileId, entity } })).toBe(1);
  });

  it("never lets an older version overwrite a newer one", async () => {
    const pages = new Map<string, ChangePage>([
      ["start", { upserts: [rec(1, 50, "new")], deletes: [], nextLink: "p2" }],
      ["p2", { upserts: [rec(1, 40, "old"), rec(2, 41, "other")], deletes: [], deltaLink: "d" }],
    ]);
    const { pipeline, file } = await setup(new FakeSource(pages));
    await pipeline.sync();
    const got = new Map(sqliteRows(file, "widget").map((r) => [r.Id, r]));
    expect(got.get(gid(1))).toMatchObject({ name: "new", versionnumber: 50 });
    expect(got.get(gid(2))).toMatchObject({ name: "other" });
  });

  it("re-syncing failed records writes the ones still at the source and removes the ones gone", async () => {
    const pages = new Map<string, ChangePage>([["start", { upserts: [rec(1, 1), rec(2, 2)], deletes: [], deltaLink: "d" }]]);
    const poison = new Set([gid(1), gid(2)]);
    const { pipeline, file, entity } = await setup(new FakeSource(pages), { poison }, { retryCount: 0, retryIntervalMs: 0 });
    expect((await pipeline.sync()).failed).toBe(2);
    expect(await db.failedRecord.count({ where: { profileId, entity } })).toBe(2);
    // gid(2) was deleted at the source meanwhile; the target is fixed.
    pages.set("start", { upserts: [rec(1, 1)], deletes: [], deltaLink: "d" });
    poison.clear();
    const r = await pipeline.resyncRecords([gid(1), gid(2)]);
    expect(r).toEqual({ written: [gid(1)], failed: [], gone: [gid(2)] });
    expect(sqliteRows(file, "widget").map((x) => x.Id)).toEqual([gid(1)]);
    expect(await db.failedRecord.count({ where: { profileId, entity } })).toBe(0);
    expect(await db.failure.count({ where: { profileId, entity } })).toBe(2);
  });

  it("a transient target error propagates untouched (no record failures logged)", async () => {
    const pages = new Map<string, ChangePage>([["start", { upserts: [rec(1, 1)], deletes: [], deltaLink: "d" }]]);
    const { pipeline, entity } = await setup(new FakeSource(pages), { failBatchesFrom: 1 });
    await expect(pipeline.sync()).rejects.toMatchObject({ code: "ECONNRESET" });
    expect(await db.failure.count({ where: { profileId, entity } })).toBe(0);
  });

  it("breaker: a page whose records fail one by one in majority is a target problem — no entries, no markers, checkpoint kept", async () => {
    const many = Array.from({ length: 12 }, (_, i) => rec(i + 1, i + 1));
    const pages = new Map<string, ChangePage>([["start", { upserts: many.slice(0, 2), deletes: [], deltaLink: "d1" }], ["d1", { upserts: many, deletes: [], deltaLink: "d2" }]]);
    const poison = new Set(many.slice(2, 9).map((r) => r.id)); // 7 of 12
    const { pipeline, file, entity, tableId } = await setup(new FakeSource(pages), { poison }, { retryCount: 2, retryIntervalMs: 0 });
    await pipeline.sync(); // initial: the 2 healthy records
    await expect(pipeline.sync()).rejects.toMatchObject({ name: "PageRefusedError" });
    expect(classifyError(await pipeline.sync().catch((e: unknown) => e))).toBe("transient");
    expect(await db.failure.count({ where: { profileId, entity } })).toBe(0);
    expect(await db.failedRecord.count({ where: { profileId, entity } })).toBe(0);
    expect(await loadTable(db, tableId)).toMatchObject({ deltaLink: "d1" });
    // The target is fixed: the same page goes through whole.
    poison.clear();
    expect((await pipeline.sync()).upserts).toBe(12);
    expect(sqliteRows(file, "widget")).toHaveLength(12);
    expect(await loadTable(db, tableId)).toMatchObject({ deltaLink: "d2" });
  });

  it("re-syncing failed records that all fail again logs them again: the breaker does not apply to known-failed records", async () => {
    const many = Array.from({ length: 12 }, (_, i) => rec(i + 1, i + 1));
    const pages = new Map<string, ChangePage>([["start", { upserts: many, deletes: [], deltaLink: "d1" }]]);
    const poison = new Set<string>();
    const { pipeline, entity } = await setup(new FakeSource(pages), { poison }, { retryCount: 0, retryIntervalMs: 0 });
    await pipeline.sync();
    for (const r of many) poison.add(r.id);
    const r = await pipeline.resyncRecords(many.map((x) => x.id));
    expect(r.failed).toHaveLength(12);
    expect(await db.failure.count({ where: { profileId, entity } })).toBe(12);
  });

  it("below the breaker's threshold (half of the page or fewer) poison records are isolated as before", async () => {
    const many = Array.from({ length: 12 }, (_, i) => rec(i + 1, i + 1));
    const pages = new Map<string, ChangePage>([["start", { upserts: many, deletes: [], deltaLink: "d1" }]]);
    const poison = new Set(many.slice(0, 6).map((r) => r.id));
    const { pipeline, entity } = await setup(new FakeSource(pages), { poison }, { retryCount: 0, retryIntervalMs: 0 });
    expect(await pipeline.sync()).toMatchObject({ upserts: 6, failed: 6 });
    expect(await db.failure.count({ where: { profileId, entity } })).toBe(6);
  });

  it("an error of unknown kind (no code the classifier knows) is transient, never a failed record", async () => {
    const pages = new Map<string, ChangePage>([["start", { upserts: [rec(1, 1), rec(2, 2)], deletes: [], deltaLink: "d" }]]);
    const { pipeline, dest, entity, tableId } = await setup(new FakeSource(pages));
    dest.upsert = async () => {
      throw Object.assign(new Error("cannot execute INSERT in a read-only transaction"), { code: "25006" });
    };
    await expect(pipeline.sync()).rejects.toMatchObject({ code: "25006" });
    expect(await db.failure.count({ where: { profileId, entity } })).toBe(0);
    expect(await db.failedRecord.count({ where: { profileId, entity } })).toBe(0);
    expect(await loadTable(db, tableId)).toMatchObject({ deltaLink: null, initialDone: 0 });
  });

  it("logs a refused record New when it is not in the target yet, Update when it is, Delete for deletes (also on re-sync)", async () => {
    const stamped = (n: number, version: number, createdon: string, modifiedon: string): SourceRecord => {
      const r = rec(n, version);
      return { ...r, values: { ...r.values, createdon, modifiedon } };
    };
    const pages = new Map<string, ChangePage>([
      ["start", { upserts: [rec(1, 1), rec(2, 2)], deletes: [], deltaLink: "d1" }],
      ["d1", {
        upserts: [
          stamped(1, 5, "2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"), // in the target: Update
          stamped(3, 6, "2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z"), // created, then edited before this delta: New
          stamped(4, 7, "2024-04-01T00:00:00Z", "2024-04-01T00:00:00Z"), // never modified: New
          rec(5, 8),
        ],
        deletes: [{ id: gid(2) }],
        deltaLink: "d2",
      }],
    ]);
    const poison = new Set<string>();
    const { pipeline, dest, entity } = await setup(new FakeSource(pages), { poison }, { retryCount: 0, retryIntervalMs: 0 });
    await pipeline.sync();
    for (const n of [1, 3, 4]) poison.add(gid(n));
    const del = dest.delete.bind(dest);
    dest.delete = async (s, ids, log) => {
      if (ids.includes(gid(2))) throw Object.assign(new Error("FOREIGN KEY constraint failed"), { code: "SQLITE_CONSTRAINT_FOREIGNKEY" });
      return del(s, ids, log);
    };
    expect(await pipeline.sync()).toMatchObject({ upserts: 1, failed: 4 });
    let after = 0;
    const types = async () => new Map((await db.failure.findMany({ where: { profileId, entity, id: { gt: after } }, orderBy: { id: "asc" } })).map((f) => [f.recordId, f.changeType]));
    expect(Object.fromEntries(await types())).toEqual({ [gid(1)]: "Update", [gid(3)]: "New", [gid(4)]: "New", [gid(2)]: "Delete" });

    // Re-sync of failed records, still refused: a record the target never had is still New.
    after = (await db.failure.findFirst({ where: { profileId, entity }, orderBy: { id: "desc" } }))!.id;
    const r = await pipeline.resyncRecords([gid(3), gid(1)]);
    expect(r.failed.sort()).toEqual([gid(1), gid(3)]);
    expect(Object.fromEntries(await types())).toEqual({ [gid(3)]: "New", [gid(1)]: "Update" });
  });
});
