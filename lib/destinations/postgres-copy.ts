// PostgreSQL bulk write: rows streamed with COPY … FROM STDIN (pg-copy-streams) into a temporary
// staging table, then merged into the target by one INSERT … SELECT … ON CONFLICT with the same
// version guard as the parameterised upsert, all inside the caller's transaction.
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { ByteChunks } from "./byte-chunks";
import { SYSTEM_COLUMNS } from "./columns";
import type { SourceRecord } from "../dataverse/types";
import { identityEncoder, makeValueGetters, RecordValueError, UNBOUNDED, type Getter } from "./row-values";
import { sqlTypeFor } from "./sql-types";
import type { ColumnSpec, TargetTableSpec } from "./types";

/** Quoted identifier. */
export const pgId = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Characters per chunk handed to the stream. Each chunk becomes one Buffer and one CopyData
 * message: some KB amortise the stream's per-chunk cost while staying well under malloc's mmap
 * threshold (128 KB) — 256-row chunks of a 35-column table (~150 KB) cost about twice the CPU,
 * much of it system time mapping and faulting fresh pages (bench/write.ts, this machine).
 */
const CHUNK_CHARS = 16 * 1024;

const NEEDS_ESCAPE = /[\t\n\r\\\0]/;
const ESCAPES: Record<string, string> = { "\t": "\\t", "\n": "\\n", "\r": "\\r", "\\": "\\\\" };

function escapeText(s: string, recordId: string, column: string): string {
  if (s.includes("\0")) {
    // Lower-cased here, not per row: the one-pass encoder hands over the record's id as sent.
    throw new RecordValueError(recordId.toLowerCase(), column, "contains a NUL character (U+0000), which PostgreSQL cannot store in text");
  }
  return s.replace(/[\t\n\r\\]/g, (c) => ESCAPES[c]);
}

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
  return NEEDS_ESCAPE.test(s) ? escapeText(s, recordId, column) : s;
}

type ValueText = (v: unknown, recordId: string, column: string) => string;

/** Any text: the escape scan, then the escapes only when needed. */
const anyText: ValueText = (v, id, col) => (typeof v === "string" ? (NEEDS_ESCAPE.test(v) ? escapeText(v, id, col) : v) : copyText(v, id, col));
/**
 * Text the row builder (row-values.ts) has already validated to digits, signs, '.', ':', '-',
 * 'T' and 'Z' — decimals (plainDecimal), bigints, ISO timestamps and days — cannot hold a byte
 * COPY must escape: sent as is. Anything else falls back to the general path.
 */
const checkedText: ValueText = (v, id, col) => (typeof v === "string" ? v : copyText(v, id, col));
const numberText: ValueText = (v, id, col) => (typeof v === "number" ? String(v) : copyText(v, id, col));
const boolText: ValueText = (v, id, col) => (v === true ? "t" : v === false ? "f" : copyText(v, id, col));

/** The encoder per column type: no per-value type switch and no escape scan where none can be needed. */
function valueTextFor(col: ColumnSpec): ValueText {
  switch (col.type) {
    case "int":
    case "float":
      return numberText;
    case "bool":
      return boolText;
    case "bigint":
    case "decimal":
    case "money":
    case "datetime":
    case "date":
      return checkedText;
    default:
      // guid, string, text: free text (a GUID column is only lower-cased by the row builder).
      return anyText;
  }
}

/**
 * The rows as COPY text, in chunks, encoded lazily so the client encodes a chunk while the server
 * parses the previous one. Throws RecordValueError (a NUL) when the offending row is reached.
 */
export function* copyChunks(spec: TargetTableSpec, rows: unknown[][]): Generator<string> {
  const names = spec.columns.map((c) => c.name);
  const texts = spec.columns.map(valueTextFor);
  const width = names.length;
  const idAt = Math.max(0, names.indexOf(SYSTEM_COLUMNS.id));
  let text = "";
  for (const row of rows) {
    const id = row[idAt] as string;
    const v0 = row[0];
    text += v0 === null || v0 === undefined ? "\\N" : texts[0](v0, id, names[0]);
    for (let i = 1; i < width; i++) {
      const v = row[i];
      text += v === null || v === undefined ? "\t\\N" : "\t" + texts[i](v, id, names[i]);
    }
    text += "\n";
    if (text.length >= CHUNK_CHARS) {
      yield text;
      text = "";
    }
  }
  if (text) yield text;
}

/**
 * Records straight to COPY text bytes in one pass: each value is converted exactly as
 * makeRowBuilder converts it (the same getters, so the same RecordValueErrors), turned into COPY
 * text and appended to the row's line, which goes into Buffers at once (byte-chunks.ts) — no row
 * array, no chunk string to convert later. Records the longest string per column on the way, for the
 * widening check (planWidening's job on the row path).
 */
export class CopyEncoder {
  /** Per column (spec.columns order): the longest string value encoded so far. */
  readonly longest: number[];
  private readonly getters: Getter[];
  private readonly texts: ValueText[];
  private readonly names: string[];
  private readonly strings: boolean[];

  constructor(spec: TargetTableSpec) {
    this.getters = makeValueGetters(spec, identityEncoder);
    this.texts = spec.columns.map(valueTextFor);
    this.names = spec.columns.map((c) => c.name);
    this.strings = spec.columns.map((c) => c.type === "string" || c.type === "text");
    this.longest = spec.columns.map(() => 0);
  }

  /**
   * The records (one per Id) as COPY text, lazily, in Buffers of about CHUNK_BYTES. Each value is
   * written where it stands, never joined into a line string: those (a cons cell per `+=`, then
   * a flat copy to encode) were most of what a batch allocated, and every young collection they
   * caused copied the page's live records. A row may end in the next chunk: COPY data is a stream.
   */
  *chunks(records: SourceRecord[], now: string): Generator<Buffer> {
    const { getters, texts, names, strings, longest } = this;
    const width = getters.length;
    const out = new ByteChunks();
    for (const r of records) {
      const id = r.id;
      for (let i = 0; i < width; i++) {
        const v = getters[i](r, now);
        if (i > 0) out.byte(9);
        if (v === null || v === undefined) {
          out.write("\\N");
          continue;
        }
        if (strings[i] && typeof v === "string" && v.length > longest[i]) longest[i] = v.length;
        out.write(texts[i](v, id, names[i]));
      }
      out.byte(10);
      if (out.hasFull) yield* out.takeFull();
    }
    yield* out.take();
  }
}

interface StagePlan {
  /** pg_temp."dvx_stage_<hash of the column names and types>". */
  stage: string;
  create: string;
  copy: string;
  merge: string;
  /** COPY straight into the target (postgres-direct.ts). */
  copyTarget: string;
}

const plans = new WeakMap<TargetTableSpec, Map<string, StagePlan>>();

/**
 * The staging table and statements for a spec. Staging columns have the target's types except
 * that strings are unbounded (text): the stage does not depend on the target's current widths,
 * and a value too long for the target still fails, at the merge, with class 22.
 */
function planFor(target: string, spec: TargetTableSpec): StagePlan {
  let byTarget = plans.get(spec);
  const known = byTarget?.get(target);
  if (known) return known;
  const defs = spec.columns.map((c) => `${pgId(c.name)} ${sqlTypeFor("postgres", c, UNBOUNDED)}`).join(", ");
  const stage = `pg_temp.${pgId(`dvx_stage_${createHash("sha256").update(defs).digest("hex").slice(0, 24)}`)}`;
  const cols = spec.columns.map((c) => pgId(c.name)).join(", ");
  const updates = spec.columns
    .filter((c) => c.name !== SYSTEM_COLUMNS.id && c.name !== SYSTEM_COLUMNS.createdOn)
    .map((c) => `${pgId(c.name)} = excluded.${pgId(c.name)}`)
    .join(", ");
  const v = pgId(SYSTEM_COLUMNS.version);
  const plan: StagePlan = {
    stage,
    // Kept for the session and emptied at every commit or rollback (rolled back with the
    // transaction that created it): no catalog churn per batch, nothing left between batches.
    // IF NOT EXISTS rather than client-side bookkeeping, so a pooler handing out another server
    // connection (PgBouncer, transaction mode) still finds or makes one.
    create: `create temp table if not exists ${stage} (${defs}) on commit delete rows`,
    copy: `copy ${stage} (${cols}) from stdin`,
    copyTarget: `copy ${target} (${cols}) from stdin`,
    merge: `insert into ${target} as "t" (${cols}) select ${cols} from ${stage}
     on conflict (${pgId(SYSTEM_COLUMNS.id)}) do update set ${updates}
     where "t".${v} is null or excluded.${v} >= "t".${v}`,
  };
  if (!byTarget) plans.set(spec, (byTarget = new Map()));
  byTarget.set(target, plan);
  return plan;
}

/** The statement COPYing the spec's columns straight into `target` (cached with the staging plan). */
export function copyTargetSql(target: string, spec: TargetTableSpec): string {
  return planFor(target, spec).copyTarget;
}

/** COPY text already encoded (CopyEncoder), in chunks. */
export interface CopyBytes {
  bytes: Iterable<Buffer>;
}

/**
 * COPY `rows` (values in spec.columns order, deduplicated by Id, as built by makeRowBuilder with
 * the identity encoder) into the session's staging table for this column set, then merge with the
 * version guard; returns the rows inserted or updated. At most once per column set per
 * transaction (the stage is emptied at commit).
 *
 * `transaction: "open"`: runs inside the caller's transaction on `client`. `"own"`: the batch is
 * its own transaction, with BEGIN sent along with the staging statement and COMMIT with the
 * merge — three round trips a batch (begin+stage, COPY, merge+commit) instead of six; each costs
 * a scheduling delay on a loaded host (bench/write.ts --phases). On any error the caller must
 * roll back (a failed statement leaves the transaction open and aborted).
 *
 * `data`: rows, or bytes from CopyEncoder. `beforeMerge` runs once the COPY is done; when it
 * returns false the merge is not sent and -1 is returned (the caller has ended the transaction).
 *
 * Driver errors keep their SQLSTATE: a value the column refuses fails the COPY or the merge with
 * class 22, a trigger or constraint the merge with 23/P0001.
 */
export async function copyMerge(
  client: pg.PoolClient,
  target: string,
  spec: TargetTableSpec,
  data: unknown[][] | CopyBytes,
  transaction: "open" | "own" = "open",
  beforeMerge?: () => Promise<boolean>,
): Promise<number> {
  const plan = planFor(target, spec);
  const own = transaction === "own";
  await client.query(own ? `begin; ${plan.create}` : plan.create);
  // A NUL found mid-stream fails the pipeline with the RecordValueError (the COPY is cancelled
  // and the caller rolls back), so the halving search still sees a record error.
  const source = Array.isArray(data) ? copyChunks(spec, data) : data.bytes;
  await pipeline(Readable.from(source), client.query(copyFrom(plan.copy)));
  if (beforeMerge && !(await beforeMerge())) return -1;
  if (!own) return (await client.query(plan.merge)).rowCount ?? 0;
  // Two statements, two results: the merge's count, then COMMIT's. If the merge fails, the
  // server skips the COMMIT and the transaction stays open (aborted) for the caller's ROLLBACK.
  const [merged] = (await client.query(`${plan.merge}; commit`)) as unknown as pg.QueryResult[];
  return merged.rowCount ?? 0;
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
