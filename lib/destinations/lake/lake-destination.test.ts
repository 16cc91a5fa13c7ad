// Crash safety and replay of the lake writer, against a folder: a part appended but not committed
// is dropped on reopen; a replayed committed page is not written twice; a rewrite interrupted
// before its commit leaves a consistent table.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tableSpecFor } from "../columns";
import { accountRecord, accountSchema } from "../test-fixtures";
import type { LakeSettings } from "../types";
import { FolderStorage } from "./folder-storage";
import { LakeDestination } from "./lake-destination";
import { openLakeReader } from "./reader";
import { loadBook } from "./table-book";
import { applyRetention, takeSnapshot } from "./snapshots";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function lake(settings: Partial<LakeSettings> = {}) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-lake-unit-"));
  dirs.push(root);
  const open = () => new LakeDestination(new FolderStorage(root), { schemaName: "dbo", prefix: "", lake: settings });
  return { root, open, storage: new FolderStorage(root) };
}

const spec = tableSpecFor(accountSchema(), "");
const count = async (storage: FolderStorage, sql: string) => {
  const r = await openLakeReader(storage);
  try {
    return (await r.query(sql))[0];
  } finally {
    await r.close();
  }
};

describe("lake writer: commits, crashes and replays", () => {
  it("drops a part appended after the last commit when the table is opened again", async () => {
    const l = lake();
    const d = l.open();
    await d.ensureTable(spec);
    await d.upsert(spec, [accountRecord(1, 10), accountRecord(2, 11)]);
    const book = (await loadBook(l.storage, "account"))!;
    const file = path.join(l.root, book.files[0].path);
    const committed = fs.readFileSync(file);
    // A page half-written when the process died: bytes on disk the book never recorded.
    fs.appendFileSync(file, '00000000-0000-4000-8000-000000000009,"1/1/2024 1:00:00 AM","unfinished');
    const again = l.open();
    await again.upsert(spec, [accountRecord(3, 12)]);
    const text = fs.readFileSync(file, "utf8");
    expect(text.startsWith(committed.toString("utf8"))).toBe(true);
    expect(text).not.toContain("unfinished");
    expect(await count(l.storage, "select count(*)::int n from raw.account")).toEqual({ n: 3 });
  });

  it("a committed page replayed (crash before the engine's checkpoint) is not appended twice", async () => {
    const l = lake();
    const page = [accountRecord(1, 10), accountRecord(2, 11)];
    const d = l.open();
    await d.ensureTable(spec);
    await d.upsert(spec, page);
    await d.delete(spec, [accountRecord(2, 0).id]);
    const replay = l.open();
    await replay.upsert(spec, page);
    await replay.delete(spec, [accountRecord(2, 0).id]);
    expect(await count(l.storage, "select count(*)::int n from raw.account")).toEqual({ n: 3 });
    expect(await count(l.storage, "select count(*)::int n from account")).toEqual({ n: 1 });
  });

  it("held commits: pages are staged, visible and durable only after commit; a crash before it writes nothing", async () => {
    const l = lake();
    const d = l.open();
    await d.ensureTable(spec);
    await d.upsert(spec, [accountRecord(1, 10)]);
    d.holdCommits(spec);
    await d.upsert(spec, [accountRecord(2, 11), accountRecord(3, 12)]);
    await d.delete(spec, [accountRecord(1, 0).id]);
    expect(d.commitDue(spec)).toBe(false);
    // The process dies here: a new writer (the restarted worker) repairs from the last commit.
    const after = l.open();
    await after.ensureTable(spec);
    expect(await count(l.storage, "select count(*)::int n from raw.account")).toEqual({ n: 1 });
    expect((await loadBook(l.storage, "account"))!.rowsWritten).toBe(1);
    // The same pages written again (the engine replays from its checkpoint), then committed.
    after.holdCommits(spec);
    await after.upsert(spec, [accountRecord(2, 11), accountRecord(3, 12)]);
    await after.delete(spec, [accountRecord(1, 0).id]);
    await after.commit(spec);
    after.releaseCommits(spec);
    expect(await count(l.storage, "select string_agg(Id, ',' order by Id) ids, count(*)::int n from account")).toEqual({ ids: `${accountRecord(2, 0).id},${accountRecord(3, 0).id}`, n: 2 });
    expect(await count(l.storage, "select count(*)::int n from raw.account")).toEqual({ n: 4 });
  });

  it("held commits: a window committed but not checkpointed is recognised page by page when replayed", async () => {
    const l = lake();
    const pages = [[accountRecord(1, 10), accountRecord(2, 11)], [accountRecord(3, 12)], [accountRecord(1, 13, { name: "again" })]];
    const d = l.open();
    await d.ensureTable(spec);
    d.holdCommits(spec);
    for (const p of pages) await d.upsert(spec, p);
    await d.delete(spec, [accountRecord(2, 0).id]);
    await d.commit(spec);
    // Crash before the engine saved its checkpoint: the whole window is read and written again.
    const replay = l.open();
    replay.holdCommits(spec);
    for (const p of pages) expect((await replay.upsert(spec, p)).written).toBe(0);
    expect(await replay.delete(spec, [accountRecord(2, 0).id])).toBe(0);
    await replay.upsert(spec, [accountRecord(4, 14)]);
    await replay.commit(spec);
    expect(await count(l.storage, "select count(*)::int n from raw.account")).toEqual({ n: 6 });
    expect(await count(l.storage, "select count(*)::int n from account")).toEqual({ n: 3 });
  });

  it("held commits: a storage error drops the uncommitted pages and the commit refuses, so no checkpoint covers them", async () => {
    const l = lake();
    const d = l.open();
    await d.ensureTable(spec);
    d.holdCommits(spec);
    await d.upsert(spec, [accountRecord(1, 10)]);
    const storage = d.storage as FolderStorage;
    const stage = storage.stage.bind(storage);
    storage.stage = async () => {
      throw Object.assign(new Error("EIO: disk gone"), { code: "EIO" });
    };
    // Forces the buffered lines out (ensureColumns of a wider schema stages then commits).
    const wider = tableSpecFor({ ...accountSchema(), attributes: [...accountSchema().attributes, { logicalName: "extra", kind: "Integer", typeName: "IntegerType", isPrimaryId: false, isValidForRead: true }] }, "");
    await expect(d.ensureTable(wider)).rejects.toThrow(/disk gone/);
    storage.stage = stage;
    await d.upsert(spec, [accountRecord(2, 11)]);
    await expect(d.commit(spec)).rejects.toThrow(/lost after a storage error/);
    d.releaseCommits(spec);
    expect(await count(l.storage, "select count(*)::int n from raw.account")).toEqual({ n: 0 });
  });

  /** Enough records for more than one staged part (STAGE_BYTES) in one call. */
  const manyRecords = (from: number) => Array.from({ length: 15000 }, (_, i) => accountRecord(from + i, from + i));

  it("held commits: a full part is staged in the background — the write returns while it uploads, the commit waits for it", async () => {
    const l = lake();
    const d = l.open();
    await d.ensureTable(spec);
    d.holdCommits(spec);
    const storage = d.storage as FolderStorage;
    const events: string[] = [];
    let land!: () => void;
    const landed = new Promise<void>((resolve) => (land = resolve));
    const stage = storage.stage.bind(storage);
    storage.stage = async (...args) => {
      events.push("stage started");
      await landed;
      await stage(...args);
      events.push("stage landed");
    };
    const commitParts = storage.commitParts.bind(storage);
    storage.commitParts = async (...args) => {
      events.push("parts committed");
      return commitParts(...args);
    };
    // Would never return if the write waited for its upload (the upload waits for `land`).
    expect((await d.upsert(spec, manyRecords(1))).written).toBe(15000);
    events.push("write returned");
    const committed = d.commit(spec);
    land();
    await committed;
    expect(events).toEqual(["stage started", "write returned", "stage landed", "parts committed"]);
    d.releaseCommits(spec);
    expect(await count(l.storage, "select count(*)::int n from account")).toEqual({ n: 15000 });
  });

  it("held commits: a background stage that fails fails the commit, and nothing of it is committed", async () => {
    const l = lake();
    const d = l.open();
    await d.ensureTable(spec);
    d.holdCommits(spec);
    const storage = d.storage as FolderStorage;
    const stage = storage.stage.bind(storage);
    storage.stage = async () => {
      throw Object.assign(new Error("EIO: disk gone"), { code: "EIO" });
    };
    await d.upsert(spec, manyRecords(1)); // its part fails in the background
    storage.stage = stage;
    await expect(d.commit(spec)).rejects.toThrow(/disk gone/);
    d.releaseCommits(spec);
    expect(await count(l.storage, "select count(*)::int n from raw.account")).toEqual({ n: 0 });
    // The engine re-reads from its checkpoint with a fresh writer: everything is written once.
    const again = l.open();
    await again.ensureTable(spec);
    again.holdCommits(spec);
    await again.upsert(spec, manyRecords(1));
    await again.commit(spec);
    expect(await count(l.storage, "select count(*)::int n, count(distinct Id)::int ids from raw.account")).toEqual({ n: 15000, ids: 15000 });
  });

  it("append-only: a delete row outranks the record; in place: the row is removed and updates replace rows", async () => {
    for (const mode of ["appendOnly", "inPlace"] as const) {
      const l = lake({ mode });
      const d = l.open();
      await d.ensureTable(spec);
      await d.upsert(spec, [accountRecord(1, 10), accountRecord(2, 11), accountRecord(3, 12)]);
      await d.upsert(spec, [accountRecord(1, 20, { name: "updated" }), accountRecord(2, 5, { name: "older, ignored" })]);
      await d.delete(spec, [accountRecord(3, 0).id.toUpperCase()]);
      const state = await openLakeReader(l.storage);
      try {
        expect(await state.query("select Id, name, versionnumber from account order by Id")).toEqual([
          { Id: accountRecord(1, 0).id, name: "updated", versionnumber: "20" },
          { Id: accountRecord(2, 0).id, name: "Account 2", versionnumber: "11" },
        ]);
        const raw = (await state.query("select count(*)::int n from raw.account"))[0];
        expect(raw, mode).toEqual({ n: mode === "inPlace" ? 2 : 6 });
      } finally {
        await state.close();
      }
    }
  });

  it("in place: a rewrite whose commit never happened leaves the table consistent after reopening", async () => {
    const l = lake({ mode: "inPlace" });
    const d = l.open();
    await d.ensureTable(spec);
    await d.upsert(spec, [accountRecord(1, 10), accountRecord(2, 11)]);
    const book = (await loadBook(l.storage, "account"))!;
    // Mark a rewrite in progress, then replace the file as the rewrite would, without the commit.
    book.rewriting = [book.files[0].path];
    await l.storage.write(`Microsoft.Athena.TrickleFeedService/account-model.json`, JSON.stringify({ name: "cdm", version: "1.0", entities: [], "dataverse-export": book }));
    const file = path.join(l.root, book.files[0].path);
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('"Account 2"', '"Account 2, rewritten and longer"'));
    const again = l.open();
    await again.upsert(spec, [accountRecord(1, 12, { name: "Account uno" })]);
    expect(await count(l.storage, "select string_agg(name || ':' || versionnumber || ':' || createdon, '|' order by Id) s, count(*)::int n from raw.account")).toEqual({
      s: "Account uno:12:2024-03-05 10:11:12|Account 2, rewritten and longer:11:2024-03-05 10:11:12",
      n: 2,
    });
  });

  it("retention never deletes a snapshot model.json still names (model.json not yet moved on after a crash)", async () => {
    const l = lake({ snapshotMinutes: 0, snapshotKeep: 1 });
    const d = l.open();
    await d.ensureTable(spec);
    await d.upsert(spec, [accountRecord(1, 11)]);
    await d.maintain([{ spec, initialSyncState: "Completed" }], new Date(Date.UTC(2026, 0, 1, 0, 1)));
    // Two more snapshots whose model.json replacement never happened: model.json names the first.
    const t = await (d as unknown as { table(s: typeof spec): Promise<{ book: Parameters<typeof takeSnapshot>[1] }> }).table(spec);
    const first = t.book.snapshots[0];
    const model = (await l.storage.read("model.json"))!.toString("utf8");
    expect(model).toContain(first.files[0].path.split("/").pop());
    await d.upsert(spec, [accountRecord(2, 12)]);
    const second = await takeSnapshot(l.storage, t.book, new Date(Date.UTC(2026, 0, 1, 0, 2)));
    await d.upsert(spec, [accountRecord(3, 13)]);
    const third = await takeSnapshot(l.storage, t.book, new Date(Date.UTC(2026, 0, 1, 0, 3)));
    expect(await applyRetention(l.storage, t.book, 1)).toBe(1);
    expect((await loadBook(l.storage, "account"))!.snapshots.map((g) => g.at)).toEqual([first.at, third.at]);
    for (const f of first.files) expect(await l.storage.read(f.path)).not.toBeNull();
    for (const f of second.files) expect(await l.storage.read(f.path)).toBeNull();
  });
});
