// What the migration histories lack compared with prisma/schema.prisma, for each provider.
// Used by `npm run db:migration` (scripts/new-migration.mjs) and by the test that checks both
// histories match the schema (scripts/migrations.test.ts). Offline: the JS schema engine, no
// download. The schema engine cannot diff a database against a schema while an adapter is
// configured, hence:
// - SQLite: apply prisma/migrations to a scratch file, `db pull` its datamodel, diff datamodels
//   (a SQLite shadow database is not possible with the JS engine);
// - PostgreSQL: `migrate diff --from-migrations`, replayed in a throwaway shadow database on the
//   server (prisma.config.ts's adapter creates and drops it).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { root, writePostgresSchema } from "./postgres-schema.mjs";

export const sqliteMigrations = path.join(root, "prisma", "migrations");
export const postgresMigrations = path.join(root, "prisma", "postgres", "migrations");
const prisma = path.join(root, "node_modules", "prisma", "build", "index.js");

function run(args, url) {
  const env = { ...process.env, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: "1" };
  return execFileSync(process.execPath, [prisma, ...args], { cwd: root, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** True when a `migrate diff --script` output changes anything. */
export function hasChanges(sql) {
  return /\b(CREATE|ALTER|DROP|INSERT|PRAGMA|COMMENT)\b/.test(sql);
}

/** SQL that brings a database migrated with prisma/migrations to prisma/schema.prisma. */
export function sqliteHistoryDiff() {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "dx-migration-"));
  const url = `file:${path.join(scratch, "scratch.db")}`;
  try {
    run(["migrate", "deploy"], url);
    const pulled = path.join(scratch, "schema.prisma");
    fs.writeFileSync(pulled, 'datasource db {\n  provider = "sqlite"\n  url      = env("DATABASE_URL")\n}\n');
    run(["db", "pull", "--schema", pulled], url);
    return run(["migrate", "diff", "--from-schema-datamodel", pulled, "--to-schema-datamodel", "prisma/schema.prisma", "--script"], url);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** The PostgreSQL server for shadow databases: PG_URL, else the local one. Null when unreachable. */
export async function postgresServer() {
  const url = process.env.PG_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return { url, reason: "" };
  } catch (err) {
    return { url: null, reason: `${url}: ${err.message}` };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** SQL that brings a database migrated with prisma/postgres/migrations to the (generated) PostgreSQL schema. */
export function postgresHistoryDiff(serverUrl) {
  writePostgresSchema();
  return run(
    ["migrate", "diff", "--from-migrations", "prisma/postgres/migrations", "--to-schema-datamodel", "prisma/postgres/schema.prisma", "--script"],
    serverUrl,
  );
}

export function migrationNames(dir) {
  return fs.readdirSync(dir).filter((d) => /^\d{14}_[a-z0-9_]+$/.test(d) && fs.existsSync(path.join(dir, d, "migration.sql"))).sort();
}

export function writeMigration(dir, name, sql) {
  const folder = path.join(dir, name);
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, "migration.sql"), sql);
  return path.relative(root, folder);
}
