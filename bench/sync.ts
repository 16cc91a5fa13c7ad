// Sync engine benchmark (prints figures; not a timed test).
//  1. Initial export of N accounts from the emulator into SQLite through the engine (records/s,
//     peak RSS), then in the same run reading alone and writing alone, and the ratio
//     export / min(read, write). Targets: ratio >= 0.8, peak RSS <= 300 MB.
//     --target postgres://user@host:port/db: the same into PostgreSQL — a throwaway database is
//     created on that server (the URL's database is only used to connect) and dropped after;
//     writing alone goes through the same destination (COPY path) into a second one.
//  2. Delta latency: the emulator churns R changes/s on account for S seconds while the engine
//     runs its delta loop; latency = row visible in the target − change made at the source.
//     Target: p99 <= 2 s.
// With the export: the CPU time of every process in each phase (bench/proc-cpu.ts: this process,
// the emulator, the PostgreSQL backends of the bench's database and the server's background
// writers) per record and as cores busy, and the two-core bound — the export rate possible if it
// cost what reading alone and writing alone cost together per record and had every core — with
// the CPU the export spends beyond the two halves.
// The emulator runs in child processes, so server and engine do not share one event loop.
//
//   npx tsx bench/sync.ts [--records 1000000] [--rate 200] [--seconds 60] [--interval 0.25]
//                         [--latency-records 20000] [--skip-export] [--skip-latency]
//                         [--target postgres://postgres@127.0.0.1:5432/postgres] [--no-worker-heap] [--from-source]
// Runs compiled, in a child process with the sync worker's node flags (bench/worker-flags.ts); with a
// PostgreSQL target under `nice -n -15`, the server backends of the bench's databases get the same
// priority while measured (bench/pg-priority.ts).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import pg from "pg";
import { DataverseClient } from "../lib/dataverse/client.ts";
import type { SourceRecord } from "../lib/dataverse/types.ts";
import { tableSpecFor } from "../lib/destinations/columns.ts";
import { openDestination } from "../lib/destinations/index.ts";
import { selectFor } from "../lib/sync/metadata-sync.ts";
import { runProfile } from "../lib/sync/profile-runner.ts";
import { emulatorControl } from "../emulator/control.ts";
import { makeStore, createProfile } from "../lib/sync/test-support.ts";
import { spawnEmulator } from "./emulator-child.ts";
import { matchServerPriority, watchServer } from "./pg-priority.ts";
import { cpuLine, descendants, measurePhase, type PhaseCpuResult, readSchedstat, totalSeconds, usPerRecord } from "./proc-cpu.ts";
import { underWorkerFlags } from "./worker-flags.ts";

const heapSetting = await underWorkerFlags();

const { values } = parseArgs({
  options: {
    records: { type: "string" }, rate: { type: "string" }, seconds: { type: "string" }, interval: { type: "string" },
    "latency-records": { type: "string" }, "skip-export": { type: "boolean" }, "skip-latency": { type: "boolean" },
    "engine-read-ahead": { type: "boolean" }, page: { type: "string" }, target: { type: "string" }, "no-worker-heap": { type: "boolean" },
    "from-source": { type: "boolean" },
  },
});
const N = Number(values.records ?? 1_000_000);
const RATE = Number(values.rate ?? 200);
const SECONDS = Number(values.seconds ?? 60);
const INTERVAL_S = Number(values.interval ?? 0.25);
const LAT_RECORDS = Number(values["latency-records"] ?? 20_000);
const PAGE = Number(values.page ?? 2000);
const mb = (b: number) => `${Math.round(b / 1024 / 1024)} MB`;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

const { dir, db } = makeStore();
console.log(`bench/sync: DATA_DIR ${dir}; ${os.cpus().length} CPUs; node ${process.version}; ${heapSetting}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);

/** Where the export and the write-alone run go, and how to count and drop them. */
interface BenchTarget {
  label: string;
  export: string;
  writeOnly: string;
  /** PostgreSQL: the server whose processes' CPU is counted. */
  server: boolean;
  count(): Promise<number>;
  cleanup(): Promise<void>;
}

async function benchTarget(): Promise<BenchTarget> {
  const server = values.target;
  if (!server) {
    const file = path.join(dir, "export.db");
    return {
      label: "SQLite",
      export: `sqlite:${file}`,
      writeOnly: `sqlite:${path.join(dir, "write-only.db")}`,
      server: false,
      count: async () => (new Database(file, { readonly: true }).prepare("select count(*) n from account").get() as { n: number }).n,
      cleanup: async () => undefined,
    };
  }
  if (!/^postgres(ql)?:\/\//.test(server)) throw new Error("--target takes a postgres:// URL");
  const stamp = `${Date.now().toString(36)}_${process.pid}`;
  const names = [`dvx_bench_export_${stamp}`, `dvx_bench_write_${stamp}`];
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  for (const n of names) await admin.query(`create database "${n}"`);
  const urlOf = (n: string) => {
    const u = new URL(server);
    u.pathname = `/${n}`;
    return u.toString();
  };
  return {
    label: `PostgreSQL (${new URL(server).host}, throwaway databases ${names.join(", ")})`,
    export: urlOf(names[0]),
    writeOnly: urlOf(names[1]),
    server: true,
    count: async () => {
      const c = new pg.Client({ connectionString: urlOf(names[0]) });
      await c.connect();
      try {
        return Number((await c.query(`select count(*) as n from "dbo"."account"`)).rows[0].n);
      } finally {
        await c.end();
      }
    },
    cleanup: async () => {
      for (const n of names) await admin.query(`drop database if exists "${n}" with (force)`).catch((e: Error) => console.error(`could not drop ${n}: ${e.message}`));
      await admin.end();
    },
  };
}

/** For a PostgreSQL target: its backends get this process's priority every second (new ones too). */
function keepServerPriority(target: string): () => void {
  if (!/^postgres(ql)?:\/\//.test(target)) return () => undefined;
  const renice = () => void matchServerPriority(target).catch(() => undefined);
  renice();
  const timer = setInterval(renice, 1000);
  return () => clearInterval(timer);
}

type PhaseResult = PhaseCpuResult & { threads: string };

/**
 * Starts counting the CPU of the processes a phase involves: this process (the engine), the
 * emulator, this process's other children (tsx's esbuild; those running at the start), and with
 * a PostgreSQL target the backends of `serverUrl`'s database and the server's background writers.
 */
async function meterPhase(emulatorPid: number, serverUrl: string | null): Promise<{ stop(): Promise<PhaseResult> }> {
  const server = serverUrl ? await watchServer(serverUrl) : null;
  // Process trees are read once, at the start: a pass over /proc costs a few ms, and every 500 ms
  // that was 3% of a core charged to the engine. Groups are filled in this order and a pid stays
  // in its first: the emulator's tree before the rest of this process's children.
  const emulator = [emulatorPid, ...descendants(emulatorPid)];
  const children = descendants(process.pid);
  const phase = await measurePhase({
    engine: () => [process.pid],
    emulator: () => emulator,
    "other children": () => children,
    ...(server ? { "PostgreSQL backends": () => server.backends(), "PostgreSQL background": () => server.background() } : {}),
  });
  // The main threads (event loops): on CPU, waiting for a CPU, and the rest of the wall time off
  // CPU by themselves (blocked in a synchronous call — fsync of a SQLite commit — or idle).
  const mains = { engine: process.pid, emulator: emulatorPid };
  const sched0 = Object.fromEntries(Object.entries(mains).map(([k, pid]) => [k, readSchedstat(pid)]));
  return {
    async stop() {
      const r = await phase.stop();
      const threads = Object.entries(mains).map(([k, pid]) => {
        const [a, b] = [sched0[k], readSchedstat(pid)];
        if (!a || !b) return `${k} ?`;
        const on = b.onCpuS - a.onCpuS;
        const wait = b.waitS - a.waitS;
        return `${k} on CPU ${on.toFixed(1)} s, waiting for a CPU ${wait.toFixed(1)} s, off CPU ${(r.wallS - on - wait).toFixed(1)} s`;
      });
      await server?.close();
      return { ...r, threads: threads.join("; ") };
    },
  };
}

async function exportBench(): Promise<void> {
  const emu = await spawnEmulator(N);
  const bt = await benchTarget();
  try {
    const id = await createProfile(db, { name: "bench-export", source: emu.url, target: bt.export, tables: ["account"], pageSize: PAGE });
    // Peak RSS during the export: sampled, and the kernel's high-water mark (export runs first).
    let peak = 0;
    let peakMem = process.memoryUsage();
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      if (m.rss > peak) [peak, peakMem] = [m.rss, m];
    }, 100);
    const before = process.memoryUsage();
    console.log(`before export: rss ${mb(before.rss)}, heapUsed ${mb(before.heapUsed)}`);
    const stopRenice = keepServerPriority(bt.export);
    const exportMeter = await meterPhase(emu.pid, bt.server ? bt.export : null);
    const t0 = performance.now();
    const result = await runProfile(id, { db, pageSize: PAGE, readAhead: values["engine-read-ahead"] ? true : undefined }, { signal: new AbortController().signal, once: true });
    const exportS = (performance.now() - t0) / 1000;
    const exportCpu = await exportMeter.stop();
    stopRenice();
    clearInterval(sampler);
    const maxRss = process.resourceUsage().maxRSS * 1024;
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc) {
      gc();
      console.log(`after export + full GC: heapUsed ${mb(process.memoryUsage().heapUsed)}, rss ${mb(process.memoryUsage().rss)}`);
    }
    const written = result.tables[0].upserts;
    const rows = await bt.count();
    if (rows !== N) throw new Error(`export wrote ${rows} rows, expected ${N}`);

    // Reading alone: the same read the engine does (same select, page size, client).
    const client = new DataverseClient({ url: emu.url, token: emu.token });
    const schema = await client.getTableSchema("account");
    const spec = tableSpecFor(schema, "");
    const select = selectFor(spec);
    const readMeter = await meterPhase(emu.pid, null);
    const r0 = performance.now();
    let read = 0;
    let template: SourceRecord[] = [];
    for await (const p of client.readChanges(schema.table, { select, pageSize: PAGE })) {
      read += p.upserts.length;
      if (template.length === 0) template = p.upserts;
    }
    const readS = (performance.now() - r0) / 1000;
    const readCpu = await readMeter.stop();

    // Writing alone: real records of one page, re-keyed, written page by page into a fresh target.
    const dest = await openDestination(bt.writeOnly, { schemaName: "dbo", prefix: "" });
    await dest.prepare({ deleteLog: false });
    await dest.ensureTable(spec);
    const pages = Math.ceil(N / PAGE);
    const stopRenice2 = keepServerPriority(bt.writeOnly);
    const writeMeter = await meterPhase(emu.pid, bt.server ? bt.writeOnly : null);
    // The re-keyed batches are the bench's work, not the write path's: their CPU is left out below.
    let rekeyUs = 0;
    const w0 = performance.now();
    for (let p = 0; p < pages; p++) {
      const c0 = process.cpuUsage();
      const batch = template.slice(0, Math.min(PAGE, N - p * PAGE)).map((r, i) => {
        const n = (p * PAGE + i).toString(16).padStart(12, "0");
        return { ...r, id: `${r.id.slice(0, 24)}${n}` };
      });
      const c = process.cpuUsage(c0);
      rekeyUs += c.user + c.system;
      await dest.upsert(spec, batch);
    }
    const writeS = (performance.now() - w0) / 1000;
    const writeCpu = await writeMeter.stop();
    writeCpu.seconds.engine -= rekeyUs / 1e6;
    stopRenice2();
    await dest.close();

    const exportRate = written / exportS;
    const readRate = read / readS;
    const writeRate = N / writeS;
    const ratio = exportRate / Math.min(readRate, writeRate);
    console.log(`\n== initial export: ${fmt(N)} accounts (${select.length} attributes, ${spec.columns.length} columns), pages of ${PAGE}, ${bt.label}`);
    console.log(`export (engine)   ${fmt(exportRate).padStart(9)} records/s   ${exportS.toFixed(1)} s`);
    console.log(`read alone        ${fmt(readRate).padStart(9)} records/s   ${readS.toFixed(1)} s`);
    console.log(`write alone       ${fmt(writeRate).padStart(9)} records/s   ${writeS.toFixed(1)} s`);
    console.log(`ratio export / min(read, write) = ${ratio.toFixed(2)}  (target >= 0.8: ${ratio >= 0.8 ? "met" : "NOT met"})`);
    console.log(`at peak: heapUsed ${mb(peakMem.heapUsed)}, heapTotal ${mb(peakMem.heapTotal)}, external ${mb(peakMem.external)}, arrayBuffers ${mb(peakMem.arrayBuffers)}`);
    console.log(`load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
    console.log(`peak RSS during export: sampled ${mb(peak)}, process high-water mark ${mb(maxRss)}  (target <= 300 MB: ${Math.max(peak, maxRss) <= 300 * 1024 * 1024 ? "met" : "NOT met"})`);
    cpuBound({ exportCpu, written, exportRate }, { readCpu, read, readRate }, { writeCpu, written: N, writeRate, rekeyS: rekeyUs / 1e6 });
  } finally {
    await emu.close();
    await bt.cleanup();
  }
}

/**
 * Where the export's CPU goes against the two halves'. If reading alone and writing alone each
 * keep the cores busy, the export — doing both on the same cores — cannot beat
 * cores / (CPU per record read + CPU per record written) unless it spends less CPU than the two
 * halves; what it spends beyond them is the cost of doing both at once.
 */
function cpuBound(
  exp: { exportCpu: PhaseResult; written: number; exportRate: number },
  rd: { readCpu: PhaseResult; read: number; readRate: number },
  wr: { writeCpu: PhaseResult; written: number; writeRate: number; rekeyS: number },
): void {
  const cores = os.cpus().length;
  console.log(`\n== CPU by process (/proc utime + stime), ${cores} CPUs`);
  console.log(cpuLine("read alone", rd.readCpu, rd.read));
  console.log(cpuLine("write alone", wr.writeCpu, wr.written) + `; re-keying the batches (${wr.rekeyS.toFixed(2)} s, bench work) left out of engine`);
  console.log(cpuLine("export", exp.exportCpu, exp.written));
  console.log(`main threads, read alone: ${rd.readCpu.threads}`);
  console.log(`main threads, write alone: ${wr.writeCpu.threads}`);
  console.log(`main threads, export: ${exp.exportCpu.threads}`);
  const readUs = usPerRecord(totalSeconds(rd.readCpu), rd.read);
  const writeUs = usPerRecord(totalSeconds(wr.writeCpu), wr.written);
  const exportUs = usPerRecord(totalSeconds(exp.exportCpu), exp.written);
  const bound = (cores * 1e6) / (readUs + writeUs);
  const minRate = Math.min(rd.readRate, wr.writeRate);
  const serial = 1 / (1 / rd.readRate + 1 / wr.writeRate);
  console.log(
    `two-core bound: read alone ${readUs.toFixed(1)} + write alone ${writeUs.toFixed(1)} = ${(readUs + writeUs).toFixed(1)} µs of CPU per record on ${cores} cores → ` +
      `${fmt(bound)} records/s; ratio to min(read, write) ${(bound / minRate).toFixed(2)}; the export reached ${(exp.exportRate / bound).toFixed(2)} of it`,
  );
  console.log(
    `serial bound 1 / (1/read + 1/write) = ${fmt(serial)} records/s (ratio to min ${(serial / minRate).toFixed(2)}); the export reached ${(exp.exportRate / serial).toFixed(2)} of it`,
  );
  // On a shared machine each phase gets what cores the others leave; if every phase got the same
  // share and was bounded by CPU, rates would go as 1 / CPU per record, and the ratio would be:
  const sameCores = Math.max(readUs, writeUs) / exportUs;
  console.log(
    `ratio if every phase had the same cores (CPU-bound): max(read, write) / export CPU per record = ${Math.max(readUs, writeUs).toFixed(1)} / ${exportUs.toFixed(1)} = ${sameCores.toFixed(2)}; ` +
      `without the export's extra CPU: ${(Math.max(readUs, writeUs) / (readUs + writeUs)).toFixed(2)}`,
  );
  const own = (cores * 1e6) / exportUs;
  console.log(
    `the export at its own CPU per record on all ${cores} cores: ${fmt(own)} records/s (ratio to min ${(own / minRate).toFixed(2)}); ` +
      `it had ${(totalSeconds(exp.exportCpu) / exp.exportCpu.wallS).toFixed(2)} cores busy, so reached ${(exp.exportRate / own).toFixed(2)} of it`,
  );
  const perGroup = Object.keys(exp.exportCpu.seconds).map((g) => {
    const extra = usPerRecord(exp.exportCpu.seconds[g], exp.written) - usPerRecord(rd.readCpu.seconds[g] ?? 0, rd.read) - usPerRecord(wr.writeCpu.seconds[g] ?? 0, wr.written);
    return `${g} ${extra >= 0 ? "+" : ""}${extra.toFixed(1)}`;
  });
  const extra = exportUs - readUs - writeUs;
  console.log(
    `export's CPU beyond the two halves: ${exportUs.toFixed(1)} vs ${(readUs + writeUs).toFixed(1)} µs/record → ${extra >= 0 ? "+" : ""}${extra.toFixed(1)} µs/record ` +
      `(${((extra / (readUs + writeUs)) * 100).toFixed(0)}%); by process (µs/record): ${perGroup.join(", ")}`,
  );
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function latencyBench(): Promise<void> {
  const emu = await spawnEmulator(LAT_RECORDS);
  const control = emulatorControl(emu.url, emu.token);
  const target = path.join(dir, "latency.db");
  const id = await createProfile(db, { name: "bench-latency", source: emu.url, target: `sqlite:${target}`, tables: ["account"], pageSize: PAGE });
  await runProfile(id, { db, pageSize: PAGE }, { signal: new AbortController().signal, once: true });
  const stop = new AbortController();
  const runner = runProfile(id, { db, pageSize: PAGE, intervalMs: INTERVAL_S * 1000 }, { signal: stop.signal });
  const reader = new Database(target, { readonly: true });
  const maxV = reader.prepare("select max(versionnumber) v from account");
  const newer = reader.prepare("select versionnumber v from account where versionnumber > ?");
  let seen = Number((maxV.get() as { v: number }).v);
  const baseVersion = (await control.status()).version;
  // Source clock: (time, org version) samples; a change with version v happened between the
  // last sample below v and the first sample at or above it — take the midpoint.
  const samples: [number, number][] = [[performance.now(), baseVersion]];
  const visible = new Map<number, number>();
  let sampling = true;
  const sourceClock = (async () => {
    while (sampling) {
      const v = (await control.status()).version;
      samples.push([performance.now(), v]);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const targetClock = setInterval(() => {
    const now = performance.now();
    for (const r of newer.all(seen) as { v: number }[]) {
      visible.set(Number(r.v), now);
      seen = Math.max(seen, Number(r.v));
    }
  }, 20);
  await control.startChurn({ ratePerSecond: RATE, tables: ["account"] });
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const ops = (await control.stopChurn())?.operations ?? 0;
  const lastVersion = (await control.status()).version;
  // Drain: wait until the target stops changing for 3 intervals (bounded by 30 s).
  const drainUntil = Date.now() + 30_000;
  let quietSince = Date.now();
  let lastSeen = seen;
  while (Date.now() < drainUntil && Date.now() - quietSince < Math.max(1500, 3 * INTERVAL_S * 1000)) {
    await new Promise((r) => setTimeout(r, 100));
    if (seen !== lastSeen) {
      lastSeen = seen;
      quietSince = Date.now();
    }
  }
  sampling = false;
  await sourceClock;
  clearInterval(targetClock);
  stop.abort();
  await runner.catch(() => undefined);
  reader.close();
  await emu.close();

  const lat: number[] = [];
  for (const [v, seenAt] of visible) {
    if (v <= baseVersion || v > lastVersion) continue;
    let i = samples.findIndex(([, sv]) => sv >= v);
    if (i < 0) continue;
    const changedAt = i === 0 ? samples[0][0] : (samples[i - 1][0] + samples[i][0]) / 2;
    lat.push(seenAt - changedAt);
  }
  lat.sort((a, b) => a - b);
  const p50 = percentile(lat, 50);
  const p99 = percentile(lat, 99);
  console.log(`\n== delta latency: ${RATE} changes/s on account for ${SECONDS} s (${fmt(ops)} operations; ${LAT_RECORDS} base rows), delta interval ${INTERVAL_S} s`);
  console.log(`measured ${fmt(lat.length)} creates/updates (deletes leave no row to observe)`);
  console.log(`p50 ${(p50 / 1000).toFixed(3)} s   p99 ${(p99 / 1000).toFixed(3)} s   max ${(lat[lat.length - 1] / 1000).toFixed(3)} s  (target p99 <= 2 s: ${p99 <= 2000 ? "met" : "NOT met"})`);
}

try {
  if (!values["skip-export"]) await exportBench();
  if (!values["skip-latency"]) await latencyBench();
} finally {
  await db.$disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
}
