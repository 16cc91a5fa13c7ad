// Staging: each upsert/delete call writes one staged change file (`_staging/<seq>-<rand>.u.parquet`
// rows, or `.d.parquet` ids) — durable in the lake before the engine checkpoints the page,
// invisible to Delta readers. The commit at the end of the cycle applies them (merge.ts).
import crypto from "node:crypto";
import fsp from "node:fs/promises";
import path from "node:path";
import { latestById, makeRowBuilder, type Encoder } from "../../row-values";
import type { SourceRecord, TargetTableSpec } from "../../types";
import { partitionOf } from "../lake-columns";
import type { DeltaTable } from "./delta-table";
import { typedColumns } from "./parquet-files";
import { PARTITION_COLUMN, quoteStr } from "./schema";
import { STAGING } from "./table-layout";

export interface Staged {
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

/** Finds the staged files not yet committed (removing those a commit already consumed); sets the next sequence. */
export async function loadStaged(t: DeltaTable): Promise<void> {
  const consumed = t.consumedSeq;
  t.staged = [];
  let maxSeq = consumed;
  for (const f of await t.files.list(`${STAGING}/`)) {
    const m = STAGED_NAME.exec(f.path);
    if (!m) continue;
    const seq = Number(m[1]);
    maxSeq = Math.max(maxSeq, seq);
    // Already in a commit (the crash came after the log entry, before the clean-up).
    if (seq <= consumed) await t.files.remove(f.path).catch(() => undefined);
    else t.staged.push({ seq, rel: f.path, kind: m[2] as "u" | "d", rows: 0 });
  }
  t.staged.sort((a, b) => a.seq - b.seq || a.rel.localeCompare(b.rel));
  t.nextSeq = maxSeq + 1;
}

function stagedName(t: DeltaTable, kind: "u" | "d"): { seq: number; rel: string } {
  const seq = t.nextSeq++;
  return { seq, rel: `${STAGING}/${String(seq).padStart(12, "0")}-${crypto.randomBytes(4).toString("hex")}.${kind}.parquet` };
}

/** One staged change file: the rows as JSON lines, typed by DuckDB into Parquet (read back cheaply at commit). */
async function stage(t: DeltaTable, kind: "u" | "d", lines: string[]): Promise<void> {
  const { seq, rel } = stagedName(t, kind);
  const dir = await t.files.scratch();
  try {
    const json = path.join(dir, "staged.json");
    await fsp.writeFile(json, lines.join(""));
    const columns = kind === "u" ? `{${typedColumns(t.columns)}, ${PARTITION_COLUMN}: 'VARCHAR'}` : `{Id: 'VARCHAR'}`;
    const file = path.join(dir, "staged.parquet");
    await (await t.connection()).run(`COPY (SELECT * FROM read_json(${quoteStr(json)}, format = 'newline_delimited', columns = ${columns})) TO ${quoteStr(file)} (FORMAT parquet)`);
    await t.files.publish(file, rel);
  } finally {
    await t.files.dropScratch(dir);
  }
  t.staged.push({ seq, rel, kind, rows: lines.length });
}

/** Rows (objects by column name, PartitionId added) of the latest record per Id; every value converted first. */
export function rowsOf(t: DeltaTable, spec: TargetTableSpec, records: SourceRecord[]): Record<string, unknown>[] {
  const columns = t.columns;
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
    o[PARTITION_COLUMN] = created < 0 || from[created] < 0 ? "1" : partitionOf(values[from[created]], t.opts.granularity);
    return o;
  });
}

/** Stages the page's rows (latest per Id); a value that cannot be converted fails the call before anything is written. */
export async function stageUpserts(t: DeltaTable, spec: TargetTableSpec, records: SourceRecord[]): Promise<number> {
  const rows = rowsOf(t, spec, records);
  if (!rows.length) return 0;
  await stage(t, "u", rows.map((o) => JSON.stringify(o) + "\n"));
  return rows.length;
}

export async function stageDeletes(t: DeltaTable, ids: string[]): Promise<number> {
  const unique = [...new Set(ids.map((i) => i.toLowerCase()))];
  if (!unique.length) return 0;
  await stage(t, "d", unique.map((id) => JSON.stringify({ Id: id }) + "\n"));
  return unique.length;
}
