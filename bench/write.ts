// Write throughput of the destinations: N synthetic account-like records (bench/write-rows.ts;
// 35 columns: strings, lookups, decimals, dates) upserted in batches through the engine's write
// path, against each target's limit — the same rows, built before the clock starts, written in the
// target's best bulk form directly with its driver:
//   SQLite:     one transaction of one prepared INSERT … ON CONFLICT (version guard) per row, same
//               pragmas as the target connection.
//   PostgreSQL: the rows already COPY-encoded (the engine's encoder), one COPY into one staging
//               table + one merge. The engine runs twice a round: as shipped (new rows COPYed
//               straight into the target, postgres-direct.ts) and with direct COPY off.
// Both are run --rounds times, engine and limit alternating into fresh tables, and the median
// ratio engine / limit is printed (goal >= 0.8): on a shared machine one pair is mostly noise.
// Run with `nice -n -15`: the PostgreSQL backends of the bench's database then get the same
// priority (bench/pg-priority.ts), for the engine and the limit alike.
// "client CPU" is this process's CPU time during the engine's upserts (building rows, encoding,
// the driver). With PostgreSQL, the CPU of both sides per record (bench/proc-cpu.ts): this process,
// the backends of the bench's database and the server's background writers, for the engine and
// the limit (its COPY encoding, done before its clock, counted on the client side).
// --phases times the PostgreSQL COPY path's steps one by one, old and new staging side by side;
// --sizes prints both PostgreSQL paths per batch size (the COPY threshold).
// Runs compiled, in a child process with the sync worker's node flags (bench/worker-flags.ts:
// --from-source, --no-worker-heap): the engine's code as the worker runs it; the limit runs there too.
//
//   npx tsx bench/write.ts [--records 100000] [--batch 5000] [--rounds 3] [--no-pg] [--no-sqlite]
//                          [--sizes] [--phases] [--from-source] [--no-worker-heap]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { SourceRecord } from "../lib/dataverse/types";
import { tableSpecFor } from "../lib/destinations/columns";
import { PostgresDestination, type PostgresTuning } from "../lib/destinations/postgres";
import { copyChunks, CopyEncoder, pgId } from "../lib/destinations/postgres-copy";
import { identityEncoder, makeRowBuilder } from "../lib/destinations/row-values";
import Database from "better-sqlite3";
import pgLib from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { SQLITE_TARGET_PRAGMAS, SqliteDestination, sqliteEncoder } from "../lib/destinations/sqlite";
import { sqlTypeFor } from "../lib/destinations/sql-types";
import type { Destination } from "../lib/destinations/types";
import { usePostgres } from "../lib/testing/postgres";
import { matchServerPriority, watchServer } from "./pg-priority";
import { measurePhase, type PhaseCpuResult, usPerRecord } from "./proc-cpu";
import { underWorkerFlags } from "./worker-flags";
import { record, schema } from "./write-rows";

const heapSetting = await underWorkerFlags();

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg("records", 100_000);
const BATCH = arg("batch", 5000);
const withPg = !process.argv.includes("--no-pg");
const withSizes = process.argv.includes("--sizes");
const withSqlite = !process.argv.includes("--no-sqlite");
const withPhases = process.argv.includes("--phases");
const ROUNDS = arg("rounds", 3);
/** The PostgreSQL database in use, whose backends get this process's priority (pg-priority.ts). */
let pgUrl: string | null = null;

const rate = (rows: number, ms: number) => Math.round((rows / ms) * 1000);
const fmt = (n: number) => n.toLocaleString("en-US");

interface Measured {
  rate: number;
  /** This process's CPU time per 1,000 records during the timed part. */
  cpuPerK: number;
  /** PostgreSQL: CPU per record of both sides. */
  pgCpu?: PgCpu;
}

/** CPU per record of the two sides of a PostgreSQL write (µs). */
interface PgCpu {
  client: number;
  backends: number;
  background: number;
}
const pgCpuTotal = (c: PgCpu) => c.client + c.backends + c.background;

/** Counts the server side's CPU (backends of pgUrl's database, background writers) from now. */
async function meterServer(): Promise<{ stop(): Promise<PhaseCpuResult> } | null> {
  if (!pgUrl) return null;
  const server = await watchServer(pgUrl);
  const phase = await measurePhase({ backends: () => server.backends(), background: () => server.background() });
  return {
    async stop() {
      const r = await phase.stop();
      await server.close();
      return r;
    },
  };
}

function pgCpuLine(label: string, c: PgCpu, wallS: number, rows: number, clientNote: string): string {
  const total = pgCpuTotal(c);
  return (
    `${label.padEnd(18)} CPU per record: client ${c.client.toFixed(1)} µs (${clientNote}), backends ${c.backends.toFixed(1)} µs, ` +
    `background writers ${c.background.toFixed(1)} µs → ${total.toFixed(1)} µs; ${((total * rows) / 1e6 / wallS).toFixed(2)} cores busy`
  );
}

async function run(label: string, dest: Destination, prefix = "bench", total = N, batchSize = BATCH, quiet = false): Promise<Measured> {
  const spec = tableSpecFor(schema, prefix);
  await dest.prepare({ deleteLog: false });
  await dest.ensureTable(spec);
  if (pgUrl) await matchServerPriority(pgUrl);
  const server = await meterServer();
  let writeMs = 0;
  let cpuUs = 0;
  let written = 0;
  const wall = performance.now();
  for (let start = 0; start < total; start += batchSize) {
    const batch: SourceRecord[] = [];
    for (let n = start; n < Math.min(total, start + batchSize); n++) batch.push(record(n));
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    written += (await dest.upsert(spec, batch)).written;
    writeMs += performance.now() - t0;
    const c = process.cpuUsage(c0);
    cpuUs += c.user + c.system;
  }
  const wallMs = performance.now() - wall;
  await dest.close();
  const serverCpu = await server?.stop();
  const cpuPerK = cpuUs / 1000 / (written / 1000);
  // The server works only inside upserts, so its CPU over the whole loop is theirs.
  const pgCpu = serverCpu && { client: cpuUs / written, backends: usPerRecord(serverCpu.seconds.backends, written), background: usPerRecord(serverCpu.seconds.background, written) };
  if (!quiet) {
    console.log(
      `${label.padEnd(18)} ${written} records, ${spec.columns.length} columns, batches of ${batchSize}: ` +
        `${fmt(rate(written, writeMs))} records/s in upsert (${(writeMs / 1000).toFixed(1)} s, client CPU ${cpuPerK.toFixed(1)} ms per 1,000), ` +
        `${fmt(rate(written, wallMs))} records/s incl. generation; ` +
        `peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`,
    );
    if (pgCpu) console.log(pgCpuLine(label, pgCpu, writeMs / 1000, written, "in upsert"));
  }
  return { rate: rate(written, writeMs), cpuPerK, pgCpu };
}

/** The first `count` rows as the engine builds them for `spec` (before any clock starts). */
function buildRows(prefix: string, enc: Parameters<typeof makeRowBuilder>[1], count: number) {
  const spec = tableSpecFor(schema, prefix);
  const build = makeRowBuilder(spec, enc);
  const now = enc.datetime(new Date().toISOString());
  const rows: unknown[][] = [];
  for (let n = 0; n < count; n++) rows.push(build(record(n), now));
  return { spec, rows };
}

/**
 * The limit for SQLite: the same N rows, built before the clock starts, upserted with one
 * prepared INSERT … ON CONFLICT (the engine's version guard) in one transaction, directly with
 * better-sqlite3 on a connection with the target's pragmas.
 */
async function sqliteLimit(file: string, count = N, quiet = false): Promise<{ rate: number; cpuPerK: number }> {
  const { spec, rows } = buildRows("limit", sqliteEncoder, count);
  const setup = new SqliteDestination(file, { schemaName: "dbo", prefix: "limit" });
  await setup.prepare({ deleteLog: false });
  await setup.ensureTable(spec);
  await setup.close();
  const db = new Database(file);
  try {
    for (const p of SQLITE_TARGET_PRAGMAS) db.pragma(p);
    const q = (n: string) => `"${n.replace(/"/g, '""')}"`;
    const cols = spec.columns.map((c) => q(c.name));
    const updates = spec.columns.filter((c) => c.name !== "Id" && c.name !== "SinkCreatedOn").map((c) => `${q(c.name)} = excluded.${q(c.name)}`);
    const stmt = db.prepare(`insert into ${q(spec.tableName)} (${cols.join(", ")}) values (${cols.map(() => "?").join(", ")})
      on conflict ("Id") do update set ${updates.join(", ")}
      where ${q(spec.tableName)}."versionnumber" is null or excluded."versionnumber" >= ${q(spec.tableName)}."versionnumber"`);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let written = 0;
    db.transaction(() => {
      for (const row of rows) written += stmt.run(row).changes;
    })();
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    const cpuPerK = (c.user + c.system) / 1000 / (written / 1000);
    if (!quiet) {
      console.log(
        `${"sqlite limit".padEnd(18)} ${written} records in one transaction of one prepared upsert: ${fmt(rate(written, ms))} records/s ` +
          `(${(ms / 1000).toFixed(1)} s, CPU ${cpuPerK.toFixed(1)} ms per 1,000)`,
      );
    }
    return { rate: rate(written, ms), cpuPerK };
  } finally {
    db.close();
  }
}

/**
 * The limit for PostgreSQL: the same N rows, encoded before the clock starts, COPYed into one
 * staging table and merged into an empty target with one version-guarded statement, in one
 * transaction, directly with pg (no batching, no engine).
 */
async function pgLimit(url: string, prefix: string, count = N, quiet = false): Promise<{ rate: number; withEncoding: number; pgCpu?: PgCpu }> {
  const spec = tableSpecFor(schema, prefix);
  const records: SourceRecord[] = [];
  for (let n = 0; n < count; n++) records.push(record(n));
  const setup = new PostgresDestination({ connectionString: url }, { schemaName: "dbo", prefix }, "bench");
  await setup.prepare({ deleteLog: false });
  await setup.ensureTable(spec);
  await setup.close();
  const e0 = performance.now();
  const ce0 = process.cpuUsage();
  const chunks = [...new CopyEncoder(spec).chunks(records, new Date().toISOString())];
  const ce = process.cpuUsage(ce0);
  const encodeMs = performance.now() - e0;
  records.length = 0;
  const target = `${pgId("dbo")}.${pgId(spec.tableName)}`;
  const cols = spec.columns.map((c) => pgId(c.name)).join(", ");
  const updates = spec.columns.filter((c) => c.name !== "Id" && c.name !== "SinkCreatedOn").map((c) => `${pgId(c.name)} = excluded.${pgId(c.name)}`).join(", ");
  const client = new pgLib.Client({ connectionString: url });
  await client.connect();
  await matchServerPriority(url);
  const server = await meterServer();
  try {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await client.query("begin");
    await client.query(`create temp table stage on commit drop as select ${cols} from ${target} with no data`);
    await pipeline(Readable.from(chunks), client.query(copyFrom(`copy stage (${cols}) from stdin`)));
    const r = await client.query(`insert into ${target} as t (${cols}) select ${cols} from stage
      on conflict ("Id") do update set ${updates} where t."versionnumber" is null or excluded."versionnumber" >= t."versionnumber"`);
    await client.query("commit");
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    const serverCpu = await server?.stop();
    if (!quiet) console.log(
      `${"postgres limit".padEnd(18)} ${r.rowCount} records in one COPY + one merge: ${fmt(rate(r.rowCount ?? 0, ms))} records/s (${(ms / 1000).toFixed(1)} s); ` +
        `the COPY text encoding of those rows, not counted above, took ${(encodeMs / 1000).toFixed(1)} s ` +
        `(${fmt(rate(r.rowCount ?? 0, ms + encodeMs))} records/s with it)`,
    );
    const rows = r.rowCount ?? 0;
    let pgCpu: PgCpu | undefined;
    if (serverCpu && rows > 0) {
      const enc = (ce.user + ce.system) / rows;
      pgCpu = { client: (c.user + c.system) / rows + enc, backends: usPerRecord(serverCpu.seconds.backends, rows), background: usPerRecord(serverCpu.seconds.background, rows) };
      if (!quiet) console.log(pgCpuLine("postgres limit", pgCpu, (ms + encodeMs) / 1000, rows, `${enc.toFixed(1)} of it encoding, before the clock`));
    }
    return { rate: rate(rows, ms), withEncoding: rate(rows, ms + encodeMs), pgCpu };
  } finally {
    await client.end();
  }
}

/**
 * Where the COPY path's time goes, batch by batch, step by step (build rows, encode, begin,
 * stage, COPY, merge, drop, commit). "per-batch": the first version — staging table made per
 * batch (create … as select … with no data, dropped after), six round trips. "kept": now — one
 * staging table per connection (create if not exists … on commit delete rows), BEGIN sent with
 * it and COMMIT with the merge, three round trips. Fresh tables, the same rows, alternating.
 */
async function pgPhases(url: string): Promise<void> {
  const client = new pgLib.Client({ connectionString: url });
  await client.connect();
  const steps = ["build", "encode", "begin", "stage", "copy", "merge", "drop", "commit"] as const;
  try {
    for (const mode of ["per-batch", "kept", "per-batch", "kept"] as const) {
      const prefix = `ph${mode === "kept" ? "k" : "b"}${Math.random().toString(36).slice(2, 6)}`;
      const spec = tableSpecFor(schema, prefix);
      const setup = new PostgresDestination({ connectionString: url }, { schemaName: "dbo", prefix }, "bench");
      await setup.prepare({ deleteLog: false });
      await setup.ensureTable(spec);
      await setup.close();
      const target = `${pgId("dbo")}.${pgId(spec.tableName)}`;
      const cols = spec.columns.map((c) => pgId(c.name)).join(", ");
      const updates = spec.columns.filter((c) => c.name !== "Id" && c.name !== "SinkCreatedOn").map((c) => `${pgId(c.name)} = excluded.${pgId(c.name)}`).join(", ");
      const defs = spec.columns.map((c) => `${pgId(c.name)} ${c.type === "string" ? "text" : sqlTypeFor("postgres", c)}`).join(", ");
      const ms: Record<(typeof steps)[number], number> = { build: 0, encode: 0, begin: 0, stage: 0, copy: 0, merge: 0, drop: 0, commit: 0 };
      const build = makeRowBuilder(spec, identityEncoder);
      let t = performance.now();
      const lap = (step: (typeof steps)[number]) => {
        const now = performance.now();
        ms[step] += now - t;
        t = now;
      };
      for (let start = 0; start < N; start += BATCH) {
        const batch: SourceRecord[] = [];
        for (let n = start; n < Math.min(N, start + BATCH); n++) batch.push(record(n));
        t = performance.now();
        const now = new Date().toISOString();
        const rows = batch.map((r) => build(r, now));
        lap("build");
        const chunks = [...copyChunks(spec, rows)];
        lap("encode");
        const kept = mode === "kept";
        const stage = kept ? "stage_k" : "stage_b";
        const merge = `insert into ${target} as t (${cols}) select ${cols} from ${stage}
          on conflict ("Id") do update set ${updates} where t."versionnumber" is null or excluded."versionnumber" >= t."versionnumber"`;
        // kept: BEGIN rides with the staging statement and COMMIT with the merge (as copyMerge does).
        if (!kept) await client.query("begin");
        lap("begin");
        if (kept) await client.query(`begin; create temp table if not exists stage_k (${defs}) on commit delete rows`);
        else await client.query(`create temp table stage_b on commit drop as select ${cols} from ${target} with no data`);
        lap("stage");
        await pipeline(Readable.from(chunks), client.query(copyFrom(`copy ${stage} (${cols}) from stdin`)));
        lap("copy");
        await client.query(kept ? `${merge}; commit` : merge);
        lap("merge");
        if (!kept) await client.query(`drop table ${stage}`);
        lap("drop");
        if (!kept) await client.query("commit");
        lap("commit");
      }
      const total = Object.values(ms).reduce((a, b) => a + b, 0);
      console.log(
        `phases, staging ${mode.padEnd(9)} (${N} rows, batches of ${BATCH}): ` +
          steps.map((s) => `${s} ${(ms[s] / 1000).toFixed(2)} s`).join(", ") +
          `; total ${(total / 1000).toFixed(2)} s (${fmt(rate(N, total))} records/s)`,
      );
    }
  } finally {
    await client.end();
  }
}

/** Both PostgreSQL paths per batch size, into fresh tables: where COPY starts to pay. */
async function pgSizes(url: string): Promise<void> {
  const open = (prefix: string, tuning: PostgresTuning) => new PostgresDestination({ connectionString: url }, { schemaName: "dbo", prefix }, "bench", tuning);
  console.log("batch size  parameterised  COPY+merge   (records/s)");
  for (const size of [10, 100, 250, 500, 1000, 2500, 5000]) {
    const total = Math.min(N, Math.max(size * 40, 10_000));
    const param = (await run("", open(`p${size}`, { copyMinRows: Infinity }), `p${size}`, total, size, true)).rate;
    const copy = (await run("", open(`c${size}`, { copyMinRows: 1 }), `c${size}`, total, size, true)).rate;
    console.log(`${String(size).padStart(10)}  ${fmt(param).padStart(13)}  ${fmt(copy).padStart(10)}`);
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const listed = (ratios: number[]) => `${ratios.map((r) => r.toFixed(2)).join(", ")} → median ${median(ratios).toFixed(2)}`;
const summary = (what: string, ratios: number[]) => console.log(`${what} engine / limit: ${listed(ratios)} (goal >= 0.8)`);
const cpuSummary = (what: string, ratios: number[]) =>
  console.log(`${what} CPU per record, limit / engine: ${listed(ratios)} (1.00: the engine spends no more CPU per record than the limit)`);

console.log(`bench/write: ${N} records, batches of ${BATCH}, ${ROUNDS} round(s); ${heapSetting}; ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
/**
 * Rows written untimed by both sides before the rounds (four batches): the rounds then time
 * compiled code, as a worker runs after its first pages, not V8 compiling the engine's write path
 * inside the clock (the limit's loop is a few lines). In two SQLite runs without it, the first round was the lowest
 * of three: 0.76 and 0.74, the others 0.76–0.90.
 */
const WARM_UP = Math.min(N, 4 * BATCH);

if (withSqlite) {
  const ratios: number[] = [];
  // SQLite writes inside this process: CPU per record is the same work measured with less noise
  // from the machine than the rate (a commit's fsync is the one wait, and it is not CPU).
  const cpuRatios: number[] = [];
  const warm = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-bench-warm-"));
  try {
    await run("", new SqliteDestination(path.join(warm, "engine.db"), { schemaName: "dbo", prefix: "warm" }), "warm", WARM_UP, BATCH, true);
    await sqliteLimit(path.join(warm, "limit.db"), WARM_UP, true);
  } finally {
    fs.rmSync(warm, { recursive: true, force: true });
  }
  for (let r = 0; r < ROUNDS; r++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-bench-"));
    try {
      const engine = await run("sqlite engine", new SqliteDestination(path.join(dir, "engine.db"), { schemaName: "dbo", prefix: "bench" }));
      const limit = await sqliteLimit(path.join(dir, "limit.db"));
      ratios.push(engine.rate / limit.rate);
      cpuRatios.push(limit.cpuPerK / engine.cpuPerK);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  summary("sqlite", ratios);
  cpuSummary("sqlite", cpuRatios);
}
if (withPg) {
  const pg = await usePostgres();
  if (!pg.available) console.log(`postgres: skipped (${pg.reason})`);
  else {
    pgUrl = pg.url;
    try {
      const ratios: number[] = [];
      const stagedRatios: number[] = [];
      const encodedRatios: number[] = [];
      const cpuRatios: number[] = [];
      await run("", new PostgresDestination({ connectionString: pg.url }, { schemaName: "dbo", prefix: "warmd" }, "bench"), "warmd", WARM_UP, BATCH, true);
      await run("", new PostgresDestination({ connectionString: pg.url }, { schemaName: "dbo", prefix: "warms" }, "bench", { directCopy: false }), "warms", WARM_UP, BATCH, true);
      await pgLimit(pg.url, "warml", WARM_UP, true);
      for (let r = 0; r < ROUNDS; r++) {
        const engine = await run("postgres engine", new PostgresDestination({ connectionString: pg.url }, { schemaName: "dbo", prefix: `bench${r}` }, "bench"), `bench${r}`);
        // The engine with direct COPY off: every batch through staging + merge, as the limit.
        const staged = await run("postgres staged", new PostgresDestination({ connectionString: pg.url }, { schemaName: "dbo", prefix: `staged${r}` }, "bench", { directCopy: false }), `staged${r}`);
        const limit = await pgLimit(pg.url, `limit${r}`);
        ratios.push(engine.rate / limit.rate);
        stagedRatios.push(staged.rate / limit.rate);
        encodedRatios.push(engine.rate / limit.withEncoding);
        if (engine.pgCpu && limit.pgCpu) cpuRatios.push(pgCpuTotal(limit.pgCpu) / pgCpuTotal(engine.pgCpu));
      }
      await run("postgres params", new PostgresDestination({ connectionString: pg.url }, { schemaName: "dbo", prefix: "param" }, "bench", { copyMinRows: Infinity }), "param");
      summary("postgres", ratios);
      summary("postgres, direct COPY off (staging + merge),", stagedRatios);
      // The engine encodes inside its upserts; the limit above does not (its rows are encoded before its clock).
      summary("postgres, limit with its COPY encoding counted,", encodedRatios);
      if (cpuRatios.length) cpuSummary("postgres (both sides, the limit's encoding counted)", cpuRatios);
      if (withPhases) await pgPhases(pg.url);
      if (withSizes) await pgSizes(pg.url);
    } finally {
      await pg.cleanup();
    }
  }
}
