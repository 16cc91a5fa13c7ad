// Where a lake database lives: its files one folder below the export's lake (<lake>/<database>/),
// its DuckDB database file in DATA_DIR (per profile, beside the worker that builds it).
import path from "node:path";
import { dataDir } from "../config/paths";
import type { ParsedLake } from "../destinations/lake/lake-target";

/** The lake rooted at the database's folder: the lake writer and reader work one folder deeper. */
export function inDatabase(lake: ParsedLake, database: string | null | undefined): ParsedLake {
  if (!database) return lake;
  if (lake.storage === "folder") return { ...lake, root: path.join(lake.root, database) };
  return { ...lake, prefix: lake.prefix ? `${lake.prefix}/${database}` : database };
}

/** The folder holding a profile's lake database files (every database it had, current and previous). */
export function lakeDatabaseDir(profileId: string): string {
  return path.join(dataDir(), "lake-databases", profileId);
}

/** The DuckDB database file of a profile's database (names are checked by ZLakeDatabaseName). */
export function duckdbFile(profileId: string, database: string): string {
  return path.join(lakeDatabaseDir(profileId), `${database}.duckdb`);
}

/** The tables and columns found at the last build (the Synapse script is generated from them). */
export function manifestFile(profileId: string, database: string): string {
  return path.join(lakeDatabaseDir(profileId), `${database}.tables.json`);
}

/**
 * The container URL the Synapse script's external data source points at (the lake's path
 * included, so BULK paths start at <database>/). A folder lake has none: a placeholder to edit.
 */
export function synapseLocation(lake: ParsedLake): string {
  if (lake.storage === "folder") return "https://ACCOUNT.dfs.core.windows.net/CONTAINER";
  const base = `https://${lake.account}.dfs.core.windows.net/${lake.container}`;
  return lake.prefix ? `${base}/${lake.prefix}` : base;
}

/** The same location described for people (no key or SAS): where the database's files are. */
export function describeDatabaseFolder(lake: ParsedLake, database: string): string {
  const l = inDatabase(lake, database);
  if (l.storage === "folder") return `lake:${l.root}`;
  return `${l.blobEndpoint}/${l.container}/${l.prefix}`;
}
