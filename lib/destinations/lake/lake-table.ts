// Writes one table into the lake. Append-only: every change is a new line in its partition file
// (a delete is a line with IsDelete=True). In place: a change to a row already in the lake
// rewrites its partition file (a new file/blob replaces the old one whole), a delete removes the
// row, and rows new to the lake are appended. A commit makes the appended parts durable and then
// writes the table's book (the commit point). Each call commits, unless the engine holds commits
// (`holding`): then lines are buffered as bytes, staged a few MB at a time in the background (a
// block per file on Azure) and committed when the engine asks — the commit waits for the staging,
// and the engine saves its checkpoint after the commit, never before.
import type { SourceRecord, TargetTableSpec } from "../types";
import { latestById } from "../row-values";
import { ByteChunks } from "../byte-chunks";
import { IS_DELETE, mergeColumns, partitionOf, rowWriter, sinkTime, type RowWriter } from "./lake-columns";
import { scanChunks, scanRecords, versionAfter, versionLess } from "./record-scan";
import { IdIndex } from "./id-index";
import { batchHash, saveBook, type LiveFile, type TableBook } from "./table-book";
import type { LakeStorage } from "./storage";
import { csvLine } from "./csv";
import { PartStager } from "./part-stager";

/** Parts per file before a new file is started (Azure allows 50,000 committed blocks per blob). */
export const MAX_PARTS = 10_000;
/** While commits are held, one is due after this many uncommitted bytes… */
export const COMMIT_BYTES = 16 * 1024 * 1024;
/** …or this long after the first uncommitted write. */
export const COMMIT_MS = 20_000;
/** Batch hashes remembered from the last commit window (a replayed page is skipped). */
const MAX_RECENT = 2000;

export interface Rewrite {
  upserts: Map<string, unknown[]>;
  deletes: Set<string>;
  extra: string[];
}

export class LakeTable {
  private writer: { spec: TargetTableSpec; width: number; w: RowWriter } | null = null;
  /** In place only: Id → partition of every row in the lake, read from the files on first use (compact). */
  private index: IdIndex | null = null;

  /** Set by the destination: the engine holds commits for this table (see Destination.holdCommits). */
  holding = false;
  /** The lines on their way into the files (see part-stager.ts). */
  private readonly parts: PartStager;
  private uncommittedSince = 0;
  private changed = false;
  private mustCommit = false;
  /** Hashes of the batches since the last commit (written or recognised as already written). */
  private window: string[] = [];

  constructor(
    private readonly storage: LakeStorage,
    readonly book: TableBook,
  ) {
    book.recentBatches ??= [book.lastUpsert && `u:${book.lastUpsert}`, book.lastDelete && `d:${book.lastDelete}`].filter((h): h is string => Boolean(h));
    this.previous = book.recentBatches;
    this.parts = new PartStager(storage, book);
  }

  /** The batches of the commit before the last: a page's upsert and delete are two commits when not held. */
  private previous: string[];

  /** Whether anything was written since the last commit (lost if this table is dropped now). */
  get uncommitted(): boolean {
    return this.parts.pendingBytes > 0 || this.changed;
  }

  commitDue(now = Date.now()): boolean {
    return this.parts.pendingBytes >= COMMIT_BYTES || (this.uncommittedSince > 0 && now - this.uncommittedSince >= COMMIT_MS);
  }

  /** A batch already committed (its checkpoint was lost in a crash): remembered, not written again. */
  private seen(hash: string): boolean {
    if (!this.book.recentBatches!.includes(hash) && !this.window.includes(hash)) return false;
    if (!this.window.includes(hash)) this.window.push(hash);
    return true;
  }

  col(name: string): number {
    return this.book.columns.findIndex((c) => c.name.toLowerCase() === name.toLowerCase());
  }

  rowWriter(spec: TargetTableSpec): RowWriter {
    const width = this.book.columns.length;
    if (!this.writer || this.writer.spec !== spec || this.writer.width !== width) {
      this.writer = { spec, width, w: rowWriter(spec, this.book.columns) };
    }
    return this.writer.w;
  }

  /** New columns of `spec` appended to the table (the next lines go to new files). */
  async ensureColumns(spec: TargetTableSpec): Promise<string[]> {
    const { columns, added } = mergeColumns(this.book.columns, spec);
    if (added.length) {
      // Lines buffered so far have the old width: they go to their files before the switch.
      await this.parts.stage();
      this.book.columns = columns;
      await this.commit();
    }
    return added;
  }

  /** The file new lines of `partition` go to: its newest file while it has the current width. */
  private fileFor(partition: string): LiveFile {
    const width = this.book.columns.length;
    const mine = this.book.files.filter((f) => f.partition === partition);
    const last = mine[mine.length - 1];
    if (last && last.columns === width && last.parts < MAX_PARTS) return last;
    const taken = new Set(this.book.files.map((f) => f.path));
    let path = `${this.book.table}/${partition}.csv`;
    while (taken.has(path)) path = `${this.book.table}/${partition}_${this.book.seq++}.csv`;
    const f: LiveFile = { path, partition, columns: width, parts: 0, bytes: 0 };
    this.book.files.push(f);
    this.book.filesWritten++;
    return f;
  }

  private noteVersion(v: unknown): void {
    const s = v === null || v === undefined ? null : String(v);
    if (s && versionLess(this.book.maxVersion, s)) this.book.maxVersion = s;
  }

  /** Buffers the lines of each partition; they are staged once enough has gathered (or at commit). */
  async appendLines(byPartition: Map<string, string[]>): Promise<void> {
    const bytes = new Map<string, Buffer[]>();
    for (const [partition, lines] of byPartition) if (lines.length) bytes.set(partition, [Buffer.from(lines.join(""))]);
    await this.appendBytes(bytes);
  }

  /** Buffers encoded lines per partition (see appendLines). */
  private async appendBytes(byPartition: Map<string, Buffer[]>): Promise<void> {
    for (const [partition, chunks] of byPartition) if (chunks.length) await this.parts.add(this.fileFor(partition), chunks);
  }

  /** Waits until no part is being staged (errors ignored): the writer is being dropped or closed. */
  quiesce(): Promise<void> {
    return this.parts.quiesce();
  }

  /** After a write: commit now unless the engine holds commits (then only note the time). */
  private async finish(): Promise<void> {
    if (!this.holding || this.mustCommit) return this.commit();
    if (!this.uncommittedSince) this.uncommittedSince = Date.now();
  }

  /**
   * Makes everything written so far durable: buffered lines staged, every file's parts committed
   * (in parallel), then the book — the commit point. A crash before the book leaves parts the
   * next open cuts off; the engine's checkpoint follows this, never the other way round.
   */
  async commit(changed = false): Promise<void> {
    if (changed) this.changed = true;
    await this.parts.flush();
    if (this.changed) {
      this.book.changedAt = new Date().toISOString();
      this.book.changedSinceSnapshot = true;
    }
    this.book.recentBatches = [...this.previous, ...this.window].slice(-MAX_RECENT);
    this.previous = this.window;
    delete this.book.lastUpsert;
    delete this.book.lastDelete;
    this.book.rewriting = [];
    await saveBook(this.storage, this.book);
    this.changed = false;
    this.mustCommit = false;
    this.window = [];
    this.uncommittedSince = 0;
    // Files a rewrite left behind (merged into a wider one) go only after the commit names the new one.
    const named = new Set(this.book.files.map((f) => f.path));
    for (const p of this.retired) if (!named.has(p)) await this.storage.delete(p);
    this.retired = [];
  }

  private retired: string[] = [];

  async upsert(spec: TargetTableSpec, records: SourceRecord[]): Promise<number> {
    this.parts.throwIfFailed();
    if (!records.length) return 0;
    const hash = batchHash(records.map((r) => `${r.id.toLowerCase()}:${r.version}`));
    // The page was committed but its checkpoint was not saved (a crash in between): already here.
    if (this.seen(`u:${hash}`)) return 0;
    const w = this.rowWriter(spec);
    const createdAt = this.col("createdon");
    const sink = sinkTime(new Date());
    const rows = latestById(records);
    if (this.book.mode === "appendOnly") {
      // Every line is encoded before anything is buffered: a bad record fails the whole call.
      const byPartition = new Map<string, ByteChunks>();
      const into = (createdon: unknown) => {
        const p = createdAt < 0 ? "1" : partitionOf(createdon, this.book.granularity);
        return byPartition.get(p) ?? byPartition.set(p, new ByteChunks()).get(p)!;
      };
      const versions: unknown[] = [];
      for (const r of rows) versions.push(w.encode(r, sink, into));
      for (const v of versions) this.noteVersion(v);
      // One exact-size copy per partition: a chunk's view keeps its whole 64 KB buffer alive until
      // staged, and with month partitions a page spreads over hundreds of barely used chunks.
      await this.appendBytes(new Map([...byPartition].map(([p, c]) => [p, [Buffer.concat(c.take())]])));
    } else {
      await this.upsertInPlace(w, rows, sink, createdAt);
    }
    this.book.rowsWritten += rows.length;
    this.window.push(`u:${hash}`);
    this.changed = true;
    await this.finish();
    return rows.length;
  }

  /** In place: rows already in the lake rewrite their partition, new rows are appended. */
  private async upsertInPlace(w: RowWriter, rows: SourceRecord[], sink: string, createdAt: number): Promise<void> {
    // Every value is converted before anything is written: a bad record fails the whole call.
    const prepared = rows.map((r) => {
      const values = w.values(r, sink);
      return { id: r.id.toLowerCase(), values, partition: createdAt < 0 ? "1" : partitionOf(values[createdAt], this.book.granularity) };
    });
    const width = this.book.columns.length;
    const appends = new Map<string, string[]>();
    const add = (p: string, line: string) => (appends.get(p) ?? appends.set(p, []).get(p)!).push(line);
    const index = await this.loadIndex();
    const rewrites = new Map<string, Rewrite>();
    const rw = (p: string) => rewrites.get(p) ?? rewrites.set(p, { upserts: new Map(), deletes: new Set(), extra: [] }).get(p)!;
    for (const r of prepared) {
      const at = index.get(r.id);
      if (at === r.partition) rw(at).upserts.set(r.id, r.values);
      else {
        if (at !== undefined) rw(at).deletes.add(r.id); // createdon moved it to another partition
        add(r.partition, w.line(r.values, width));
        index.set(r.id, r.partition);
      }
    }
    for (const [p, lines] of appends) if (rewrites.has(p)) (rw(p).extra = lines), appends.delete(p);
    await this.rewrite(rewrites, w);
    for (const r of prepared) this.noteVersion(r.values[this.col("versionnumber")]);
    await this.appendLines(appends);
  }

  async delete(spec: TargetTableSpec, ids: string[]): Promise<number> {
    this.parts.throwIfFailed();
    const unique = [...new Set(ids.map((i) => i.toLowerCase()))].sort();
    if (!unique.length) return 0;
    const hash = batchHash(unique);
    if (this.seen(`d:${hash}`)) return 0;
    let count = 0;
    if (this.book.mode === "appendOnly") {
      // Dataverse reports a delete without a version: the row takes one above every version the
      // table has seen, so "max versionnumber per Id" always ends on the delete.
      const version = versionAfter(this.book.maxVersion);
      this.book.maxVersion = version;
      const sink = sinkTime(new Date());
      const width = this.book.columns.length;
      const kinds = this.rowWriter(spec).kinds;
      const at = { id: 0, sc: this.col("SinkCreatedOn"), sm: this.col("SinkModifiedOn"), v: this.col("versionnumber"), d: this.col(IS_DELETE) };
      const now = new Date().toISOString();
      const partition = this.book.granularity === "Year" ? now.slice(0, 4) : now.slice(0, 7);
      const lines = unique.map((id) => {
        const values = new Array<unknown>(width).fill(null);
        values[at.id] = id;
        values[at.sc] = sink;
        values[at.sm] = sink;
        values[at.v] = version;
        values[at.d] = true;
        return csvLine(values, kinds);
      });
      await this.appendLines(new Map([[partition, lines]]));
      this.book.rowsWritten += lines.length;
      count = unique.length;
    } else {
      const index = await this.loadIndex();
      const rewrites = new Map<string, Rewrite>();
      for (const id of unique) {
        const p = index.get(id);
        if (p === undefined) continue;
        (rewrites.get(p) ?? rewrites.set(p, { upserts: new Map(), deletes: new Set(), extra: [] }).get(p)!).deletes.add(id);
      }
      count = await this.rewrite(rewrites, this.rowWriter(spec));
    }
    this.window.push(`d:${hash}`);
    if (count > 0) this.changed = true;
    await this.finish();
    return count;
  }

  /**
   * Rewrites partitions: each becomes one new file of the current width holding its rows with the
   * changes applied (an older incoming version never replaces a newer row). The files being
   * replaced are recorded first, so a crash before the commit is repaired on the next open.
   * Returns the rows removed.
   */
  async rewrite(rewrites: Map<string, Rewrite>, w: RowWriter): Promise<number> {
    if (!rewrites.size) return 0;
    const width = this.book.columns.length;
    const versionAt = this.col("versionnumber");
    const plan = [...rewrites].map(([partition, change]) => {
      const files = this.book.files.filter((f) => f.partition === partition);
      const last = files[files.length - 1];
      const taken = new Set(this.book.files.map((f) => f.path));
      let path = last && last.columns === width ? last.path : `${this.book.table}/${partition}.csv`;
      while (path !== last?.path && taken.has(path)) path = `${this.book.table}/${partition}_${this.book.seq++}.csv`;
      return { partition, change, files, path };
    });
    // What was appended before is committed with the list of files being replaced.
    await this.parts.flush();
    this.book.rewriting = plan.map((p) => p.path);
    this.book.recentBatches = [...this.previous, ...this.window].slice(-MAX_RECENT);
    await saveBook(this.storage, this.book);
    // A rewrite is committed at the end of its call even when commits are held (see upsert).
    this.mustCommit = true;
    let removed = 0;
    for (const { partition, change, files, path } of plan) {
      const out: string[] = [];
      for (const f of files) {
        const text = (await this.storage.read(f.path))?.toString("utf8") ?? "";
        scanRecords(text, versionAt, (rec) => {
          if (change.deletes.has(rec.id)) {
            removed++;
            this.index?.delete(rec.id);
            return;
          }
          const values = change.upserts.get(rec.id);
          if (values) {
            change.upserts.delete(rec.id);
            if (!versionLess(String(values[versionAt] ?? ""), rec.version)) {
              values[1] = rec.sinkCreatedOn; // SinkCreatedOn stays the row's first write
              out.push(w.line(values, width));
              return;
            }
          }
          out.push(`${text.slice(rec.start, rec.end)}${",".repeat(Math.max(0, width - rec.width))}\n`);
        });
      }
      for (const values of change.upserts.values()) out.push(w.line(values, width));
      out.push(...change.extra);
      const data = Buffer.from(out.join(""));
      const parts = await this.storage.replace(path, data);
      this.book.bytesWritten += data.length;
      if (!files.some((f) => f.path === path)) this.book.filesWritten++;
      this.retired.push(...files.map((f) => f.path).filter((p) => p !== path));
      const others = this.book.files.filter((f) => f.partition !== partition);
      this.book.files = [...others, { path, partition, columns: width, parts, bytes: data.length }];
    }
    return removed;
  }

  /**
   * The newest row of each Id (highest version; the later row on a tie), for the Ids in `only`
   * or all. `text` is the row's CSV text, parsed by the caller only when needed.
   */
  async latestRows(only?: Set<string>): Promise<Map<string, { partition: string; version: string | null; deleted: boolean; text: string; width: number }>> {
    const out = new Map<string, { partition: string; version: string | null; deleted: boolean; text: string; width: number }>();
    // Staged blocks are invisible on Azure until committed: what this call reads must include them.
    if (this.uncommitted) await this.commit();
    const versionAt = this.col("versionnumber");
    const deleteAt = this.col(IS_DELETE);
    for (const f of this.book.files) {
      await scanChunks(this.storage.chunks(f.path), versionAt, (rec, text) => {
        if (only && !only.has(rec.id)) return;
        const prev = out.get(rec.id);
        if (prev && versionLess(rec.version, prev.version)) return;
        out.set(rec.id, { partition: f.partition, version: rec.version, deleted: rec.deleted, text: only ? text.slice(rec.start, rec.end) : "", width: rec.width });
      }, deleteAt);
    }
    return out;
  }

  private async loadIndex(): Promise<IdIndex> {
    if (this.index) return this.index;
    // The files are read whole: no part may still be landing in them.
    await this.parts.settle();
    const index = new IdIndex();
    const versionAt = this.col("versionnumber");
    for (const f of this.book.files) await scanChunks(this.storage.chunks(f.path), versionAt, (rec) => index.set(rec.id, f.partition));
    this.index = index;
    return index;
  }
}
