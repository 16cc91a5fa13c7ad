// Store copy at scale: a SQLite store with N failure-log entries (default 200,000) and a few
// profiles copied into a fresh PostgreSQL database; prints rows/s. Figures, not a test.
//   npx tsx bench/store-copy.ts [--entries N]      (PostgreSQL: PG_URL, else 127.0.0.1:5432)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import pg from "pg";

const { values } = parseArgs({ options: { entries: { type: "string", default: "200000" } } });
const entries = Number(values.entries);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-bench-copy-"));
process.env.DATA_DIR = dir;
delete process.env.DATABASE_URL;
const server = process.env.PG_URL || "postgres://postgres@127.0.0.1:5432/postgres";
const database = `dvx_bench_copy_${Date.now().toString(36)}`;

const { migrateStore } = await import("../lib/store/migrate");
const { createDb } = await import("../lib/db");
const { copyStore } = await import("../lib/store/copy");
const from = `file:${path.join(dir, "portal.db")}`;
migrateStore(from);
const db = createDb(from);
const org = await db.organization.create({ data: { name: "bench", url: "https://bench.example.com" } });
const profiles = await Promise.all(["p1", "p2"].map((name) => db.profile.create({ data: { name, organizationId: org.id, destinationType: "sqlite" } })));
await db.$disconnect();
const raw = new Database(path.join(dir, "portal.db"));
const insert = raw.prepare('INSERT INTO "Failure" (profileId, entity, recordId, notificationTime, changeType, reason) VALUES (?, ?, ?, ?, ?, ?)');
const fill = raw.transaction((n: number) => {
  for (let i = 0; i < n; i++) insert.run(profiles[i % 2].id, "account", `00000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`, new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString().replace("Z", "+00:00"), "Update", `reason ${i}`);
});
fill(entries);
raw.close();

const admin = new pg.Client({ connectionString: server });
await admin.connect();
await admin.query(`create database "${database}"`);
const u = new URL(server);
u.pathname = `/${database}`;
try {
  const started = Date.now();
  const { counts } = await copyStore(from, u.toString());
  const seconds = (Date.now() - started) / 1000;
  const rows = Object.values(counts).reduce((a, b) => a + b, 0);
  console.log(`store copy: ${rows} rows (${counts.Failure} failure entries) SQLite → PostgreSQL in ${seconds.toFixed(1)} s (migrations of both stores included), ${Math.round(rows / seconds)} rows/s`);
} finally {
  await admin.query(`drop database if exists "${database}" with (force)`);
  await admin.end();
  fs.rmSync(dir, { recursive: true, force: true });
}
