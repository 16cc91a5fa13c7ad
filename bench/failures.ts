// The failure viewer at scale: fills a throwaway store (SQLite and/or PostgreSQL) with N failure
// entries (default 1,000,000) in one bulk INSERT … SELECT, then times the viewer's query
// (lib/profiles/failures.ts queryFailures) for every combination of its filters — profile, table,
// change type, time range, search (none, record id, common / rare / absent text) — on the first page
// and on a deep keyset page, and prints the p95 (and the plan the store chose) per combination.
// Figures, not a test.
//   node --conditions=react-server --import tsx bench/failures.ts [--entries N] [--store sqlite,postgres] [--runs N] [--plans] [--only label,…]
// (react-server: the services import "server-only", which allows only that condition;
//  PostgreSQL: PG_URL, else 127.0.0.1:5432 — a database is created and dropped)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import pg from "pg";

const { values } = parseArgs({
  options: {
    entries: { type: "string", default: "1000000" },
    store: { type: "string", default: "sqlite,postgres" },
    runs: { type: "string", default: "20" },
    plans: { type: "boolean", default: false },
    // Only the combinations whose label equals one of these (comma-separated), e.g. to look into one.
    only: { type: "string" },
    // Renice this process and the PostgreSQL backends of the bench database to -15: figures less
    // swamped by other work on a shared machine (the report says which were taken so).
    nice: { type: "boolean", default: false },
  },
});
const entries = Number(values.entries);
const runs = Number(values.runs);
const stores = values.store.split(",").map((s) => s.trim());
const only = values.only?.split(",").map((s) => s.trim());
if (values.nice) os.setPriority(-15);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-bench-failures-"));
process.env.DATA_DIR = dir;
delete process.env.DATABASE_URL;

const { migrateStore } = await import("../lib/store/migrate");
const { queryFailures } = await import("../lib/profiles/failures");
const { refreshPlannerStats } = await import("../lib/sync/retention");
const { PrismaClient } = await import("../lib/generated/prisma/client");
const { PrismaClient: PgPrismaClient } = await import("../lib/generated/prisma-pg/client");
const { PrismaBetterSQLite3 } = await import("@prisma/adapter-better-sqlite3");
const { PrismaPg } = await import("@prisma/adapter-pg");
type Db = import("../lib/db").Db;

// The data: one entry a second from t0; 4 profiles (60/30/9/1 %), 8 tables, change types
// Update 60 % / New 30 % / Delete 9 % / Trigger Initial Export 1 % (record id N/A); one reason in
// 1,000 is rare. The same expressions on both stores.
const t0 = Date.UTC(2026, 0, 1);
const TABLES = ["account", "contact", "lead", "opportunity", "incident", "email", "task", "team"];
const guid = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;
const sqlOf = (dialect: "sqlite" | "pg", profiles: string[]) => {
  const q = (s: string) => `'${s}'`;
  const pick = (list: string[], expr: string) => `CASE ${expr} ${list.map((v, k) => `WHEN ${k} THEN ${q(v)}`).join(" ")} END`;
  const profile = `CASE WHEN i % 100 < 60 THEN ${q(profiles[0])} WHEN i % 100 < 90 THEN ${q(profiles[1])} WHEN i % 100 < 99 THEN ${q(profiles[2])} ELSE ${q(profiles[3])} END`;
  const entity = pick(TABLES, "(i / 7) % 8");
  const type = `CASE WHEN (i / 3) % 100 < 1 THEN 'Trigger Initial Export' WHEN (i / 3) % 100 < 10 THEN 'Delete' WHEN (i / 3) % 100 < 40 THEN 'New' ELSE 'Update' END`;
  const hex = dialect === "sqlite" ? `printf('%012x', i)` : `lpad(to_hex(i), 12, '0')`;
  const record = `CASE WHEN (i / 3) % 100 < 1 THEN 'N/A' ELSE '00000000-0000-4000-8000-' || ${hex} END`;
  const reason = `CASE WHEN i % 1000 = 500 THEN 'Violation of PRIMARY KEY constraint ' || i ELSE 'String or binary data would be truncated in table ' || i || ', column name' END`;
  const time =
    dialect === "sqlite"
      ? // Prisma's SQLite adapter stores DateTime as ISO text with an explicit offset.
        `strftime('%Y-%m-%dT%H:%M:%f+00:00', ${t0 / 1000} + i, 'unixepoch')`
      : `to_timestamp(${t0 / 1000} + i)`;
  const cols = `"profileId", "entity", "recordId", "notificationTime", "changeType", "reason"`;
  const select = `SELECT ${profile}, ${entity}, ${record}, ${time}, ${type}, ${reason}`;
  return dialect === "sqlite"
    ? `WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < ${entries}) INSERT INTO "Failure" (${cols}) ${select} FROM s`
    : `INSERT INTO "Failure" (${cols}) ${select} FROM generate_series(0, ${entries - 1}) AS s(i)`;
};

interface Captured {
  query: string;
  params: string;
}

async function setUp(store: string): Promise<{ db: Db; captured: Captured[]; explain: (c: Captured) => Promise<string>; close: () => Promise<void>; profiles: string[] }> {
  const captured: Captured[] = [];
  const log: [{ emit: "event"; level: "query" }] = [{ emit: "event", level: "query" }];
  let db: Db;
  let explain: (c: Captured) => Promise<string>;
  let fill: (sql: string) => Promise<void>;
  let close: () => Promise<void>;
  if (store === "sqlite") {
    const file = path.join(dir, "portal.db");
    const url = `file:${file}`;
    migrateStore(url);
    db = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url }), log });
    const raw = new Database(file);
    fill = async (sql) => {
      // Indexes built after the rows (one sort each) rather than row by row: same indexes, a faster fill.
      const indexes = raw.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'Failure' AND sql IS NOT NULL`).all() as { name: string; sql: string }[];
      for (const i of indexes) raw.exec(`DROP INDEX "${i.name}"`);
      raw.exec(sql);
      for (const i of indexes) raw.exec(i.sql);
    };
    explain = async (c) =>
      (raw.prepare(`EXPLAIN QUERY PLAN ${c.query}`).all(...(JSON.parse(c.params) as unknown[]).map((p) => (typeof p === "boolean" ? Number(p) : p))) as { detail: string }[])
        .map((r) => r.detail)
        .join("; ");
    close = async () => {
      raw.close();
      await db.$disconnect();
    };
  } else {
    const server = process.env.PG_URL || "postgres://postgres@127.0.0.1:5432/postgres";
    const name = `dvx_bench_failures_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const u = new URL(server);
    u.pathname = `/${name}`;
    const url = u.toString();
    migrateStore(url);
    db = new PgPrismaClient({ adapter: new PrismaPg({ connectionString: url }), log }) as unknown as Db;
    const raw = new pg.Client({ connectionString: url });
    await raw.connect();
    await db.$connect();
    if (values.nice) {
      await Promise.all(Array.from({ length: 4 }, () => db.organization.count())); // open the pool's connections
      const pids = (await raw.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [name])).rows.map((r: { pid: number }) => r.pid);
      for (const pid of pids) os.setPriority(pid, -15);
    }
    fill = async (sql) => {
      const indexes = (await raw.query(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'Failure' AND indexname <> 'Failure_pkey'`)).rows as { indexname: string; indexdef: string }[];
      for (const i of indexes) await raw.query(`DROP INDEX "${i.indexname}"`);
      await raw.query(sql);
      for (const i of indexes) await raw.query(i.indexdef);
      // What autovacuum does after a bulk load: statistics for the planner, visibility map for index-only scans.
      await raw.query(`VACUUM ANALYZE "Failure"`);
    };
    explain = async (c) => {
      const r = await raw.query(`EXPLAIN ${c.query}`, JSON.parse(c.params) as unknown[]);
      return r.rows.map((x: Record<string, string>) => x["QUERY PLAN"].trim()).join("; ");
    };
    close = async () => {
      await raw.end();
      await db.$disconnect();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    };
  }
  (db as unknown as { $on: (e: "query", f: (e: Captured) => void) => void }).$on("query", (e) => captured.push({ query: e.query, params: e.params }));
  const org = await db.organization.create({ data: { name: "bench", url: "https://bench.example.com" } });
  const profiles: string[] = [];
  for (const name of ["p-60", "p-30", "p-9", "p-1"]) profiles.push((await db.profile.create({ data: { name, organizationId: org.id, destinationType: "sqlite" } })).id);
  const started = Date.now();
  await fill(sqlOf(store === "sqlite" ? "sqlite" : "pg", profiles));
  await refreshPlannerStats(db); // what the worker's housekeeping does hourly (SQLite; PostgreSQL: autovacuum)
  console.log(`${store}: filled ${entries.toLocaleString()} entries in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { db, captured, explain, close, profiles };
}

const actor = { id: "bench", email: "bench@example.com", name: null, role: "viewer" as const };
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * p) - 1)];

/** The plan of the failure query proper (not the profile check or the profile-name lookup). */
function planLine(plan: string, store: string): string {
  if (store === "sqlite") {
    const idx = plan.match(/USING (?:COVERING )?INDEX (\w+)/g)?.map((s) => s.replace(/USING (COVERING )?INDEX Failure_/, "").replace(/_idx$/, "")) ?? [];
    const flags = [plan.includes("SCAN Failure") && !/SCAN Failure USING/.test(plan) ? "FULL SCAN" : "", plan.includes("TEMP B-TREE") ? "SORT" : ""].filter(Boolean);
    if (plan.includes("INTEGER PRIMARY KEY")) idx.push("by id");
    return [...new Set(idx)].join("+") + (flags.length ? ` [${flags.join(",")}]` : "");
  }
  const idx = plan.match(/Index (?:Only )?Scan(?: Backward)? using "?\w+/g)?.map((s) => s.replace(/.*using "?Failure_/, "").replace(/_idx$/, "")) ?? [];
  if (plan.includes("Failure_pkey")) idx.push("by id");
  const flags = [plan.includes("Seq Scan") ? "SEQ SCAN" : "", /(^|; )Sort/.test(plan) ? "SORT" : "", plan.includes("Bitmap") ? "BITMAP" : ""].filter(Boolean);
  return [...new Set(idx)].join("+") + (flags.length ? ` [${flags.join(",")}]` : "");
}

const results: { store: string; label: string; p50: number; p95: number; cpu95: number; rows: number; partial: boolean; plan: string }[] = [];
console.log(`load average at start: ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} (${os.cpus().length} cores)`);
for (const store of stores) {
  const { db, captured, explain, close, profiles } = await setUp(store);
  const mid = Math.floor(entries / 2);
  const from = new Date(t0 + Math.floor(entries * 0.25) * 1000).toISOString();
  const to = new Date(t0 + mid * 1000).toISOString();
  const deep = `${t0 + Math.floor(entries * 0.375) * 1000}.${Math.floor(entries * 0.375)}`;
  const searches: [string, string | undefined][] = [
    ["", undefined],
    ["record id", guid(Math.floor(entries * 0.4) + 1)],
    ["text common", "truncated"],
    ["text rare", "PRIMARY KEY"],
    ["text absent", "deadlock victim"],
  ];
  for (const withProfile of [false, true])
    for (const withTable of [false, true])
      for (const withType of [false, true])
        for (const withRange of [false, true])
          for (const [searchLabel, search] of searches)
            for (const page of ["first", "deep"] as const) {
              const query: Record<string, unknown> = {
                ...(withProfile ? { profileId: profiles[1] } : {}),
                ...(withTable ? { entity: "contact" } : {}),
                ...(withType ? { changeType: "Delete" } : {}),
                ...(withRange ? { from, to } : {}),
                ...(search ? { search } : {}),
                ...(page === "deep" ? { cursor: deep } : {}),
                limit: 50,
              };
              const label = [withProfile && "profile", withTable && "table", withType && "type", withRange && "time range", searchLabel && `search ${searchLabel}`, page === "deep" && "deep page"].filter(Boolean).join(" + ") || "no filter";
              if (only && !only.includes(label)) continue;
              await queryFailures(db, actor, query); // warm
              const times: number[] = [];
              const cpu: number[] = [];
              let last = await queryFailures(db, actor, query);
              for (let i = 0; i < runs; i++) {
                captured.length = 0;
                const c = process.cpuUsage();
                const t = performance.now();
                last = await queryFailures(db, actor, query);
                times.push(performance.now() - t);
                const d = process.cpuUsage(c);
                cpu.push((d.user + d.system) / 1000);
              }
              // The failure queries (the window edge of a text search, then the page), not the profile lookups.
              const mine = captured.filter((c) => /^SELECT .* FROM [`"](main|public)[`"]\.[`"]Failure[`"]/.test(c.query));
              const plans: string[] = [];
              for (const c of mine) plans.push(await explain(c));
              const plan = [...new Set(plans.map((p) => planLine(p, store)))].join(" → ");
              if (values.plans) for (const [k, c] of mine.entries()) console.log(`  ${c.query}\n  ${plans[k]}`);
              const r = { store, label, p50: pct(times, 0.5), p95: pct(times, 0.95), cpu95: pct(cpu, 0.95), rows: last.entries.length, partial: last.searchedTo !== null, plan };
              results.push(r);
              console.log(`${store.padEnd(8)} ${label.padEnd(62)} p50 ${r.p50.toFixed(1).padStart(6)} p95 ${r.p95.toFixed(1).padStart(6)} ms (cpu p95 ${r.cpu95.toFixed(1).padStart(5)})  ${String(r.rows).padStart(2)} rows${r.partial ? " (partial)" : "          "}  ${plan}`);
            }
  await close();
}
fs.rmSync(dir, { recursive: true, force: true });

for (const store of stores) {
  const mine = results.filter((r) => r.store === store);
  const worst = mine.reduce((a, b) => (b.p95 > a.p95 ? b : a));
  const over = mine.filter((r) => r.p95 > 100);
  const median = pct(mine.map((r) => r.p95), 0.5);
  const cpuWorst = mine.reduce((a, b) => (b.cpu95 > a.cpu95 ? b : a));
  console.log(`${store}: this process's CPU time per answer (${store === "sqlite" ? "all the work: SQLite runs in-process" : "client side only; the server's is not counted"}): worst p95 ${cpuWorst.cpu95.toFixed(1)} ms (${cpuWorst.label})`);
  console.log(`${store}: ${mine.length} combinations, p95 median ${median.toFixed(1)} ms, worst ${worst.p95.toFixed(1)} ms (${worst.label}); over 100 ms: ${over.length}${over.length ? ` (${over.map((r) => r.label).join("; ")})` : ""}`);
}
console.log(`load average at end: ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
