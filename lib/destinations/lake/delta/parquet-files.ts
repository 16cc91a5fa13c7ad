// The table's Parquet data files through DuckDB: views over live files (columns a file predates
// read as null), writing a SELECT as one file per PartitionId with its add action and stats.
import crypto from "node:crypto";
import fsp from "node:fs/promises";
import path from "node:path";
import type { LakeColumn } from "../lake-columns";
import type { DeltaTable } from "./delta-table";
import type { DuckConn } from "./duck";
import { encodePath, type AddAction } from "./log";
import { duckType, PARTITION_COLUMN, quoteId, quoteStr, statsColumns } from "./schema";

export interface LiveFile {
  path: string;
  local: string;
  partition: string;
}

/** `name: 'TYPE'` pairs for DuckDB's read_json `columns`; decimals are read as text (typedValue casts them). */
export function typedColumns(columns: LakeColumn[]): string {
  return columns.map((c) => `${quoteId(c.name)}: ${quoteStr(c.dataType === "decimal" ? "VARCHAR" : duckType(c))}`).join(", ");
}

/**
 * `expr` (the column as typedColumns read it) as the column's type. Text to DECIMAL(38,s) costs
 * DuckDB ~5 µs a value (a 128-bit parse; two money columns were most of a commit's CPU), text
 * to DECIMAL(18,s) a fraction of it: that cast where the value fits, the exact 38-digit one for
 * the values it cannot hold (TRY_CAST gives null there) — the same result either way.
 */
export function typedValue(c: LakeColumn, expr: string): string {
  if (c.dataType !== "decimal") return expr;
  const type = duckType(c);
  const scale = Math.min(38, Math.max(0, c.scale ?? 10));
  if (scale > 18) return `CAST(${expr} AS ${type})`;
  return `coalesce(CAST(TRY_CAST(${expr} AS DECIMAL(18,${scale})) AS ${type}), CAST(${expr} AS ${type}))`;
}

/** A view `name` over `files` with every current column (null where a file predates it); `temp` false: in the main schema. */
export async function fileView(t: DeltaTable, db: DuckConn, name: string, files: Pick<LiveFile, "local" | "partition">[], temp = true, columns = t.columns): Promise<void> {
  const kind = temp ? "TEMP " : "";
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

export async function liveLocal(t: DeltaTable, paths: string[]): Promise<LiveFile[]> {
  const out = [];
  for (const p of paths) {
    const add = t.snapshot.files.get(p)!;
    out.push({ path: p, local: await t.files.localOf(p), partition: add.partitionValues[PARTITION_COLUMN] ?? "1" });
  }
  return out;
}

/** Rows per Parquet row group of a data file. */
export const ROW_GROUP_ROWS = 32_768;

/** Writes `select` (columns + PartitionId) as one Parquet file per PartitionId; returns the add actions (not yet published in the log). */
export async function writeFiles(t: DeltaTable, db: DuckConn, select: string, dataChange: boolean, columns = t.columns): Promise<AddAction[]> {
  const dir = await t.files.scratch();
  const adds: AddAction[] = [];
  try {
    // Each partition's writer buffers a row group before writing it: at DuckDB's default of
    // 122,880 rows, six partitions of a 1,000,000-row table held ~250 MB (the peak RSS of the
    // export); 32,768 rows brought it from 590 to 482 MB (bench/lake.ts --format delta, load ~5).
    await db.run(`COPY (${select}) TO ${quoteStr(dir)} (FORMAT parquet, ROW_GROUP_SIZE ${ROW_GROUP_ROWS}, PARTITION_BY (${PARTITION_COLUMN}), FILENAME_PATTERN 'part-{uuid}', OVERWRITE_OR_IGNORE true)`);
    for (const sub of await fsp.readdir(dir)) {
      const m = /^PartitionId=(.*)$/.exec(sub);
      if (!m) continue;
      const partition = decodeURIComponent(m[1]);
      for (const name of await fsp.readdir(path.join(dir, sub))) {
        const local = path.join(dir, sub, name);
        const size = await t.files.size(local);
        const stats = await fileStats(columns, db, local);
        const rel = `${PARTITION_COLUMN}=${partition}/part-${Date.now()}-${crypto.randomUUID()}.c000.snappy.parquet`;
        await t.files.publish(local, rel);
        t.filesWritten++;
        t.bytesWritten += size;
        adds.push({ path: encodePath(rel), partitionValues: { [PARTITION_COLUMN]: partition }, size, modificationTime: Date.now(), dataChange, stats });
      }
    }
  } catch (err) {
    for (const a of adds) await t.files.remove(decodeURIComponent(a.path)).catch(() => undefined);
    throw err;
  } finally {
    await t.files.dropScratch(dir);
  }
  return adds;
}

/**
 * Staged run files (one PartitionId each, written with the table's current schema) made data
 * files as they are: a second name in the table, stats read from each; returns the add actions
 * (not yet published in the log). The staged files stay until the commit is in the log.
 */
export async function adoptFiles(t: DeltaTable, db: DuckConn, files: { rel: string; local: string; partition: string; stats?: string }[]): Promise<AddAction[]> {
  const adds: AddAction[] = [];
  // Stats read at the conversion (its manifest); files converted by an earlier version have none.
  const unread = files.filter((f) => f.stats === undefined).map((f) => f.local);
  const stats = unread.length ? await filesStats(t.columns, db, unread) : new Map<string, string>();
  for (const f of files) if (f.stats !== undefined) stats.set(f.local, f.stats);
  try {
    for (const f of files) {
      const size = await t.files.size(f.local);
      const rel = `${PARTITION_COLUMN}=${f.partition}/part-${Date.now()}-${crypto.randomUUID()}.c000.snappy.parquet`;
      await t.files.copyWithin(f.rel, rel);
      t.filesWritten++;
      t.bytesWritten += size;
      adds.push({ path: encodePath(rel), partitionValues: { [PARTITION_COLUMN]: f.partition }, size, modificationTime: Date.now(), dataChange: true, stats: stats.get(f.local)! });
    }
  } catch (err) {
    for (const a of adds) await t.files.remove(decodeURIComponent(a.path)).catch(() => undefined);
    throw err;
  }
  return adds;
}

/** The files of a partitioned COPY into `dir` (`PartitionId=<p>/<name>`), with their partition. */
export async function partitionedOutput(dir: string): Promise<{ local: string; partition: string }[]> {
  const out: { local: string; partition: string }[] = [];
  for (const sub of await fsp.readdir(dir)) {
    const m = /^PartitionId=(.*)$/.exec(sub);
    if (!m) continue;
    for (const name of await fsp.readdir(path.join(dir, sub))) out.push({ local: path.join(dir, sub, name), partition: decodeURIComponent(m[1]) });
  }
  return out;
}

/** numRecords, minValues/maxValues (Id, numbers, timestamps), nullCount of every column. */
async function fileStats(columns: LakeColumn[], db: DuckConn, local: string): Promise<string> {
  return (await filesStats(columns, db, [local])).get(local)!;
}

/**
 * fileStats of many files in one scan (grouped by file): the adopted files of a run each asked
 * alone grew DuckDB's resident memory by ~160 MB over 120 files of a 1,000,000-row export.
 */
export async function filesStats(columns: LakeColumn[], db: DuckConn, locals: string[]): Promise<Map<string, string>> {
  const ranged = statsColumns(columns);
  const show = (c: LakeColumn, fn: "min" | "max") =>
    c.dataType === "dateTime" ? `strftime(${fn}(${quoteId(c.name)}), '%Y-%m-%dT%H:%M:%S.%gZ')` : `${fn}(${quoteId(c.name)})::VARCHAR`;
  const sel = [
    "filename",
    "count(*)::BIGINT AS n",
    ...ranged.flatMap((c, i) => [`${show(c, "min")} AS mn${i}`, `${show(c, "max")} AS mx${i}`]),
    ...columns.map((c, i) => `(count(*) - count(${quoteId(c.name)}))::BIGINT AS nc${i}`),
  ];
  const rows = await db.all(`SELECT ${sel.join(", ")} FROM read_parquet([${locals.map(quoteStr).join(", ")}], filename = true, union_by_name = true) GROUP BY filename`);
  const value = (c: LakeColumn, v: unknown) => (v === null || v === undefined ? undefined : c.dataType === "dateTime" || c.dataType === "string" || c.dataType === "guid" ? String(v) : Number(v));
  const out = new Map<string, string>();
  for (const r of rows) {
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
    out.set(String(r.filename), JSON.stringify({ numRecords: Number(r.n), minValues, maxValues, nullCount }));
  }
  return out;
}
