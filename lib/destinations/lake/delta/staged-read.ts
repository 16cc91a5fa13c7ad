// Reading staged pages back in DuckDB, typed by the table's current schema (a column added since a
// page was staged reads as null). Upsert pages are CSV with a header row (`.u.csv`): the header
// names the columns of that page, so files staged before a schema change are read with their own
// column list — one read_csv per distinct header. Pages staged as JSON lines by earlier versions
// (`.u.json`) and staged deletes (`.d.json`, ids only) are read with read_json.
import fsp from "node:fs/promises";
import type { LakeColumn } from "../lake-columns";
import { typedColumns, typedValue } from "./parquet-files";
import { duckType, PARTITION_COLUMN, quoteId, quoteStr } from "./schema";

/**
 * CSV as staged: every string quoted (so "" is an empty string, an empty field null), "" for a
 * quote. Lines up to 16 MB (a Memo of a million characters, quotes doubled; read_json's default
 * object size), read through 32 MB buffers (DuckDB's default would be 16 lines: 256 MB).
 */
const CSV_OPTIONS = "header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"', new_line = '\\n', allow_quoted_nulls = false, max_line_size = 16777216, buffer_size = 33554432";

/** The header of a staged CSV page: its column names. */
async function headerOf(local: string): Promise<string[]> {
  const fh = await fsp.open(local, "r");
  try {
    const chunks: Buffer[] = [];
    let pos = 0;
    for (;;) {
      const buf = Buffer.alloc(64 * 1024);
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (!bytesRead) break;
      const nl = buf.subarray(0, bytesRead).indexOf(0x0a);
      chunks.push(buf.subarray(0, nl < 0 ? bytesRead : nl));
      if (nl >= 0) break;
      pos += bytesRead;
    }
    return parseHeader(Buffer.concat(chunks).toString("utf8"));
  } finally {
    await fh.close();
  }
}

/** `"a","b ""x"""` → names (the header's names are quoted like any text: csv-page.ts). */
function parseHeader(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"]|"")*)"(?:,|$)/y;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1].replace(/""/g, '"'));
  return out;
}

/**
 * One SELECT (UNION ALL) of the upsert rows of `locals` (CSV and JSON pages): every current
 * column typed, PartitionId and `filename` (for the join to each file's sequence).
 */
export async function stagedUpsertRows(locals: string[], columns: LakeColumn[]): Promise<string> {
  const current = new Map(columns.map((c) => [c.name, c]));
  const out: string[] = [];
  const select = (present: Set<string>) =>
    `${columns.map((c) => `${present.has(c.name) ? typedValue(c, quoteId(c.name)) : `CAST(NULL AS ${duckType(c)})`} AS ${quoteId(c.name)}`).join(", ")}, ${PARTITION_COLUMN}, filename`;
  const json = locals.filter((l) => l.endsWith(".json"));
  if (json.length) {
    out.push(`SELECT ${select(new Set(current.keys()))} FROM read_json([${json.map(quoteStr).join(", ")}], format = 'newline_delimited', filename = true, columns = {${typedColumns(columns)}, ${PARTITION_COLUMN}: 'VARCHAR'})`);
  }
  const groups = new Map<string, { names: string[]; files: string[] }>();
  for (const l of locals.filter((x) => x.endsWith(".csv"))) {
    const names = await headerOf(l);
    const key = JSON.stringify(names);
    (groups.get(key) ?? groups.set(key, { names, files: [] }).get(key)!).files.push(l);
  }
  for (const { names, files } of groups.values()) {
    // A name the table no longer has cannot happen (columns are never dropped); read it as text.
    const typed = names.map((n) => (n === PARTITION_COLUMN || !current.has(n) ? `${quoteId(n)}: 'VARCHAR'` : typedColumns([current.get(n)!]))).join(", ");
    out.push(`SELECT ${select(new Set(names))} FROM read_csv([${files.map(quoteStr).join(", ")}], ${CSV_OPTIONS}, filename = true, columns = {${typed}})`);
  }
  return out.join(" UNION ALL ");
}

/** (Id, versionnumber, filename) of staged files of any kind: upsert pages and delete files. */
export async function stagedIds(locals: string[], columns: LakeColumn[]): Promise<string> {
  const deletes = locals.filter((l) => l.endsWith(".d.json"));
  const ups = locals.filter((l) => !l.endsWith(".d.json"));
  const out: string[] = [];
  if (ups.length) out.push(`SELECT Id, versionnumber, filename FROM (${await stagedUpsertRows(ups, columns)})`);
  if (deletes.length) out.push(`SELECT Id, CAST(NULL AS BIGINT) AS versionnumber, filename FROM read_json([${deletes.map(quoteStr).join(", ")}], format = 'newline_delimited', filename = true, columns = {Id: 'VARCHAR'})`);
  return out.join(" UNION ALL ");
}
