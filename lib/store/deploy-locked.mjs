#!/usr/bin/env node
// `prisma migrate deploy` on a PostgreSQL store, one process at a time: web and worker processes
// (and hosts) that start together all call it. Prisma's own advisory lock gives up after 10 s
// (P1002) and a second deployer would then fail; this session lock waits as long as it takes,
// and whoever comes after the first finds nothing pending. Plain JS, spawned synchronously by
// lib/store/migrate.ts (so migrateStore() stays synchronous for its callers).
//   node deploy-locked.mjs <prisma cli> <database url>
import { spawnSync } from "node:child_process";
import pg from "pg";

// Any constant of our own (Prisma's is 72707369): "dvx migrate".
export const MIGRATE_LOCK_KEY = 0x6476786d;

const [prismaCli, url] = process.argv.slice(2);
const client = new pg.Client({ connectionString: url, application_name: "dataverse-export migrate" });
let status = 1;
try {
  await client.connect();
  await client.query("select pg_advisory_lock($1)", [MIGRATE_LOCK_KEY]);
  // Synchronous on purpose: the lock's session stays open (idle) until the deploy returns.
  const r = spawnSync(process.execPath, [prismaCli, "migrate", "deploy"], {
    stdio: "inherit",
    env: { ...process.env, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
  });
  status = r.status ?? 1;
  await client.query("select pg_advisory_unlock($1)", [MIGRATE_LOCK_KEY]);
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
} finally {
  await client.end().catch(() => undefined);
}
process.exit(status);
