// One Delta table (`deltalake/<table>_partitioned/`), written without Spark.
//
// Writes are staged, then committed once per sync cycle:
//  - upsert/delete calls write a staged change file (`_staging/<seq>-<rand>.u.json` rows, or
//    `.d.json` ids) — durable in the lake before the engine checkpoints the page, invisible to
//    Delta readers (a `_` folder is never part of a Delta table);
//  - commit() (end of the cycle) applies every staged change as the latest state per Id,
//    copy-on-write: the data files holding a changed Id are rewritten without the old rows, plus
//    the new ones (a delete keeps the row with IsDelete = true, as Synapse Link's Delta tables
//    do), one Parquet file per PartitionId, written by DuckDB. The log entry is written last and
//    put-if-absent, so a crash before it leaves no visible change (the staged files are applied
//    again on the next start) and a second writer of the same version loses cleanly. The commit
//    records the last staged sequence it consumed in a `txn` action (appId
//    `dataverse-export-staging`), so a crash after the commit never applies a change twice.
//  - compact() merges small files of a partition (dataChange false), vacuum() deletes files no
//    version within the retention references; checkpoints every 10 commits.
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { latestById, makeRowBuilder, type Encoder } from "../../row-values";
import type { SourceRecord, TargetTableSpec } from "../../types";
import { lakeColumnsFor, mergeColumns, partitionOf, type LakeColumn } from "../lake-columns";
import type { LakeStorage } from "../storage";
import type { Duck, DuckConn } from "./duck";
import { DeltaFiles } from "./files";
import {
  applyActions, checkpointActions, checkpointName, checkpointVersion, CHECKPOINT_EVERY, commitName, commitVersion, emptySnapshot, encodePath,
  LOG_DIR, parseCommit, PROTOCOL, serializeCommit, type Action, type AddAction, type RemoveAction, type Snapshot,
} from "./log";
import { columnsOfSchema, duckType, PARTITION_COLUMN, quoteId, quoteStr, schemaString, statsColumns } from "./schema";

export const DELTA_ROOT = "deltalake";
export const tableDirOf = (table: string) => `${DELTA_ROOT}/${table}_partitioned`;
export const STAGING_APP = "dataverse-export-staging";
export const COMPACTION_APP = "dataverse-export-compaction";
export const VACUUM_APP = "dataverse-export-vacuum";
const STAGING = "_staging";
const ENGINE = "dataverse-export";

export interface DeltaTableOptions {
  granularity: "Year" | "Month";
  /** Files smaller than this are merged by compaction (default 128 MiB). */
  targetFileBytes: number;
  /** Removed files (and orphans) older than this are deleted by vacuum; time travel reaches this far. */
  retentionHours: number;
  checkpointEvery: number;
}

export class DeltaConflictError extends Error {
  readonly transient = true;
  constructor(readonly version: number, table: string) {
    super(`Delta table ${table}: another writer committed version ${version} first; this commit was abandoned (its data files removed) and will be retried.`);
    this.name = "DeltaConflictError";
  }
}

interface Staged {
  seq: number;
  rel: string;
  kind: "u" | "d";
  rows: number;
}

const encoder: Encoder = {
  bool: (v) => v,
  datetime: (iso) => iso,
  date: (day) => `${day}T00:00:00Z`,
  bigint: (v) => v,
};

const STAGED_NAME = /^_staging\/(\d{12})-[0-9a-f]+\.(u|d)\.parquet$/;

export class DeltaTable {
  snapshot: Snapshot = emptySnapshot();
  private staged: Staged[] = [];
  private nextSeq = 1;
  private conn: DuckConn | null = null;
  readonly files: DeltaFiles;
  /** Figures since start (profile page): files and bytes written by this process. */
  filesWritten = 0;
  bytesWritten = 0;

  constructor(
    readonly storage: LakeStorage,
    readonly table: string,
    private readonly duck: Duck,
    readonly opts: DeltaTableOptions,
  ) {
    this.files = new DeltaFiles(storage, tableDirOf(table));
  }

  get exists(): boolean {
    return this.snapshot.version >= 0;
  }

  get columns(): LakeColumn[] {
    return this.snapshot.metaData ? columnsOfSchema(this.snapshot.metaData.schemaString) : [];
  }

  get pendingRows(): number {
    return this.staged.reduce((n, s) => n + s.rows, 0);
  }

  get consumedSeq(): number {
    return this.snapshot.txns.get(STAGING_APP)?.version ?? 0;
  }

  get lastCompactionAt(): number | null {
    return this.snapshot.txns.get(COMPACTION_APP)?.version ?? null;
  }

  get lastVacuumAt(): number | null {
    return this.snapshot.txns.get(VACUUM_APP)?.version ?? null;
  }

  private async db(): Promise<DuckConn> {
    if (!this.conn) this.conn = await this.duck.connect();
    return this.conn;
  }

  close(): void {
    this.conn?.close();
    this.conn = null;
  }

  // ---- log ---------------------------------------------------------------------------------

  /** Reads the log (newest checkpoint + later commits) and the staged changes not yet committed. */
  async open(): Promise<this> {
    this.snapshot = await this.replay();
    const consumed = this.consumedSeq;
    this.staged = [];
    let maxSeq = consumed;
    for (const f of await this.files.list(`${STAGING}/`)) {
      const m = STAGED_NAME.exec(f.path);
      if (!m) continue;
      const seq = Number(m[1]);
      maxSeq = Math.max(maxSeq, seq);
      // Already in a commit (the crash came after the log entry, before the clean-up).
      if (seq <= consumed) await this.files.remove(f.path).catch(() => undefined);
      else this.staged.push({ seq, rel: f.path, kind: m[2] as "u" | "d", rows: 0 });
    }
    this.staged.sort((a, b) => a.seq - b.seq || a.rel.localeCompare(b.rel));
    this.nextSeq = maxSeq + 1;
    return this;
  }

  /** The table's state at `upTo` (default: the newest version). */
  async replay(upTo = Number.POSITIVE_INFINITY): Promise<Snapshot> {
    const names = (await this.files.list(`${LOG_DIR}/`)).map((f) => f.path.slice(LOG_DIR.length + 1));
    const commits = names.map(commitVersion).filter((v): v is number => v !== null && v <= upTo).sort((a, b) => a - b);
    const cps = names.map(checkpointVersion).filter((v): v is number => v !== null && v <= upTo).sort((a, b) => a - b);
    const s = emptySnapshot();
    let from = 0;
    const cp = cps.at(-1);
    if (cp !== undefined) {
      applyActions(s, cp, await this.readCheckpoint(cp));
      from = cp + 1;
    }
    for (const v of commits) {
      if (v < from) continue;
      if (v !== s.version + 1) throw new Error(`Delta table ${this.table}: the log jumps from version ${s.version} to ${v}`);
      const raw = await this.files.read(`${LOG_DIR}/${commitName(v)}`);
      if (!raw) throw new Error(`Delta table ${this.table}: ${commitName(v)} vanished while reading the log`);
      applyActions(s, v, parseCommit(raw.toString("utf8")));
    }
    if (Number.isFinite(upTo) && s.version !== upTo) throw new Error(`Delta table ${this.table} has no version ${upTo} (newest ${s.version})`);
    return s;
  }

  private async readCheckpoint(version: number): Promise<Action[]> {
    const local = await this.files.localOf(`${LOG_DIR}/${checkpointName(version)}`);
    const rows = await (await this.db()).all(
      `SELECT to_json(protocol)::VARCHAR p, to_json(metaData)::VARCHAR m, to_json(txn)::VARCHAR t, to_json("add")::VARCHAR a, to_json("remove")::VARCHAR r FROM read_parquet(${quoteStr(local)})`,
    );
    const out: Action[] = [];
    const clean = <T>(json: string): T => JSON.parse(json, (_k, v) => (v === null ? undefined : v)) as T;
    for (const r of rows) {
      if (r.p) out.push({ protocol: clean(String(r.p)) });
      if (r.m) out.push({ metaData: clean(String(r.m)) });
      if (r.t) out.push({ txn: clean(String(r.t)) });
      if (r.a) out.push({ add: clean(String(r.a)) });
      if (r.r) out.push({ remove: clean(String(r.r)) });
    }
    return out;
  }

  /**
   * Writes version `snapshot.version + 1` put-if-absent. On a conflict the files this commit
   * added are deleted and DeltaConflictError is thrown (the snapshot is re-read first).
   */
  private async commitActions(actions: Action[], operation: string, parameters: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<number> {
    const version = this.snapshot.version + 1;
    const now = Date.now();
    const all: Action[] = [
      ...actions,
      { commitInfo: { timestamp: now, operation, operationParameters: parameters, isBlindAppend: false, engineInfo: ENGINE, ...extra } },
    ];
    const ok = await this.files.createExclusive(`${LOG_DIR}/${commitName(version)}`, serializeCommit(all));
    if (!ok) {
      for (const a of actions) if ("add" in a) await this.files.remove(decodeURIComponent(a.add.path)).catch(() => undefined);
      await this.afterConflict();
      throw new DeltaConflictError(version, this.table);
    }
    applyActions(this.snapshot, version, all);
    if (version > 0 && version % this.opts.checkpointEvery === 0) await this.writeCheckpoint().catch(() => undefined);
    return version;
  }

  /** Another writer committed: read the log again and forget staged files it already applied (and removed). */
  private async afterConflict(): Promise<void> {
    this.snapshot = await this.replay();
    const present = new Set((await this.files.list(`${STAGING}/`)).map((f) => f.path));
    this.staged = this.staged.filter((s) => present.has(s.rel));
  }

  /** Whether a version after ours exists (another writer got in). */
  private async logAdvanced(): Promise<boolean> {
    return (await this.files.read(`${LOG_DIR}/${commitName(this.snapshot.version + 1)}`)) !== null;
  }

  /** `<v>.checkpoint.parquet` of the current snapshot (via DuckDB), then `_last_checkpoint`. */
  private async writeCheckpoint(): Promise<void> {
    const s = this.snapshot;
    const actions = checkpointActions(s, Date.now(), this.opts.retentionHours * 3_600_000);
    const dir = await this.files.scratch();
    try {
      const json = path.join(dir, "cp.json");
      await fsp.writeFile(json, actions.map((a) => JSON.stringify(a)).join("\n") + "\n");
      const out = path.join(dir, "cp.parquet");
      await (await this.db()).run(
        `COPY (SELECT * FROM read_json(${quoteStr(json)}, format = 'newline_delimited', columns = {` +
          `txn: 'STRUCT(appId VARCHAR, version BIGINT, lastUpdated BIGINT)', ` +
          `"add": 'STRUCT(path VARCHAR, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, modificationTime BIGINT, dataChange BOOLEAN, stats VARCHAR, tags MAP(VARCHAR, VARCHAR))', ` +
          `"remove": 'STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN, extendedFileMetadata BOOLEAN, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT)', ` +
          `metaData: 'STRUCT(id VARCHAR, name VARCHAR, description VARCHAR, format STRUCT(provider VARCHAR, options MAP(VARCHAR, VARCHAR)), schemaString VARCHAR, partitionColumns VARCHAR[], configuration MAP(VARCHAR, VARCHAR), createdTime BIGINT)', ` +
          `protocol: 'STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER)'})) TO ${quoteStr(out)} (FORMAT parquet)`,
      );
      const size = await this.files.size(out);
      await this.files.publish(out, `${LOG_DIR}/${checkpointName(s.version)}`);
      const adds = actions.filter((a) => "add" in a).length;
      await this.files.write(`${LOG_DIR}/_last_checkpoint`, JSON.stringify({ version: s.version, size: actions.length, sizeInBytes: size, numOfAddFiles: adds }));
    } finally {
      await this.files.dropScratch(dir);
    }
  }

  // ---- schema ------------------------------------------------------------------------------

  /** Creates the table (version 0: protocol + metaData) or adds the spec's new columns (a new metaData). */
  async ensure(spec: TargetTableSpec): Promise<{ created: boolean; added: string[] }> {
    if (!this.exists) {
      const columns = lakeColumnsFor(spec);
      await this.commitActions(
        [
          { protocol: { ...PROTOCOL } },
          {
            metaData: {
              id: crypto.randomUUID(), name: this.table, format: { provider: "parquet", options: {} },
              schemaString: schemaString(columns), partitionColumns: [PARTITION_COLUMN], configuration: {}, createdTime: Date.now(),
            },
          },
        ],
        "CREATE TABLE",
        { partitionBy: JSON.stringify([PARTITION_COLUMN]) },
      );
      return { created: true, added: [] };
    }
    const { columns, added } = mergeColumns(this.columns, spec);
    if (!added.length) return { created: false, added: [] };
    // Schema evolution: added columns only (older files read them as null).
    await this.commitActions([{ metaData: { ...this.snapshot.metaData!, schemaString: schemaString(columns) } }], "ADD COLUMNS", { columns: JSON.stringify(added) });
    return { created: false, added };
  }

  // ---- staging -----------------------------------------------------------------------------

  private stagedName(kind: "u" | "d"): { seq: number; rel: string } {
    const seq = this.nextSeq++;
    return { seq, rel: `${STAGING}/${String(seq).padStart(12, "0")}-${crypto.randomBytes(4).toString("hex")}.${kind}.parquet` };
  }

  /** One staged change file: the rows as JSON lines, typed by DuckDB into Parquet (read back cheaply at commit). */
  private async stage(kind: "u" | "d", lines: string[]): Promise<void> {
    const { seq, rel } = this.stagedName(kind);
    const dir = await this.files.scratch();
    try {
      const json = path.join(dir, "staged.json");
      await fsp.writeFile(json, lines.join(""));
      const columns = kind === "u" ? `{${this.typedColumns(this.columns)}, ${PARTITION_COLUMN}: 'VARCHAR'}` : `{Id: 'VARCHAR'}`;
      const file = path.join(dir, "staged.parquet");
      await (await this.db()).run(`COPY (SELECT * FROM read_json(${quoteStr(json)}, format = 'newline_delimited', columns = ${columns})) TO ${quoteStr(file)} (FORMAT parquet)`);
      await this.files.publish(file, rel);
    } finally {
      await this.files.dropScratch(dir);
    }
    this.staged.push({ seq, rel, kind, rows: lines.length });
  }

  /** Rows (objects by column name, PartitionId added) of the latest record per Id; every value converted first. */
  private rowsOf(spec: TargetTableSpec, records: SourceRecord[]): Record<string, unknown>[] {
    const columns = this.columns;
    const build = makeRowBuilder(spec, encoder);
    const index = new Map(spec.columns.map((c, i) => [c.name.toLowerCase(), i]));
    const from = columns.map((c) => index.get(c.name.toLowerCase()) ?? -1);
    const created = columns.findIndex((c) => c.name.toLowerCase() === "createdon");
    const now = new Date().toISOString();
    return latestById(records).map((r) => {
      const values = build(r, now);
      const o: Record<string, unknown> = {};
      columns.forEach((c, i) => {
        const at = from[i];
        if (at >= 0) o[c.name] = values[at];
      });
      o[PARTITION_COLUMN] = created < 0 || from[created] < 0 ? "1" : partitionOf(values[from[created]], this.opts.granularity);
      return o;
    });
  }

  /** Stages the page's rows (latest per Id); a value that cannot be converted fails the call before anything is written. */
  async stageUpserts(spec: TargetTableSpec, records: SourceRecord[]): Promise<number> {
    const rows = this.rowsOf(spec, records);
    if (!rows.length) return 0;
    await this.stage("u", rows.map((o) => JSON.stringify(o) + "\n"));
    return rows.length;
  }

  async stageDeletes(ids: string[]): Promise<number> {
    const unique = [...new Set(ids.map((i) => i.toLowerCase()))];
    if (!unique.length) return 0;
    await this.stage("d", unique.map((id) => JSON.stringify({ Id: id }) + "\n"));
    return unique.length;
  }

  // ---- commit (copy-on-write) --------------------------------------------------------------

  private typedColumns(columns: LakeColumn[]): string {
    return columns.map((c) => `${quoteId(c.name)}: ${quoteStr(duckType(c))}`).join(", ");
  }

  /** A view `name` over `files` with every current column (null where a file predates it); `temp` false: in the main schema. */
  async fileView(db: DuckConn, name: string, files: { local: string; partition: string }[], temp = true): Promise<void> {
    const kind = temp ? "TEMP " : "";
    const columns = this.columns;
    if (!files.length) {
      const empty = columns.map((c) => `CAST(NULL AS ${duckType(c)}) AS ${quoteId(c.name)}`).join(", ");
      await db.run(`CREATE OR REPLACE ${kind}VIEW ${name} AS SELECT ${empty}, CAST(NULL AS VARCHAR) AS ${PARTITION_COLUMN} WHERE false`);
      return;
    }
    const list = `[${files.map((f) => quoteStr(f.local)).join(", ")}]`;
    const present = new Set((await db.all(`SELECT DISTINCT name FROM parquet_schema(${list})`)).map((r) => String(r.name)));
    const parts = files.map((f) => `(${quoteStr(f.local)}, ${quoteStr(f.partition)})`).join(", ");
    await db.run(`CREATE OR REPLACE ${kind}TABLE ${name}_part AS SELECT * FROM (VALUES ${parts}) t(filename, ${PARTITION_COLUMN})`);
    const select = columns.map((c) => (present.has(c.name) ? `CAST(f.${quoteId(c.name)} AS ${duckType(c)}) AS ${quoteId(c.name)}` : `CAST(NULL AS ${duckType(c)}) AS ${quoteId(c.name)}`)).join(", ");
    await db.run(
      `CREATE OR REPLACE ${kind}VIEW ${name} AS SELECT ${select}, p.${PARTITION_COLUMN} FROM read_parquet(${list}, union_by_name = true, filename = true) f JOIN ${name}_part p ON f.filename = p.filename`,
    );
  }

  private async liveLocal(paths: string[]): Promise<{ path: string; local: string; partition: string }[]> {
    const out = [];
    for (const p of paths) {
      const add = this.snapshot.files.get(p)!;
      out.push({ path: p, local: await this.files.localOf(p), partition: add.partitionValues[PARTITION_COLUMN] ?? "1" });
    }
    return out;
  }

  /** Writes `select` (columns + PartitionId) as one Parquet file per PartitionId; returns the add actions (not yet published in the log). */
  private async writeFiles(db: DuckConn, select: string, dataChange: boolean): Promise<AddAction[]> {
    const dir = await this.files.scratch();
    const adds: AddAction[] = [];
    try {
      await db.run(`COPY (${select}) TO ${quoteStr(dir)} (FORMAT parquet, PARTITION_BY (${PARTITION_COLUMN}), FILENAME_PATTERN 'part-{uuid}', OVERWRITE_OR_IGNORE true)`);
      for (const sub of await fsp.readdir(dir)) {
        const m = /^PartitionId=(.*)$/.exec(sub);
        if (!m) continue;
        const partition = decodeURIComponent(m[1]);
        for (const name of await fsp.readdir(path.join(dir, sub))) {
          const local = path.join(dir, sub, name);
          const size = await this.files.size(local);
          const stats = await this.fileStats(db, local);
          const rel = `${PARTITION_COLUMN}=${partition}/part-${Date.now()}-${crypto.randomUUID()}.c000.snappy.parquet`;
          await this.files.publish(local, rel);
          this.filesWritten++;
          this.bytesWritten += size;
          adds.push({ path: encodePath(rel), partitionValues: { [PARTITION_COLUMN]: partition }, size, modificationTime: Date.now(), dataChange, stats });
        }
      }
    } catch (err) {
      for (const a of adds) await this.files.remove(decodeURIComponent(a.path)).catch(() => undefined);
      throw err;
    } finally {
      await this.files.dropScratch(dir);
    }
    return adds;
  }

  /** numRecords, minValues/maxValues (Id, numbers, timestamps), nullCount of every column. */
  private async fileStats(db: DuckConn, local: string): Promise<string> {
    const columns = this.columns;
    const ranged = statsColumns(columns);
    const show = (c: LakeColumn, fn: "min" | "max") =>
      c.dataType === "dateTime" ? `strftime(${fn}(${quoteId(c.name)}), '%Y-%m-%dT%H:%M:%S.%gZ')` : `${fn}(${quoteId(c.name)})::VARCHAR`;
    const sel = [
      "count(*)::BIGINT AS n",
      ...ranged.flatMap((c, i) => [`${show(c, "min")} AS mn${i}`, `${show(c, "max")} AS mx${i}`]),
      ...columns.map((c, i) => `(count(*) - count(${quoteId(c.name)}))::BIGINT AS nc${i}`),
    ];
    const [r] = await db.all(`SELECT ${sel.join(", ")} FROM read_parquet(${quoteStr(local)})`);
    const value = (c: LakeColumn, v: unknown) => (v === null || v === undefined ? undefined : c.dataType === "dateTime" || c.dataType === "string" || c.dataType === "guid" ? String(v) : Number(v));
    const minValues: Record<string, unknown> = {};
    const maxValues: Record<string, unknown> = {};
    ranged.forEach((c, i) => {
      const lo = value(c, r[`mn${i}`]);
      const hi = value(c, r[`mx${i}`]);
      if (lo !== undefined) minValues[c.name] = lo;
      if (hi !== undefined) maxValues[c.name] = hi;
    });
    const nullCount: Record<string, number> = {};
    columns.forEach((c, i) => (nullCount[c.name] = Number(r[`nc${i}`])));
    return JSON.stringify({ numRecords: Number(r.n), minValues, maxValues, nullCount });
  }

  private maxVersionInStats(): number {
    let max = 0;
    for (const a of this.snapshot.files.values()) {
      if (!a.stats) continue;
      const v = Number((JSON.parse(a.stats) as { maxValues?: Record<string, unknown> }).maxValues?.versionnumber ?? 0);
      if (v > max) max = v;
    }
    return max;
  }

  /**
   * Applies every staged change as one Delta commit; returns the new version, or null when
   * nothing was staged. Throws DeltaConflictError when another writer took the version.
   */
  async commit(): Promise<number | null> {
    if (!this.staged.length) return null;
    try {
      return await this.commitStaged();
    } catch (err) {
      // A file vanished under us (another writer applied and removed it): that is a lost race.
      if (!(err instanceof DeltaConflictError) && (await this.logAdvanced().catch(() => false))) {
        const version = this.snapshot.version + 1;
        await this.afterConflict();
        throw new DeltaConflictError(version, this.table);
      }
      throw err;
    }
  }

  private async commitStaged(): Promise<number> {
    const db = await this.db();
    const staged = [...this.staged];
    const columns = this.columns;
    // Memory stays bounded whatever the cycle's size: only (Id, last sequence, operation) is
    // materialised; the rows stream from the staged files through hash joins into COPY (DuckDB
    // spills to its temporary folder when a join does not fit).
    const files: { local: string; seq: number; op: "U" | "D" }[] = [];
    for (const s of staged) files.push({ local: await this.files.localOf(s.rel), seq: s.seq, op: s.kind === "u" ? "U" : "D" });
    const all = `[${files.map((f) => quoteStr(f.local)).join(", ")}]`;
    const ups = files.filter((f) => f.op === "U");
    await db.run(`CREATE OR REPLACE TEMP TABLE sf AS SELECT * FROM (VALUES ${files.map((f) => `(${quoteStr(f.local)}, ${f.seq}::BIGINT, '${f.op}')`).join(", ")}) t(filename, seq, op)`);
    const versionExpr = ups.length ? "x.versionnumber" : "CAST(NULL AS BIGINT)";
    await db.run(
      `CREATE OR REPLACE TEMP TABLE keys AS SELECT x.Id, max(sf.seq) AS seq, arg_max(sf.op, sf.seq) AS op, max(${versionExpr}) AS v ` +
        `FROM read_parquet(${all}, filename = true, union_by_name = true) x JOIN sf ON sf.filename = x.filename GROUP BY x.Id`,
    );
    const cols = columns.map((c) => quoteId(c.name));
    const emptyU = `SELECT ${[...columns.map((c) => `CAST(NULL AS ${duckType(c)}) AS ${quoteId(c.name)}`), `CAST(NULL AS VARCHAR) AS ${PARTITION_COLUMN}`].join(", ")} WHERE false`;
    let chg = emptyU;
    if (ups.length) {
      const list = `[${ups.map((f) => quoteStr(f.local)).join(", ")}]`;
      // Pages staged before a schema change lack the added columns: null there.
      const present = new Set((await db.all(`SELECT DISTINCT name FROM parquet_schema(${list})`)).map((r) => String(r.name)));
      const pick = (c: LakeColumn) => (present.has(c.name) ? `CAST(u.${quoteId(c.name)} AS ${duckType(c)}) AS ${quoteId(c.name)}` : `CAST(NULL AS ${duckType(c)}) AS ${quoteId(c.name)}`);
      chg = `SELECT ${[...columns.map(pick), `u.${PARTITION_COLUMN}`].join(", ")} FROM read_parquet(${list}, filename = true, union_by_name = true) u ` +
        `JOIN sf ON sf.filename = u.filename JOIN keys k ON k.Id = u.Id AND k.seq = sf.seq`;
    }
    await db.run(`CREATE OR REPLACE TEMP VIEW chg AS ${chg}`);
    const [counts] = await db.all(`SELECT count(*) FILTER (WHERE op = 'U')::BIGINT AS u, count(*) FILTER (WHERE op = 'D')::BIGINT AS d, coalesce(max(v), 0)::BIGINT AS v FROM keys`);
    const upserts = Number(counts.u);
    const deletes = Number(counts.d);

    // The live files holding a changed Id (all of their rows are rewritten).
    const live = [...this.snapshot.files.keys()];
    let hits: { path: string; local: string; partition: string }[] = [];
    if (live.length) {
      const allLive = await this.liveLocal(live);
      const list = `[${allLive.map((f) => quoteStr(f.local)).join(", ")}]`;
      const found = new Set((await db.all(`SELECT DISTINCT f.filename FROM read_parquet(${list}, filename = true, union_by_name = true) f SEMI JOIN keys k ON f.Id = k.Id`)).map((r) => String(r.filename)));
      hits = allLive.filter((f) => found.has(f.local));
    }
    await this.fileView(db, "old", hits);
    const deleteVersion = Math.max(Number(counts.v), this.maxVersionInStats()) + 1;
    const now = new Date().toISOString();
    const oCols = [...cols.map((c) => `o.${c}`), `o.${PARTITION_COLUMN}`].join(", ");
    const cCols = [...cols.map((c) => `c.${c}`), `c.${PARTITION_COLUMN}`].join(", ");
    const applies = `(o.Id IS NULL OR coalesce(o.IsDelete, false) OR o.versionnumber IS NULL OR c.versionnumber IS NULL OR c.versionnumber >= o.versionnumber)`;
    const delCols = [
      ...columns.map((c) =>
        c.name === "IsDelete" ? `true AS "IsDelete"` : c.name === "SinkModifiedOn" ? `TIMESTAMPTZ ${quoteStr(now)} AS "SinkModifiedOn"` : c.name === "versionnumber" ? `${deleteVersion}::BIGINT AS versionnumber` : `o.${quoteId(c.name)}`,
      ),
      `o.${PARTITION_COLUMN}`,
    ].join(", ");
    const result = hits.length
      ? `SELECT ${oCols} FROM old o ANTI JOIN keys k ON o.Id = k.Id ` +
        `UNION ALL SELECT ${cCols} FROM chg c LEFT JOIN old o ON o.Id = c.Id WHERE ${applies} ` +
        `UNION ALL SELECT ${oCols} FROM old o JOIN chg c ON o.Id = c.Id WHERE NOT ${applies} ` +
        `UNION ALL SELECT ${delCols} FROM old o JOIN keys k ON o.Id = k.Id WHERE k.op = 'D' AND NOT coalesce(o.IsDelete, false) ` +
        `UNION ALL SELECT ${oCols} FROM old o JOIN keys k ON o.Id = k.Id WHERE k.op = 'D' AND coalesce(o.IsDelete, false)`
      : `SELECT ${cCols} FROM chg c`;
    const adds = upserts > 0 || hits.length ? await this.writeFiles(db, result, true) : [];
    const removes: RemoveAction[] = hits.map((h) => {
      const a = this.snapshot.files.get(h.path)!;
      return { path: a.path, deletionTimestamp: Date.now(), dataChange: true, extendedFileMetadata: true, partitionValues: a.partitionValues, size: a.size };
    });
    const lastSeq = staged.at(-1)!.seq;
    await db.run("DROP VIEW IF EXISTS chg; DROP TABLE IF EXISTS keys; DROP TABLE IF EXISTS sf");
    let version: number;
    try {
      version = await this.commitActions(
        [...removes.map((r) => ({ remove: r })), ...adds.map((a) => ({ add: a })), { txn: { appId: STAGING_APP, version: lastSeq, lastUpdated: Date.now() } }],
        "MERGE",
        { predicate: "Id", matchedPredicates: JSON.stringify([{ actionType: "update" }, { actionType: "delete (IsDelete = true)" }]) },
        { operationMetrics: { numTargetRowsUpserted: String(upserts), numTargetRowsDeleted: String(deletes), numTargetFilesAdded: String(adds.length), numTargetFilesRemoved: String(removes.length) } },
      );
    } catch (err) {
      if (!(err instanceof DeltaConflictError)) for (const a of adds) await this.files.remove(decodeURIComponent(a.path)).catch(() => undefined);
      throw err;
    }
    this.staged = this.staged.filter((s) => s.seq > lastSeq);
    for (const s of staged) await this.files.remove(s.rel).catch(() => undefined);
    return version;
  }

  /**
   * Backfill of added columns: sets only `names` of live rows whose version is not newer than
   * the record's, as one Delta commit (copy-on-write of the files holding them). Returns rows set.
   */
  async patchColumns(spec: TargetTableSpec, names: string[], records: SourceRecord[]): Promise<number> {
    const columns = this.columns;
    const wanted = new Set(names.map((n) => n.toLowerCase()));
    const targets = columns.filter((c) => wanted.has(c.name.toLowerCase()));
    if (!targets.length || !this.snapshot.files.size) return 0;
    const rows = this.rowsOf(spec, records).map((o) => {
      const p: Record<string, unknown> = { Id: o.Id, versionnumber: o.versionnumber };
      for (const c of targets) p[c.name] = o[c.name] ?? null;
      return p;
    });
    const db = await this.db();
    const dir = await this.files.scratch();
    try {
      const file = path.join(dir, "patch.json");
      await fsp.writeFile(file, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
      const typed = this.typedColumns(columns.filter((c) => c.name === "Id" || c.name === "versionnumber" || targets.includes(c)));
      await db.run(`CREATE OR REPLACE TEMP TABLE patch AS SELECT * FROM read_json(${quoteStr(file)}, format = 'newline_delimited', columns = {${typed}})`);
    } finally {
      await this.files.dropScratch(dir);
    }
    const all = await this.liveFiles();
    const list = `[${all.map((f) => quoteStr(f.local)).join(", ")}]`;
    const found = new Set((await db.all(`SELECT DISTINCT filename FROM read_parquet(${list}, filename = true, union_by_name = true) WHERE Id IN (SELECT Id FROM patch)`)).map((r) => String(r.filename)));
    const hits = all.filter((f) => found.has(f.local));
    await this.fileView(db, "old", hits);
    await db.run(
      `CREATE OR REPLACE TEMP TABLE matched AS SELECT p.* FROM old o JOIN patch p ON o.Id = p.Id ` +
        `WHERE NOT coalesce(o.IsDelete, false) AND (p.versionnumber IS NULL OR o.versionnumber IS NULL OR p.versionnumber >= o.versionnumber)`,
    );
    const n = Number((await db.all(`SELECT count(*)::BIGINT n FROM matched`))[0].n);
    if (!n) return 0;
    const now = new Date().toISOString();
    const select = [
      ...columns.map((c) =>
        targets.includes(c)
          ? `CASE WHEN m.Id IS NULL THEN o.${quoteId(c.name)} ELSE m.${quoteId(c.name)} END AS ${quoteId(c.name)}`
          : c.name === "SinkModifiedOn"
            ? `CASE WHEN m.Id IS NULL THEN o."SinkModifiedOn" ELSE TIMESTAMPTZ ${quoteStr(now)} END AS "SinkModifiedOn"`
            : `o.${quoteId(c.name)}`,
      ),
      `o.${PARTITION_COLUMN}`,
    ].join(", ");
    const adds = await this.writeFiles(db, `SELECT ${select} FROM old o LEFT JOIN matched m ON o.Id = m.Id ORDER BY o.${PARTITION_COLUMN}, o.Id`, true);
    const removes = hits.map((h) => {
      const a = this.snapshot.files.get(h.path)!;
      return { remove: { path: a.path, deletionTimestamp: Date.now(), dataChange: true, extendedFileMetadata: true, partitionValues: a.partitionValues, size: a.size } };
    });
    await db.run("DROP TABLE IF EXISTS patch; DROP TABLE IF EXISTS matched");
    await this.commitActions([...removes, ...adds.map((a) => ({ add: a }))], "UPDATE", { predicate: "backfill of added columns", columns: JSON.stringify(targets.map((c) => c.name)) });
    return n;
  }

  // ---- upkeep ------------------------------------------------------------------------------

  /** Merges each partition's files smaller than the target into one (dataChange false). Returns the new version or null. */
  async compact(): Promise<number | null> {
    const byPartition = new Map<string, string[]>();
    for (const [p, a] of this.snapshot.files) {
      if (a.size >= this.opts.targetFileBytes) continue;
      const part = a.partitionValues[PARTITION_COLUMN] ?? "1";
      (byPartition.get(part) ?? byPartition.set(part, []).get(part)!).push(p);
    }
    const merge = [...byPartition.values()].filter((ps) => ps.length > 1).flat();
    const actions: Action[] = [];
    if (merge.length) {
      const db = await this.db();
      const files = await this.liveLocal(merge);
      await this.fileView(db, "small", files);
      const adds = await this.writeFiles(db, `SELECT * FROM small ORDER BY ${PARTITION_COLUMN}, Id`, false);
      for (const p of merge) {
        const a = this.snapshot.files.get(p)!;
        actions.push({ remove: { path: a.path, deletionTimestamp: Date.now(), dataChange: false, extendedFileMetadata: true, partitionValues: a.partitionValues, size: a.size } });
      }
      for (const a of adds) actions.push({ add: a });
    }
    const before = merge.length;
    actions.push({ txn: { appId: COMPACTION_APP, version: Date.now(), lastUpdated: Date.now() } });
    try {
      return await this.commitActions(actions, "OPTIMIZE", { predicate: "[]", zOrderBy: "[]" }, { operationMetrics: { numRemovedFiles: String(before), numAddedFiles: String(actions.filter((a) => "add" in a).length) } });
    } catch (err) {
      if (!(err instanceof DeltaConflictError)) for (const a of actions) if ("add" in a) await this.files.remove(decodeURIComponent(a.add.path)).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Deletes data files no version within the retention needs: removed files whose removal is
   * older than the retention, and files no version ever named (a crashed commit's) once older than
   * the retention (their name carries their creation time). Returns the files deleted.
   */
  async vacuum(now = Date.now()): Promise<number> {
    const keepAfter = now - this.opts.retentionHours * 3_600_000;
    let n = 0;
    for (const f of await this.files.list()) {
      if (f.path.startsWith("_")) continue; // _delta_log, _staging, _tmp
      if (this.snapshot.files.has(f.path)) continue;
      const tomb = this.snapshot.tombstones.get(f.path);
      const born = /(?:^|\/)part-(\d{13})-/.exec(f.path);
      const since = tomb?.deletionTimestamp ?? (born ? Number(born[1]) : null);
      if (since === null || since >= keepAfter) continue;
      await this.files.remove(f.path);
      n++;
    }
    await this.commitActions([{ txn: { appId: VACUUM_APP, version: now, lastUpdated: now } }], "VACUUM END", { retentionCheckEnabled: true, specifiedRetentionMillis: this.opts.retentionHours * 3_600_000 }, { operationMetrics: { numDeletedFiles: String(n) } });
    // Local scratch folders a crash left behind.
    const tmp = path.join(await this.files.scratch(), "..");
    for (const d of fs.existsSync(tmp) ? await fsp.readdir(tmp) : []) {
      const t = Number(d.split("-")[0]);
      if (t && t < now - 3_600_000) await fsp.rm(path.join(tmp, d), { recursive: true, force: true });
    }
    return n;
  }

  // ---- reading -----------------------------------------------------------------------------

  /** Live files as local paths with their partition (the commits so far; staged changes not included). */
  async liveFiles(): Promise<{ path: string; local: string; partition: string }[]> {
    return this.liveLocal([...this.snapshot.files.keys()]);
  }

  /** A view `name` of the table's current rows (every row, IsDelete ones included). */
  async view(db: DuckConn, name: string): Promise<void> {
    await this.fileView(db, name, await this.liveFiles());
  }

  connection(): Promise<DuckConn> {
    return this.db();
  }
}
