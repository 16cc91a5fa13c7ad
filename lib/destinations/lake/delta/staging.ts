// Staging: each upsert/delete call writes one staged change file (`_staging/<seq>-<rand>.u.csv`
// rows under a header, or `.d.json` ids as JSON lines) — durable in the lake before the engine
// checkpoints the page, invisible to Delta readers. The commit at the end of the cycle types and
// applies them with DuckDB (merge.ts; large runs are converted to Parquet before, in the
// background: staged-parquet.ts). A page costs its CSV text and one synced write: no DuckDB work
// on the page path, and nothing of it stays in memory.
import crypto from "node:crypto";
import { latestById, makeRowBuilder, type Encoder } from "../../row-values";
import type { SourceRecord, TargetTableSpec } from "../../types";
import { partitionOf } from "../lake-columns";
import type { DeltaTable } from "./delta-table";
import { idHash } from "./id-hashes";
import { PARTITION_COLUMN } from "./schema";
import { STAGING } from "./table-layout";

export interface Staged {
  /** Its sequence; a converted file (kind "p") takes the last of the run it holds. */
  seq: number;
  /** A converted file's first sequence. */
  from?: number;
  rel: string;
  /**
   * Upserts (CSV) or deletes (JSON lines); "r": a converted run (staged-parquet.ts), `rel` its
   * manifest; "p": a run converted to one Parquet file by an earlier version (still read).
   */
  kind: "u" | "d" | "p" | "r";
  rows: number;
  /** A converted run's files (one per PartitionId) and the schemaString they were written with. */
  files?: { rel: string; partition: string; stats?: string }[];
  schema?: string;
  /** An upsert page staged by this process (or a run of such pages, each Id once): a hash of each of its Ids, sorted (id-hashes.ts). */
  ids?: Float64Array;
}

const encoder: Encoder = {
  bool: (v) => v,
  datetime: (iso) => iso,
  date: (day) => `${day}T00:00:00Z`,
  bigint: (v) => v,
};

// Upserts as CSV (JSON lines before: still read), deletes as JSON lines of ids.
const STAGED_NAME = /^_staging\/(\d{12})-[0-9a-f]+\.(u\.csv|u\.json|d\.json)$/;
const CONVERTED_NAME = /^_staging\/(\d{12})-(\d{12})-[0-9a-f]+\.u\.parquet$/;
const RUN_MANIFEST = /^(_staging\/(\d{12})-(\d{12})-[0-9a-f]+)\.u\.run$/;
const RUN_FILE = /^(_staging\/(\d{12})-(\d{12})-[0-9a-f]+)\.run\//;

/** Removes a staged change (a run: its files, then its manifest). */
export async function removeStaged(t: DeltaTable, s: Staged): Promise<void> {
  for (const f of s.files ?? []) await t.files.remove(f.rel).catch(() => undefined);
  await t.files.remove(s.rel).catch(() => undefined);
}

/**
 * Finds the staged files not yet committed (removing those a commit already consumed, and
 * upsert pages a converted Parquet file already holds); sets the next sequence.
 */
export async function loadStaged(t: DeltaTable): Promise<void> {
  const consumed = t.consumedSeq;
  const found: Staged[] = [];
  let maxSeq = consumed;
  const listed = await t.files.list(`${STAGING}/`);
  const runFiles = listed.map((f) => RUN_FILE.exec(f.path)).filter((m): m is RegExpExecArray => m !== null);
  const manifests = new Set<string>();
  for (const f of listed) {
    const m = STAGED_NAME.exec(f.path);
    const c = CONVERTED_NAME.exec(f.path);
    const r = RUN_MANIFEST.exec(f.path);
    if (!m && !c && !r) continue;
    const seq = Number(m ? m[1] : c ? c[2] : r![3]);
    maxSeq = Math.max(maxSeq, seq);
    if (r) {
      manifests.add(r[1]);
      const manifest = JSON.parse((await t.files.read(f.path))!.toString("utf8")) as { rows: number; schema: string; files: { rel: string; partition: string; stats?: string }[] };
      const run: Staged = { seq, from: Number(r[2]), rel: f.path, kind: "r", rows: manifest.rows, files: manifest.files, schema: manifest.schema };
      // Already in a commit (the crash came after the log entry, before the clean-up).
      if (seq <= consumed) await removeStaged(t, run);
      else found.push(run);
    } else if (seq <= consumed) await t.files.remove(f.path).catch(() => undefined);
    else if (m) found.push({ seq, rel: f.path, kind: m[2][0] as "u" | "d", rows: 0 });
    else found.push({ seq, from: Number(c![1]), rel: f.path, kind: "p", rows: 0 });
  }
  // Files of a run whose manifest was never written (a crash mid-conversion) are not part of
  // anything: its pages are still staged. Removed once a commit consumed their range.
  for (const m of runFiles) if (!manifests.has(m[1]) && Number(m[3]) <= consumed) await t.files.remove(m.input).catch(() => undefined);
  // A crash after a conversion was published but before its pages were removed.
  const converted = found.filter((s) => s.kind === "p" || s.kind === "r");
  const superseded = (s: Staged) => s.kind === "u" && converted.some((p) => s.seq >= p.from! && s.seq <= p.seq);
  for (const s of found.filter(superseded)) await t.files.remove(s.rel).catch(() => undefined);
  t.staged = found.filter((s) => !superseded(s)).sort((a, b) => a.seq - b.seq || a.rel.localeCompare(b.rel));
  t.nextSeq = maxSeq + 1;
}

/** One staged change file, published durably under the next sequence. */
async function stage(t: DeltaTable, kind: "u" | "d", data: string | Buffer, rows: number, ext: "csv" | "json" = "json", ids?: Float64Array): Promise<void> {
  const seq = t.nextSeq++;
  const rel = `${STAGING}/${String(seq).padStart(12, "0")}-${crypto.randomBytes(4).toString("hex")}.${kind}.${ext}`;
  await t.files.writeNew(rel, data);
  t.staged.push({ seq, rel, kind, rows, ids });
}

/** How the table's columns come out of the row builder (index into its output, -1: not in the spec) and the partition of a row. */
function rowMapping(t: DeltaTable, spec: TargetTableSpec) {
  const columns = t.columns;
  const build = makeRowBuilder(spec, encoder);
  const index = new Map(spec.columns.map((c, i) => [c.name.toLowerCase(), i]));
  const from = columns.map((c) => index.get(c.name.toLowerCase()) ?? -1);
  const created = columns.findIndex((c) => c.name.toLowerCase() === "createdon");
  const at = created < 0 ? -1 : from[created];
  const partition = (values: unknown[]) => (at < 0 ? "1" : partitionOf(values[at], t.opts.granularity));
  return { columns, build, from, partition };
}

/** Rows (objects by column name, PartitionId added) of the latest record per Id; every value converted first. */
export function rowsOf(t: DeltaTable, spec: TargetTableSpec, records: SourceRecord[]): Record<string, unknown>[] {
  const { columns, build, from, partition } = rowMapping(t, spec);
  const now = new Date().toISOString();
  return latestById(records).map((r) => {
    const values = build(r, now);
    const o: Record<string, unknown> = {};
    columns.forEach((c, i) => {
      const at = from[i];
      if (at >= 0) o[c.name] = values[at];
    });
    o[PARTITION_COLUMN] = partition(values);
    return o;
  });
}

/**
 * The same rows as CSV under a header naming their columns (staged-read.ts reads it back),
 * written straight from the builder's values into the table's page buffer (csv-page.ts).
 * Half the bytes of JSON lines (no keys) and under half the CPU.
 */
function csvPageOf(t: DeltaTable, spec: TargetTableSpec, records: SourceRecord[]): { bytes: Buffer; rows: number; ids?: Float64Array } {
  const { columns, build, from, partition } = rowMapping(t, spec);
  const now = new Date().toISOString();
  const latest = latestById(records);
  const page = t.page;
  page.reset();
  const names = [...columns.map((c) => c.name), PARTITION_COLUMN];
  names.forEach((n, i) => page.value(n, i === names.length - 1));
  // The hashes of the Ids as written (id-hashes.ts); none when the page has no Id column.
  const idAt = from[columns.findIndex((c) => c.name === "Id")] ?? -1;
  const ids = idAt >= 0 ? new Float64Array(latest.length) : undefined;
  for (let n = 0; n < latest.length; n++) {
    const values = build(latest[n], now);
    for (let i = 0; i < from.length; i++) page.value(from[i] < 0 ? null : values[from[i]], false);
    page.value(partition(values), true);
    if (ids) {
      const id = values[idAt];
      ids[n] = typeof id === "string" ? idHash(id) : Number.NaN;
    }
  }
  // An Id that is not text (none should be) makes the page's uniqueness unknown.
  return { bytes: page.bytes(), rows: latest.length, ids: ids && !ids.some(Number.isNaN) ? ids.sort() : undefined };
}

/** Stages the page's rows (latest per Id); a value that cannot be converted fails the call before anything is written. */
export async function stageUpserts(t: DeltaTable, spec: TargetTableSpec, records: SourceRecord[]): Promise<number> {
  const { bytes, rows, ids } = csvPageOf(t, spec, records);
  if (!rows) return 0;
  await stage(t, "u", bytes, rows, "csv", ids);
  return rows;
}

export async function stageDeletes(t: DeltaTable, ids: string[]): Promise<number> {
  const unique = [...new Set(ids.map((i) => i.toLowerCase()))];
  if (!unique.length) return 0;
  await stage(t, "d", unique.map((id) => `{"Id":${JSON.stringify(id)}}\n`).join(""), unique.length);
  return unique.length;
}
