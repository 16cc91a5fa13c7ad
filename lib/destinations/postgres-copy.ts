// PostgreSQL bulk write: rows streamed with COPY … FROM STDIN (pg-copy-streams) into a temporary
// staging table, then merged into the target by one INSERT … SELECT … ON CONFLICT with the same
// version guard as the parameterised upsert, all inside the caller's transaction.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { SYSTEM_COLUMNS } from "./columns";
import { RecordValueError } from "./row-values";
import type { TargetTableSpec } from "./types";

/** Quoted identifier. */
export const pgId = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Dropped at commit or rollback, so a failed batch leaves nothing behind on the pooled connection. */
const STAGE = `pg_temp.${pgId("dvx_stage")}`;

/** Rows per chunk handed to the stream: big enough to amortise, small enough to keep memory flat. */
const ROWS_PER_CHUNK = 256;

const NEEDS_ESCAPE = /[\t\n\r\\\0]/;
const ESCAPES: Record<string, string> = { "\t": "\\t", "\n": "\\n", "\r": "\\r", "\\": "\\\\" };

/**
 * One value in COPY text format: `\N` for NULL, backslash escapes for the delimiter (tab), row
 * end (newline), carriage return and backslash itself. Numbers go as their JS text (what pg sends
 * as a parameter), decimals arrive as exact text from the row builder, timestamps as ISO 8601 UTC
 * (accepted whatever the server's DateStyle). A NUL cannot be stored in a PostgreSQL text value:
 * the record is refused by name rather than failing the whole COPY with an encoding error.
 */
export function copyText(v: unknown, recordId: string, column: string): string {
  if (v === null || v === undefined) return "\\N";
  let s: string;
  switch (typeof v) {
    case "string":
      s = v;
      break;
    case "boolean":
      return v ? "t" : "f";
    case "number":
    case "bigint":
      return String(v);
    default:
      s = v instanceof Date ? v.toISOString() : JSON.stringify(v);
  }
  // One scan for the common case (nothing to escape); only then look closer.
  if (!NEEDS_ESCAPE.test(s)) return s;
  if (s.includes("\0")) {
    throw new RecordValueError(recordId, column, "contains a NUL character (U+0000), which PostgreSQL cannot store in text");
  }
  return s.replace(/[\t\n\r\\]/g, (c) => ESCAPES[c]);
}

/**
 * The rows as COPY text, in chunks, encoded lazily so the client encodes a chunk while the server
 * parses the previous one. Throws RecordValueError (a NUL) when the offending row is reached.
 */
export function* copyChunks(spec: TargetTableSpec, rows: unknown[][]): Generator<string> {
  const names = spec.columns.map((c) => c.name);
  const idAt = Math.max(0, names.indexOf(SYSTEM_COLUMNS.id));
  let text = "";
  let count = 0;
  for (const row of rows) {
    const id = String(row[idAt]);
    let line = copyText(row[0], id, names[0]);
    for (let i = 1; i < row.length; i++) line += "\t" + copyText(row[i], id, names[i]);
    text += line + "\n";
    if (++count === ROWS_PER_CHUNK) {
      yield text;
      text = "";
      count = 0;
    }
  }
  if (text) yield text;
}

/**
 * COPY `rows` (values in spec.columns order, deduplicated by Id) into a staging table shaped like
 * the target's columns, then merge with the version guard. Must run inside a transaction on
 * `client`. Returns the rows inserted or updated. Driver errors keep their SQLSTATE: a value the
 * column refuses fails the COPY with class 22, a trigger or constraint the merge with 23/P0001.
 */
export async function copyMerge(client: pg.PoolClient, target: string, spec: TargetTableSpec, rows: unknown[][]): Promise<number> {
  const cols = spec.columns.map((c) => pgId(c.name)).join(", ");
  // Same types (and current widths) as the target, no constraints: the merge checks those.
  await client.query(`create temp table ${STAGE} on commit drop as select ${cols} from ${target} with no data`);
  // A NUL found mid-stream fails the pipeline with the RecordValueError (the COPY is cancelled
  // and the caller rolls back), so the halving search still sees a record error.
  await pipeline(Readable.from(copyChunks(spec, rows)), client.query(copyFrom(`copy ${STAGE} (${cols}) from stdin`)));
  const updates = spec.columns
    .filter((c) => c.name !== SYSTEM_COLUMNS.id && c.name !== SYSTEM_COLUMNS.createdOn)
    .map((c) => `${pgId(c.name)} = excluded.${pgId(c.name)}`)
    .join(", ");
  const v = pgId(SYSTEM_COLUMNS.version);
  const r = await client.query(
    `insert into ${target} as "t" (${cols}) select ${cols} from ${STAGE}
     on conflict (${pgId(SYSTEM_COLUMNS.id)}) do update set ${updates}
     where "t".${v} is null or excluded.${v} >= "t".${v}`,
  );
  // Dropped now rather than at commit: a caller may merge several specs in one transaction.
  await client.query(`drop table ${STAGE}`);
  return r.rowCount ?? 0;
}

/** The parameterised path's NUL check, so both paths refuse the same record the same way. */
export function assertNoNul(spec: TargetTableSpec, rows: unknown[][]): void {
  const idAt = Math.max(0, spec.columns.findIndex((c) => c.name === SYSTEM_COLUMNS.id));
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      const v = row[i];
      if (typeof v === "string" && v.includes("\0")) copyText(v, String(row[idAt]), spec.columns[i].name);
    }
  }
}
