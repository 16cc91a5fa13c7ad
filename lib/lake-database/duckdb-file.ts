// Builds a lake database's DuckDB database file: raw.<table> and one view per table over its
// latest state (the reader's SQL, lib/destinations/lake/reader.ts), a comment on the views of
// tables removed from the export ("no longer updated since …"), and a lake_database_tables table
// listing them. A folder lake's views read the CSV files in place (a rebuild picks up new files);
// an Azure lake's files are downloaded, so raw.<table> holds a copy of the rows at build time.
// Written to a temporary file and renamed over the old one: a download never sees half a file.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { quoteId, quoteStr } from "../destinations/lake/duck-sql";
import { FolderStorage } from "../destinations/lake/folder-storage";
import type { LakeColumn } from "../destinations/lake/lake-columns";
import { createLakeViews } from "../destinations/lake/reader";
import type { LakeStorage } from "../destinations/lake/storage";
import { BOOK_FOLDER, loadBook } from "../destinations/lake/table-book";

export interface ManifestTable {
  name: string;
  columns: LakeColumn[];
  /** Removed from the export then: kept, no longer updated. */
  frozenAt: string | null;
}

export interface LakeDatabaseManifest {
  database: string;
  builtAt: string;
  tables: ManifestTable[];
}


/** Every table the database's folder holds (its table books), with its columns. */
export async function lakeTables(storage: LakeStorage): Promise<{ name: string; columns: LakeColumn[] }[]> {
  const out: { name: string; columns: LakeColumn[] }[] = [];
  for (const f of await storage.list(`${BOOK_FOLDER}/`)) {
    if (!f.path.endsWith("-model.json")) continue;
    const name = f.path.slice(BOOK_FOLDER.length + 1, -"-model.json".length);
    const book = await loadBook(storage, name);
    if (book) out.push({ name, columns: book.columns });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export async function buildDuckdbFile(
  storage: LakeStorage,
  opts: { file: string; manifestFile: string; database: string; frozen: Map<string, Date>; now?: Date },
): Promise<LakeDatabaseManifest> {
  fs.mkdirSync(path.dirname(opts.file), { recursive: true, mode: 0o700 });
  const tmp = `${opts.file}.building`;
  fs.rmSync(tmp, { force: true });
  fs.rmSync(`${tmp}.wal`, { force: true });
  const local = storage instanceof FolderStorage ? null : fs.mkdtempSync(path.join(os.tmpdir(), "dvx-lake-db-"));
  const builtAt = opts.now ?? new Date();
  const tables = await lakeTables(storage);
  const instance = await DuckDBInstance.create(tmp);
  try {
    const conn = await instance.connect();
    try {
      await createLakeViews(conn, storage, { localDir: local, materialize: Boolean(local) });
      await conn.run("CREATE TABLE lake_database_tables (table_name VARCHAR, no_longer_updated_since TIMESTAMPTZ)");
      for (const t of tables) {
        const frozen = opts.frozen.get(t.name);
        if (frozen) await conn.run(`COMMENT ON VIEW ${quoteId(t.name)} IS ${quoteStr(`Removed from the export: no longer updated since ${frozen.toISOString()}`)}`);
        await conn.run(`INSERT INTO lake_database_tables VALUES (${quoteStr(t.name)}, ${frozen ? `${quoteStr(frozen.toISOString())}::TIMESTAMPTZ` : "NULL"})`);
      }
      await conn.run("CHECKPOINT");
    } finally {
      conn.closeSync();
    }
  } catch (err) {
    instance.closeSync();
    fs.rmSync(tmp, { force: true });
    throw err;
  } finally {
    if (local) fs.rmSync(local, { recursive: true, force: true });
  }
  instance.closeSync();
  fs.renameSync(tmp, opts.file);
  const manifest: LakeDatabaseManifest = {
    database: opts.database,
    builtAt: builtAt.toISOString(),
    tables: tables.map((t) => ({ ...t, frozenAt: opts.frozen.get(t.name)?.toISOString() ?? null })),
  };
  fs.writeFileSync(`${opts.manifestFile}.tmp`, JSON.stringify(manifest));
  fs.renameSync(`${opts.manifestFile}.tmp`, opts.manifestFile);
  return manifest;
}
