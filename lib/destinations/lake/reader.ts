// Reads a lake back with DuckDB (@duckdb/node-api; its binary ships in the npm package and needs
// no extension). Every table becomes a view of its latest state: the newest row per Id (highest
// versionnumber, then latest SinkModifiedOn, a delete winning a tie), deleted rows removed;
// `raw.<table>` shows every row as written. Azure files are downloaded to a temporary folder
// first, because DuckDB's azure extension cannot be installed here.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { duckType, quoteId, quoteStr } from "./duck-sql";
import type { LakeColumn } from "./lake-columns";
import type { CdmManifest } from "./model-json";
import { FolderStorage } from "./folder-storage";
import { BOOK_FOLDER, loadBook } from "./table-book";
import type { LakeStorage } from "./storage";
import { MODEL_JSON } from "./snapshots";
import { incrementalFolders } from "./incremental-folders";

export interface LakeReaderOptions {
  /**
   * "live" (default): the trickle-feed files; "snapshot": the files model.json names;
   * "incremental": the incremental update folders (every complete one, or only `folder`).
   */
  source?: "live" | "snapshot" | "incremental";
  /** With source "incremental": one folder (yyyy-MM-ddTHH.mm.ssZ). */
  folder?: string;
  /** Only these tables (folder names). */
  tables?: string[];
}

export interface LakeReader {
  /** Table views created (folder names). */
  readonly tables: string[];
  query(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

const SINK_FORMAT = "%-m/%-d/%Y %-I:%M:%S %p";

/** CSV columns as DuckDB reads them: dates as text (parsed in selectList), decimals at the widest precision. */
const csvType = (c: LakeColumn) => (c.dataType === "dateTime" || c.dataType === "dateTimeOffset" ? "VARCHAR" : duckType({ ...c, precision: 38 }));

function selectList(columns: LakeColumn[]): string {
  return columns
    .map((c) => {
      const id = quoteId(c.name);
      if (c.name === "SinkCreatedOn" || c.name === "SinkModifiedOn") return `strptime(${id}, '${SINK_FORMAT}') AS ${id}`;
      if (c.dataType === "dateTime" || c.dataType === "dateTimeOffset") return `try_cast(substr(${id}, 1, 26) AS TIMESTAMP) AS ${id}`;
      return id;
    })
    .join(", ");
}

function readCsvSql(files: string[], columns: LakeColumn[]): string {
  const cols = columns.map((c) => `${quoteStr(c.name)}: ${quoteStr(csvType(c))}`).join(", ");
  // null_padding: files started before a schema change have fewer columns (never mixed in one file).
  return `read_csv([${files.map(quoteStr).join(", ")}], header = false, auto_detect = false, delim = ',', quote = '"', escape = '"', ` +
    `null_padding = true, parallel = false, allow_quoted_nulls = false, columns = {${cols}})`;
}

async function tableFiles(storage: LakeStorage, source: "live" | "snapshot" | "incremental", only?: string[], folder?: string): Promise<Map<string, { columns: LakeColumn[]; files: string[] }>> {
  const out = new Map<string, { columns: LakeColumn[]; files: string[] }>();
  const books = (await storage.list(`${BOOK_FOLDER}/`)).filter((f) => f.path.endsWith("-model.json"));
  const byLocation = new Map<string, string>();
  for (const b of books) {
    const table = b.path.slice(BOOK_FOLDER.length + 1, -"-model.json".length);
    if (only && !only.includes(table)) continue;
    const book = await loadBook(storage, table);
    if (!book) continue;
    // Columns from the book: a table only gains columns, and null_padding reads narrower files.
    out.set(table, { columns: book.columns, files: source === "live" ? book.files.map((f) => f.path) : [] });
    if (source === "snapshot") for (const g of book.snapshots) for (const f of g.files) byLocation.set(storage.locationOf(f.path), f.path);
  }
  if (source === "incremental") {
    for (const dir of folder ? [folder] : await incrementalFolders(storage)) {
      const raw = await storage.read(`${dir}/${MODEL_JSON}`);
      if (!raw) continue; // not complete yet
      const where = new Map((await storage.list(`${dir}/`)).map((f) => [storage.locationOf(f.path), f.path]));
      for (const e of (JSON.parse(raw.toString("utf8")) as CdmManifest).entities) {
        for (const p of e.partitions) {
          const rel = where.get(p.location);
          if (rel) out.get(e.name)?.files.push(rel);
        }
      }
    }
  }
  if (source === "snapshot") {
    const raw = await storage.read(MODEL_JSON);
    const model = raw ? (JSON.parse(raw.toString("utf8")) as CdmManifest) : { entities: [] };
    for (const e of model.entities) {
      const t = out.get(e.name);
      if (!t) continue;
      for (const p of e.partitions) {
        const rel = byLocation.get(p.location);
        if (rel) t.files.push(rel);
      }
    }
  }
  return out;
}

export interface LakeViewOptions extends LakeReaderOptions {
  /** Where Azure files are downloaded (null: a folder lake, read in place). */
  localDir: string | null;
  /**
   * Copy the rows into raw.<table> tables instead of views over the files: a database file
   * outlives the downloaded copies (Azure), so it must hold what they held.
   */
  materialize?: boolean;
}

/**
 * Creates raw.<table> (every row as written) and <table> (the latest state) on `conn` over the
 * lake's files. Shared by the in-memory reader and the lake database file (lib/lake-database).
 */
export async function createLakeViews(conn: DuckDBConnection, storage: LakeStorage, opts: LakeViewOptions): Promise<string[]> {
  const tables = await tableFiles(storage, opts.source ?? "live", opts.tables, opts.folder);
  const local = opts.localDir;
  await conn.run("CREATE SCHEMA IF NOT EXISTS raw");
  let n = 0;
  for (const [table, t] of tables) {
    const rawView = `raw.${quoteId(table)}`;
    if (!t.files.length) {
      const empty = t.columns.map((c) => `CAST(NULL AS ${csvType(c)}) AS ${quoteId(c.name)}`).join(", ");
      await conn.run(`CREATE VIEW ${rawView} AS SELECT ${selectList(t.columns)} FROM (SELECT ${empty}) WHERE false`);
      await conn.run(`CREATE VIEW ${quoteId(table)} AS SELECT * FROM ${rawView}`);
      continue;
    }
    const files: string[] = [];
    for (const f of t.files) {
      if (!local) files.push(path.join((storage as FolderStorage).root, f));
      else {
        const dest = path.join(local, `${n++}.csv`);
        await storage.download(f, dest);
        files.push(dest);
      }
    }
    // __ord: the row's place in the files (written order), the last tie-break; kept in a copy.
    const rows = `SELECT *, row_number() OVER () AS __ord FROM (SELECT ${selectList(t.columns)} FROM ${readCsvSql(files, t.columns)})`;
    if (opts.materialize) await conn.run(`CREATE TABLE ${rawView} AS ${rows}`);
    else await conn.run(`CREATE VIEW ${rawView} AS SELECT ${selectList(t.columns)} FROM ${readCsvSql(files, t.columns)}`);
    const ordered = opts.materialize ? rawView : `(SELECT *, row_number() OVER () AS __ord FROM ${rawView})`;
    await conn.run(
      `CREATE VIEW ${quoteId(table)} AS SELECT * EXCLUDE (__rn, __ord) FROM (` +
        `SELECT *, row_number() OVER (PARTITION BY "Id" ORDER BY "versionnumber" DESC NULLS LAST, "SinkModifiedOn" DESC NULLS LAST, ` +
        `coalesce("IsDelete", false) DESC, __ord DESC) AS __rn ` +
        `FROM ${ordered}) WHERE __rn = 1 AND NOT coalesce("IsDelete", false)`,
    );
  }
  return [...tables.keys()];
}

export async function openLakeReader(storage: LakeStorage, opts: LakeReaderOptions = {}): Promise<LakeReader> {
  const local = storage instanceof FolderStorage ? null : fs.mkdtempSync(path.join(os.tmpdir(), "dvx-lake-read-"));
  const instance = await DuckDBInstance.create(":memory:");
  let conn: DuckDBConnection | null = null;
  let tables: string[];
  try {
    conn = await instance.connect();
    tables = await createLakeViews(conn, storage, { ...opts, localDir: local });
  } catch (err) {
    conn?.closeSync();
    if (local) fs.rmSync(local, { recursive: true, force: true });
    throw err;
  }
  const c = conn;
  return {
    tables,
    async query(sql: string) {
      const r = await c.runAndReadAll(sql);
      return r.getRowObjectsJson() as Record<string, unknown>[];
    },
    async close() {
      c.closeSync();
      if (local) fs.rmSync(local, { recursive: true, force: true });
    },
  };
}
