import fs from "node:fs";
import path from "node:path";

/** Where the portal keeps its own files (store, key file). */
export function dataDir(): string {
  return path.resolve(process.env.DATA_DIR || "./data");
}

export function ensureDataDir(): string {
  const dir = dataDir();
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** The portal store: DATABASE_URL when set, else SQLite at $DATA_DIR/portal.db. */
export function databaseUrl(): string {
  return process.env.DATABASE_URL || `file:${path.join(dataDir(), "portal.db")}`;
}
