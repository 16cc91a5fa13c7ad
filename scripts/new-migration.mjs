#!/usr/bin/env node
// `npm run db:migration -- <name>`: writes what prisma/schema.prisma adds to the migrations
// already there, for both stores: prisma/migrations/<timestamp>_<name>/migration.sql (SQLite)
// and its PostgreSQL twin prisma/postgres/migrations/<timestamp>_<name>/migration.sql.
//
// `npm run db:migration -- --postgres`: only the PostgreSQL twin, for SQLite migrations that
// were added without it (e.g. on a branch from before the PostgreSQL history, or with no
// PostgreSQL server at hand). It covers everything the PostgreSQL history lacks and takes the
// name of the newest SQLite migration that has no PostgreSQL folder of the same name.
//
// The PostgreSQL part needs a PostgreSQL server for a throwaway shadow database (PG_URL, else
// postgresql://postgres@127.0.0.1:5432/postgres); scripts/migration-tools.mjs says why and how.
import path from "node:path";
import {
  hasChanges, migrationNames, postgresHistoryDiff, postgresMigrations, postgresServer, sqliteHistoryDiff, sqliteMigrations, writeMigration,
} from "./migration-tools.mjs";

const arg = process.argv[2];
const postgresOnly = arg === "--postgres";
if (!postgresOnly && (!arg || !/^[a-z0-9_]+$/.test(arg))) {
  console.error("usage: npm run db:migration -- <name>   (lowercase letters, digits, _)\n       npm run db:migration -- --postgres   (PostgreSQL twin of SQLite migrations added without one)");
  process.exit(2);
}

function fail(err) {
  console.error(err.stderr?.toString() || err.message);
  process.exit(1);
}

let name = null;
if (!postgresOnly) {
  let sql;
  try {
    sql = sqliteHistoryDiff();
  } catch (err) {
    fail(err);
  }
  if (hasChanges(sql)) {
    name = `${new Date().toISOString().replace(/\D/g, "").slice(0, 14)}_${arg}`;
    console.log(`wrote ${writeMigration(sqliteMigrations, name, sql)}/migration.sql`);
  } else {
    console.log("prisma/migrations matches prisma/schema.prisma: no SQLite migration to write.");
  }
}

const server = await postgresServer();
if (!server.url) {
  console.error(`\nNo PostgreSQL server for the PostgreSQL twin (${server.reason}).\nStart one (or set PG_URL), then run: npm run db:migration -- --postgres`);
  process.exit(1);
}
let pgSql;
try {
  pgSql = postgresHistoryDiff(server.url);
} catch (err) {
  fail(err);
}
if (!hasChanges(pgSql)) {
  console.log("prisma/postgres/migrations matches the schema: no PostgreSQL migration to write.");
} else {
  if (!name) {
    const twinned = new Set(migrationNames(postgresMigrations));
    const untwinned = migrationNames(sqliteMigrations).filter((m) => !twinned.has(m));
    name = untwinned.at(-1) ?? `${new Date().toISOString().replace(/\D/g, "").slice(0, 14)}_postgres_sync`;
  }
  console.log(`wrote ${writeMigration(postgresMigrations, name, pgSql)}/migration.sql`);
}
if (name) console.log(`Review the migration${postgresOnly ? "" : "s"}, then commit ${path.join("prisma", "…", name)} together with prisma/schema.prisma and prisma/postgres/schema.prisma.`);
