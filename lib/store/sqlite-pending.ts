// Which of prisma/migrations a SQLite store has not applied, read without the Prisma CLI. The
// schema engine migrates SQLite under `locking_mode = EXCLUSIVE`, which in WAL mode
// (sqlite-store.ts) cannot start while any other connection has the file open: a CLI command or a
// restarted worker beside a running portal would fail to start. Nothing pending: no CLI at all.
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

/** The migration folders not applied (all of them for a new or empty file), in order. */
export function pendingSqliteMigrations(file: string, migrationsDir: string): string[] {
  const wanted = fs
    .readdirSync(migrationsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(migrationsDir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort();
  if (!fs.existsSync(file) || fs.statSync(file).size === 0) return wanted;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'").get();
    if (!table) return wanted;
    const rows = db.prepare("SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations").all() as {
      migration_name: string;
      finished_at: unknown;
      rolled_back_at: unknown;
    }[];
    // A failed or rolled-back attempt does not count: the CLI reports or retries it.
    const applied = new Set(rows.filter((r) => r.finished_at !== null && r.rolled_back_at === null).map((r) => r.migration_name));
    return wanted.filter((m) => !applied.has(m));
  } finally {
    db.close();
  }
}
