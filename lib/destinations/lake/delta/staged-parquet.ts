// Staged pages converted to Parquet in the background, while the export goes on reading: parsing
// the staged pages is most of a commit's time, and done at the end of the cycle it adds all of it
// to the export. Once the trailing run of staged upsert files holds `convertRows` rows, DuckDB
// (on its own connection, off the page path) writes the latest row per Id of the run as data
// files would be written — one Parquet file per PartitionId, the table's row groups — under
// `_staging/<first seq>-<last seq>-<rand>.run/`, then a manifest `<…>.u.run` naming them with
// the schema they were written in. The initial export's commit takes them as data files as they
// are (merge.ts); otherwise the commit reads them like the pages.
//
// Crash safety: the run's files and then its manifest are published (durable) before the pages
// it replaces are removed; a start that finds both drops the pages inside a published range, and
// a run without its manifest is nothing (its pages are still there; loadStaged). Like every
// staged file it is invisible to Delta readers until the commit consumes it.
//
// Latest per Id stays exact: a run never spans a staged delete, so the run's rows can take its
// last sequence — nothing staged between its first and last sequence is left outside it.
import crypto from "node:crypto";
import type { DeltaTable } from "./delta-table";
import type { DuckConn } from "./duck";
import { filesStats, partitionedOutput, ROW_GROUP_ROWS } from "./parquet-files";
import { stagedUpsertRows } from "./staged-read";
import { concatIds, idsUnique } from "./id-hashes";
import { duckType, PARTITION_COLUMN, quoteId, quoteStr } from "./schema";
import type { Staged } from "./staging";
import { STAGING } from "./table-layout";

export const seqName = (seq: number) => String(seq).padStart(12, "0");

/**
 * Rows per row group of a run's files (data files as they are after an initial export, until
 * compaction rewrites them at ROW_GROUP_ROWS): each partition's writer holds a row group, and
 * a 50,000-row run gives each of six year partitions ~8,000 rows. With partitioned writes
 * flushed every 4,096 rows (DeltaTable.backgroundConnection) and no window, a 50,000-row run's
 * conversion alone peaked at ~+70 MB of RSS instead of ~+150.
 */
export const RUN_ROW_GROUP_ROWS = ROW_GROUP_ROWS / 4;

/** The staged upsert files after the last delete or converted file (what one conversion may take). */
function trailingRun(staged: Staged[]): Staged[] {
  let i = staged.length;
  while (i > 0 && staged[i - 1].kind === "u") i--;
  return staged.slice(i);
}

/** Starts a conversion when the trailing run is large enough and none is running (never awaited here). */
export function convertInBackground(t: DeltaTable): void {
  if (t.converting || t.conversionFailed || !t.opts.convertRows) return;
  const run = trailingRun(t.staged);
  if (run.reduce((n, s) => n + s.rows, 0) < t.opts.convertRows) return;
  t.converting = convertRun(t, run)
    .catch((err) => {
      // The pages stay staged and the commit reads them itself (as without conversion);
      // not retried on every page: a cause that lasts would only cost CPU.
      t.conversionFailed = err as Error;
    })
    .finally(() => {
      t.converting = null;
      convertInBackground(t);
    });
}

/** Resolves when no conversion is running (a finished one may start the next: waits for that too). */
export async function conversionsSettled(t: DeltaTable): Promise<void> {
  while (t.converting) await t.converting;
}

async function convertRun(t: DeltaTable, run: Staged[]): Promise<void> {
  const columns = t.columns;
  const schema = t.snapshot.metaData!.schemaString;
  const locals = await Promise.all(run.map((s) => t.files.localOf(s.rel)));
  const seqs = run.map((s, i) => `(${quoteStr(locals[i])}, ${s.seq}::BIGINT)`).join(", ");
  const rows = await stagedUpsertRows(locals, columns);
  const cols = [...columns.map((c) => quoteId(c.name)), PARTITION_COLUMN].map((c) => `x.${c}`).join(", ");
  const db = await t.backgroundConnection();
  const dir = await t.files.scratch();
  let unique = false;
  try {
    // Each Id once (known from the pages' Id hashes): the rows stream from the pages into the
    // files. Otherwise the latest row per Id, a window that holds the whole run in memory.
    unique = idsUnique(run);
    const select = unique
      ? `SELECT ${cols} FROM (${rows}) x`
      : `SELECT ${cols} FROM (${rows}) x JOIN (VALUES ${seqs}) sf(filename, seq) ON sf.filename = x.filename QUALIFY row_number() OVER (PARTITION BY x.Id ORDER BY sf.seq DESC) = 1`;
    await db.run(
      `COPY (${select}) TO ${quoteStr(dir)} ` +
        `(FORMAT parquet, ROW_GROUP_SIZE ${RUN_ROW_GROUP_ROWS}, PARTITION_BY (${PARTITION_COLUMN}), FILENAME_PATTERN 'part-{uuid}', OVERWRITE_OR_IGNORE true)`,
    );
    t.conversions[unique ? "streamed" : "windowed"]++;
    const first = run[0].seq;
    const last = run.at(-1)!.seq;
    const name = `${STAGING}/${seqName(first)}-${seqName(last)}-${crypto.randomBytes(4).toString("hex")}`;
    const files: { rel: string; partition: string; stats?: string }[] = [];
    const output = await partitionedOutput(dir);
    // Their Delta stats, read here in the background from the run's few files: the commit that
    // takes them as data files needs no scan of them (over a 1,000,000-row export's 120 files
    // that scan was the peak of its RSS).
    const stats = output.length ? await filesStats(columns, db, output.map((f) => f.local)) : new Map<string, string>();
    for (const [i, f] of output.entries()) {
      const rel = `${name}.run/${i}.parquet`;
      await t.files.publish(f.local, rel);
      files.push({ rel, partition: f.partition, stats: stats.get(f.local) });
    }
    if (files.length) await t.files.syncDir(`${name}.run`);
    const staged: Staged = {
      seq: last, from: first, rel: `${name}.u.run`, kind: "r", rows: run.reduce((n, s) => n + s.rows, 0), files, schema,
      // Each Id once: the pages' hashes are the run's (merge.ts asks them of the initial export).
      ids: unique ? concatIds(run) : undefined,
    };
    await t.files.writeNew(staged.rel, JSON.stringify({ rows: staged.rows, schema, files }));
    await t.files.syncDir(STAGING);
    const at = t.staged.indexOf(run[0]);
    if (at < 0 || run.some((s, i) => t.staged[at + i] !== s)) return; // not this table's list any more: a later start sorts it out
    t.staged.splice(at, run.length, staged);
    for (const s of run) await t.files.remove(s.rel).catch(() => undefined);
  } finally {
    await t.files.dropScratch(dir);
  }
}

/** Rows of converted runs' files (partition from the manifest), typed like stagedParquetRows. */
export async function stagedRunRows(db: DuckConn, files: { local: string; partition: string }[], t: DeltaTable): Promise<string> {
  const list = `[${files.map((f) => quoteStr(f.local)).join(", ")}]`;
  const present = new Set((await db.all(`SELECT DISTINCT name FROM parquet_schema(${list})`)).map((r) => String(r.name)));
  const select = t.columns.map((c) => (present.has(c.name) ? `CAST(f.${quoteId(c.name)} AS ${duckType(c)})` : `CAST(NULL AS ${duckType(c)})`) + ` AS ${quoteId(c.name)}`);
  const parts = files.map((f) => `(${quoteStr(f.local)}, ${quoteStr(f.partition)})`).join(", ");
  return `SELECT ${select.join(", ")}, p.${PARTITION_COLUMN}, f.filename FROM read_parquet(${list}, filename = true, union_by_name = true) f JOIN (VALUES ${parts}) p(filename, ${PARTITION_COLUMN}) ON f.filename = p.filename`;
}

/**
 * The rows of staged Parquet files (one file per run, PartitionId inside: an earlier version's) as the current schema types them (a column added since the
 * conversion reads as null, a widened one is cast), with `filename` for the sequence join.
 */
export async function stagedParquetRows(db: DuckConn, locals: string[], t: DeltaTable): Promise<string> {
  const list = `[${locals.map(quoteStr).join(", ")}]`;
  const present = new Set((await db.all(`SELECT DISTINCT name FROM parquet_schema(${list})`)).map((r) => String(r.name)));
  const select = t.columns.map((c) => (present.has(c.name) ? `CAST(${quoteId(c.name)} AS ${duckType(c)})` : `CAST(NULL AS ${duckType(c)})`) + ` AS ${quoteId(c.name)}`);
  return `SELECT ${select.join(", ")}, ${PARTITION_COLUMN}, filename FROM read_parquet(${list}, filename = true, union_by_name = true)`;
}
