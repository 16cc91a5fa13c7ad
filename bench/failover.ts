// Failover benchmark (issue 11): 3 worker processes share 12 active profiles on the emulator while
// the source churns; every --kill-every seconds a random worker is killed with SIGKILL (and a new
// one started in its place, as a process manager would), for --minutes. Prints:
//   - takeover time per orphaned profile (kill → another worker holds its lease): p50 / p99 / max
//     (goal: p99 <= 15 s);
//   - profiles ever run twice at once: target rows written by a process that did not hold the
//     profile's lease at that instant (a PostgreSQL target whose trigger records each row's writer
//     by application_name), and epochs that did not increase (must be 0);
//   - the final source/target comparison after the churn stops: missing, extra, stale rows (0).
//
//   npx tsx bench/failover.ts [--minutes 5] [--kill-every 30] [--profiles 12] [--workers 3]
//       [--records 400] [--rate 20] [--store file|postgres]
// Needs a PostgreSQL server for the target (PG_URL, else 127.0.0.1:5432), and for --store postgres.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { upsertProfileFromFlags } from "../lib/cli/commands/sync.ts";
import { createDb } from "../lib/db.ts";
import { migrateStore } from "../lib/store/migrate.ts";
import { flags, sourceRows, webApi } from "../lib/sync/test-support.ts";
import { usePostgres } from "../lib/testing/postgres.ts";
import { spawnEmulator } from "./emulator-child.ts";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "5" },
    "kill-every": { type: "string", default: "30" },
    profiles: { type: "string", default: "12" },
    workers: { type: "string", default: "3" },
    records: { type: "string", default: "400" },
    rate: { type: "string", default: "20" },
    store: { type: "string", default: "file" },
  },
});
const MINUTES = Number(values.minutes);
const KILL_EVERY_S = Number(values["kill-every"]);
const PROFILES = Number(values.profiles);
const WORKERS = Number(values.workers);
const RATE = Number(values.rate);
const root = path.resolve(import.meta.dirname, "..");
const TABLES = [
  { table: "account", set: "accounts", id: "accountid", field: "name" },
  { table: "contact", set: "contacts", id: "contactid", field: "lastname" },
  { table: "lead", set: "leads", id: "leadid", field: "lastname" },
];

const log = (m: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${m}`);
const pct = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)] : NaN);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const target = await usePostgres();
if (!target.available) {
  console.error(`bench/failover needs PostgreSQL for the target (the writer-recording trigger): ${target.reason}`);
  process.exit(2);
}
const pgStore = values.store === "postgres" ? await usePostgres() : null;
if (pgStore && !pgStore.available) {
  console.error(`--store postgres: ${pgStore.reason}`);
  process.exit(2);
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-failover-bench-"));
process.env.DATA_DIR = dir;
const storeUrl = pgStore ? pgStore.url : `file:${path.join(dir, "portal.db")}`;
if (pgStore) process.env.DATABASE_URL = storeUrl;
else delete process.env.DATABASE_URL;
migrateStore(storeUrl);
const db = createDb(storeUrl);

await target.admin(`
CREATE TABLE public.writer_audit (seq bigserial primary key, tbl text, writer text, at timestamptz default clock_timestamp());
CREATE FUNCTION public.audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.writer_audit(tbl, writer) VALUES (TG_TABLE_NAME, current_setting('application_name')); RETURN NULL; END $$;
CREATE FUNCTION public.attach_audit() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE TABLE' AND schema_name = 'dbo' LOOP
    IF r.object_identity ~ '^dbo\\.p[0-9]+_(account|contact|lead)$' THEN
      EXECUTE format('CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION public.audit_row()', r.object_identity);
    END IF;
  END LOOP;
END $$;
CREATE EVENT TRIGGER attach_audit ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION public.attach_audit();`);

const emu = await spawnEmulator(Number(values.records), 3);
const profiles: { id: string; prefix: string; t: (typeof TABLES)[number] }[] = [];
for (let i = 0; i < PROFILES; i++) {
  const t = TABLES[i % TABLES.length];
  const prefix = `p${String(i + 1).padStart(2, "0")}`;
  const id = await upsertProfileFromFlags(db, flags({ name: `failover-${prefix}`, source: emu.url, target: target.url, prefix, tables: [t.table], retryCount: 0, retryInterval: 0, pageSize: 200, interval: 1 }));
  await db.profile.update({ where: { id }, data: { metadataActive: true, dataActive: true, state: "activating" } });
  profiles.push({ id, prefix, t });
}

// Workers: each named for PGAPPNAME so the target's trigger records which process wrote.
interface W { name: string; child: ChildProcess }
const workers: W[] = [];
const pidName = new Map<number, string>();
let seq = 0;
function startWorker(): W {
  const name = `w${++seq}`;
  const out = fs.openSync(path.join(dir, `${name}.log`), "a");
  const child = spawn(process.execPath, ["--import", "tsx", "lib/sync/worker.ts"], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dir, ...(pgStore ? { DATABASE_URL: storeUrl } : {}), PGAPPNAME: name, LOG_FORMAT: "json" },
    stdio: ["ignore", out, out],
  });
  pidName.set(child.pid!, name);
  const w = { name, child };
  workers.push(w);
  return w;
}
for (let i = 0; i < WORKERS; i++) startWorker();
// However the run ends, no worker outlives it.
process.on("exit", () => workers.forEach((w) => w.child.exitCode === null && w.child.kill("SIGKILL")));

// Churn at the source for the whole run.
const api = webApi(emu.url);
let churning = true;
let changes = 0;
const churn = (async () => {
  let n = 0;
  while (churning) {
    const t = TABLES[n++ % TABLES.length];
    try {
      const [a, b] = await api.firstIds(t.set, t.id, 2);
      if (n % 9 === 0 && b) await api.remove(t.set, b);
      else if (n % 3 === 0) await api.create(t.set, { [t.field]: `churn ${n}` }, t.id);
      else await api.update(t.set, a, { [t.field]: `churn ${n}` });
      changes++;
    } catch {
      // the emulator is busy: try the next one
    }
    await sleep(1000 / RATE);
  }
})();

log(`${WORKERS} workers, ${PROFILES} profiles, churn ${RATE}/s; waiting for every initial export`);
const t0 = Date.now();
for (;;) {
  const tables = await db.profileTable.findMany({ select: { initialSyncState: true } });
  if (tables.every((t) => t.initialSyncState === "Completed")) break;
  if (Date.now() - t0 > 600_000) throw new Error("initial exports did not finish in 10 minutes");
  await sleep(1000);
}
log(`initial exports done in ${((Date.now() - t0) / 1000).toFixed(1)} s; killing a random worker every ${KILL_EVERY_S} s for ${MINUTES} min`);

// Kills: record which profiles the victim held, then when each got a new owner.
const kills: { at: number; victimPid: number; orphans: string[] }[] = [];
const end = Date.now() + MINUTES * 60_000;
while (Date.now() + KILL_EVERY_S * 1000 <= end + 1) {
  await sleep(KILL_EVERY_S * 1000);
  const alive = workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
  const victim = alive[Math.floor(Math.random() * alive.length)];
  const worker = await db.worker.findFirst({ where: { pid: victim.child.pid!, stoppedAt: null }, orderBy: { startedAt: "desc" }, select: { id: true } });
  const held = worker ? await db.profileLease.findMany({ where: { ownerId: worker.id, expiresAt: { gt: new Date() } }, select: { profileId: true } }) : [];
  victim.child.kill("SIGKILL");
  const at = Date.now();
  kills.push({ at, victimPid: victim.child.pid!, orphans: held.map((h) => h.profileId) });
  log(`kill -9 ${victim.name} (held ${held.length} profiles); starting a replacement`);
  startWorker();
}
// Let the last takeovers happen, then stop the churn and let the targets catch up.
await sleep(20_000);
churning = false;
await churn;
log(`churn stopped after ${changes} changes; waiting for the targets to equal the source`);

async function compare() {
  const c = new pg.Client({ connectionString: target.url });
  await c.connect();
  const totals = { missing: 0, extra: 0, stale: 0 };
  try {
    const src = new Map<string, Map<string, { version: string }>>();
    for (const t of TABLES) src.set(t.table, await sourceRows(emu.url, t.table, [t.field]));
    for (const p of profiles) {
      const s = src.get(p.t.table)!;
      const { rows } = await c.query(`select "Id" as id, versionnumber::text as v from dbo."${p.prefix}_${p.t.table}"`);
      const got = new Map(rows.map((r) => [String(r.id), String(r.v)]));
      for (const [id, r] of s) {
        if (!got.has(id)) totals.missing++;
        else if (got.get(id) !== r.version) totals.stale++;
      }
      for (const id of got.keys()) if (!s.has(id)) totals.extra++;
    }
  } finally {
    await c.end();
  }
  return totals;
}
let final = await compare();
const convergeStart = Date.now();
while (final.missing + final.extra + final.stale > 0 && Date.now() - convergeStart < 120_000) {
  await sleep(2000);
  final = await compare();
}

// Takeover times: kill → the next acquisition of each orphaned profile.
const takeovers: number[] = [];
let neverTaken = 0;
for (const k of kills) {
  for (const profileId of k.orphans) {
    const next = await db.leaseEvent.findFirst({ where: { profileId, kind: { in: ["acquired", "takeover"] }, at: { gte: new Date(k.at) } }, orderBy: { id: "asc" } });
    if (next) takeovers.push((next.at.getTime() - k.at) / 1000);
    else neverTaken++;
  }
}

// Ran twice at once: a target row written by a process not holding the lease at that instant.
const workerRows = await db.worker.findMany({ select: { id: true, pid: true } });
const nameOfWorker = new Map(workerRows.map((w) => [w.id, pidName.get(w.pid) ?? "?"]));
const audit = new pg.Client({ connectionString: target.url });
await audit.connect();
let twice = 0;
let badEpochs = 0;
let audited = 0;
for (const p of profiles) {
  const events = await db.leaseEvent.findMany({ where: { profileId: p.id }, orderBy: { id: "asc" } });
  const takes = events.filter((e) => e.kind !== "released");
  for (let i = 1; i < takes.length; i++) if (takes[i].epoch <= takes[i - 1].epoch) badEpochs++;
  const intervals = takes.map((e) => ({ writer: nameOfWorker.get(e.ownerId), from: e.at.getTime(), to: events.find((x) => x.id > e.id)?.at.getTime() ?? Infinity }));
  const { rows } = await audit.query("select writer, at from public.writer_audit where tbl = $1", [`${p.prefix}_${p.t.table}`]);
  audited += rows.length;
  const wrong = rows.filter((r) => {
    const t = new Date(r.at).getTime();
    const iv = intervals.find((x) => t >= x.from && t < x.to);
    return !iv || iv.writer !== r.writer;
  });
  if (wrong.length) {
    twice++;
    log(`profile ${p.prefix}: ${wrong.length} rows written outside the writer's lease`);
  }
}
await audit.end();

console.log("\n=== failover benchmark ===");
console.log(`store: ${pgStore ? "PostgreSQL" : "SQLite"}; ${WORKERS} workers, ${PROFILES} profiles, ${kills.length} kills (every ${KILL_EVERY_S} s for ${MINUTES} min), ${changes} source changes`);
console.log(`takeover after kill -9: n=${takeovers.length}, p50 ${pct(takeovers, 50).toFixed(1)} s, p99 ${pct(takeovers, 99).toFixed(1)} s, max ${Math.max(...takeovers).toFixed(1)} s${neverTaken ? `, ${neverTaken} never taken over` : ""} (goal p99 <= 15 s)`);
console.log(`profiles ever run twice at once: ${twice} (of ${PROFILES}; ${audited} target writes checked against the lease history; epochs not increasing: ${badEpochs})`);
console.log(`source vs target after the churn: missing ${final.missing}, extra ${final.extra}, stale ${final.stale}`);

for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGTERM");
await Promise.all(workers.map((w) => (w.child.exitCode !== null || w.child.signalCode !== null ? null : new Promise((r) => w.child.once("exit", r)))));
await db.$disconnect();
await emu.close();
await target.cleanup();
await pgStore?.cleanup();
const ok = twice === 0 && badEpochs === 0 && final.missing + final.extra + final.stale === 0 && neverTaken === 0 && pct(takeovers, 99) <= 15;
process.exit(ok ? 0 : 1);
