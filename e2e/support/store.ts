// Read-only access to the portal store the server writes, so tests assert what was (not) saved.
import path from "node:path";
import Database from "better-sqlite3";
import { E2E } from "./env";

export function openStore(): Database.Database {
  if (!E2E.dataDir) throw new Error("E2E_DATA_DIR is not set: run the tests through playwright.config.ts");
  return new Database(path.join(E2E.dataDir, "portal.db"), { readonly: true, fileMustExist: true });
}

export function count(table: string, where = "1=1", ...params: unknown[]): number {
  const store = openStore();
  try {
    return (store.prepare(`SELECT COUNT(*) AS n FROM "${table}" WHERE ${where}`).get(...params) as { n: number }).n;
  } finally {
    store.close();
  }
}

/**
 * Seeds a state through the store itself, for the one test that must start from it whatever ran
 * before (the journey starts from privacy terms not yet accepted). Waits out the server's writes.
 */
export function writeStore(sql: string, ...params: unknown[]): number {
  if (!E2E.dataDir) throw new Error("E2E_DATA_DIR is not set: run the tests through playwright.config.ts");
  const store = new Database(path.join(E2E.dataDir, "portal.db"), { fileMustExist: true });
  try {
    store.pragma("busy_timeout = 10000");
    return store.prepare(sql).run(...params).changes;
  } finally {
    store.close();
  }
}
