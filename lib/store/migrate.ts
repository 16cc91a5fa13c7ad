// Applies the migrations to the portal store with the Prisma CLI (JS schema engine, no download):
// prisma/migrations on SQLite, prisma/postgres/migrations on PostgreSQL (prisma.config.ts picks
// by DATABASE_URL). Used by the start script, the CLI and tests on a fresh DATA_DIR.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { createOwnerOnly, databaseUrl, ownerOnly, projectRoot } from "../config/paths";
import { isPostgresUrl, redactUrl } from "./provider";
import { pendingSqliteMigrations } from "./sqlite-pending";

export function migrateStore(url: string = databaseUrl()): void {
  const root = projectRoot();
  // The SQLite driver creates the file but not its folder (a fresh DATA_DIR); the store holds
  // password hashes and secrets, so the file is made owner-only first (SQLite's -wal/-shm follow it).
  const sqliteFile = url.startsWith("file:") ? path.resolve(root, url.slice(5)) : null;
  if (sqliteFile) {
    fs.mkdirSync(path.dirname(sqliteFile), { recursive: true, mode: 0o700 });
    createOwnerOnly(sqliteFile);
    ownerOnly(sqliteFile);
  }
  const sqliteMigrations = path.join(root, "prisma/migrations");
  if (sqliteFile && pendingSqliteMigrations(sqliteFile, sqliteMigrations).length === 0) return;
  const prismaCli = createRequire(path.join(root, "package.json")).resolve("prisma/build/index.js");
  try {
    // PostgreSQL: several processes or hosts may start at once; deploy-locked.mjs lets one migrate.
    const args = isPostgresUrl(url) ? [path.join(root, "lib/store/deploy-locked.mjs"), prismaCli, url] : [prismaCli, "migrate", "deploy"];
    execFileSync(process.execPath, args, {
      cwd: root,
      env: { ...process.env, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer; message: string };
    // Another process that started at the same time may have applied them meanwhile.
    if (sqliteFile && pendingSqliteMigrations(sqliteFile, sqliteMigrations).length === 0) return;
    const detail = (`${e.stdout?.toString() ?? ""}${e.stderr?.toString() ?? ""}`.trim() || e.message).replaceAll(url, redactUrl(url));
    // SQLITE_BUSY reaches the CLI as the adapter's "SocketTimeout".
    const busy = sqliteFile && /SocketTimeout|SQLITE_BUSY|database is locked/.test(detail);
    const hint = busy
      ? "\nThe store has migrations to apply and another process (the portal, a worker or a CLI command) has it open: stop them all, then start again."
      : "";
    throw new Error(`Could not prepare the portal store at ${redactUrl(url)}:\n${detail}${hint}`);
  }
}
