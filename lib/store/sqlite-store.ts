import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

type SqlDriverAdapter = Awaited<ReturnType<PrismaBetterSQLite3["connect"]>>;

/**
 * Every connection to a SQLite portal store. SQLite's defaults (rollback journal, synchronous =
 * FULL) cost two fsyncs a commit: 2–3 ms here, and the engine commits into the store after every
 * page (checkpoint, statistics). better-sqlite3 runs on the event loop, so each of those blocked
 * the export; in WAL with NORMAL a commit is ~0.02 ms, and a writer (the worker) no longer waits
 * for readers (the web process) to finish. NORMAL may lose the last commits on a power cut, never
 * on a process crash, and WAL loses them as a suffix, in commit order: at worst a checkpoint goes
 * back and the pages after it are written again, as after a crash between a page's write and its
 * checkpoint; a failure marker can only be lost together with the checkpoint that came after it.
 * journal_mode is kept in the file; synchronous is per connection.
 */
export const SQLITE_STORE_PRAGMAS = ["journal_mode = WAL", "synchronous = NORMAL"] as const;

/** The Prisma adapter for a SQLite store, with SQLITE_STORE_PRAGMAS on every connection it opens. */
export class SqliteStoreAdapter extends PrismaBetterSQLite3 {
  override async connect(): Promise<SqlDriverAdapter> {
    const adapter = await super.connect();
    await adapter.executeScript(SQLITE_STORE_PRAGMAS.map((p) => `PRAGMA ${p};`).join("\n"));
    return adapter;
  }
}
