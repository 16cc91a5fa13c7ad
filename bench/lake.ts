// Data lake benchmark (prints figures; not a timed test): initial export of N accounts through the
// engine into a folder lake and into Azurite (Azure Blob), each followed in the same run by
// reading alone (same client, select and page size) and writing alone (the same bytes into the same
// store with the engine's block/commit pattern). Reports records/s, the ratio export / read
// (goal >= 0.8) and export / min(read, write), peak RSS of this process (goal <= 300 MB; the emulator and Azurite run in child
// processes) and the time of the first snapshot (a server-side copy of every partition file),
// which the engine takes at the end of the cycle and is timed apart from the export.
//
//   npx tsx bench/lake.ts [--records 1000000] [--page 2000] [--only folder|azurite] [--mode appendOnly|inPlace]
//   npx tsx bench/lake.ts --format delta [--changes 10000] [--only folder|azurite]   (bench/lake-delta.ts)
// Run --only folder and --only azurite as two processes for a clean RSS figure of each. Runs
// compiled, in a child process with the sync worker's node flags (bench/worker-flags.ts:
// --from-source, --no-worker-heap).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { DataverseClient } from "../lib/dataverse/client.ts";
import { tableSpecFor } from "../lib/destinations/columns.ts";
import { parseLakeTarget } from "../lib/destinations/lake/lake-target.ts";
import { COMMIT_BYTES } from "../lib/destinations/lake/lake-table.ts";
import { STAGE_BYTES } from "../lib/destinations/lake/part-stager.ts";
import { openStorage } from "../lib/destinations/lake/open-storage.ts";
import type { Destination } from "../lib/destinations/types.ts";
import { decryptSecret } from "../lib/secrets/index.ts";
import { selectFor } from "../lib/sync/metadata-sync.ts";
import { openTarget } from "../lib/sync/open-target.ts";
import { lakeOptionsOf, runProfile } from "../lib/sync/profile-runner.ts";
import { createProfile, makeStore } from "../lib/sync/test-support.ts";
import { startAzurite } from "../lib/testing/azurite.ts";
import { spawnEmulator } from "./emulator-child.ts";
import { underWorkerFlags } from "./worker-flags.ts";

const heapSetting = await underWorkerFlags();

const { values } = parseArgs({ options: { "no-worker-heap": { type: "boolean" }, "from-source": { type: "boolean" }, records: { type: "string" }, page: { type: "string" }, only: { type: "string" }, mode: { type: "string" }, format: { type: "string" }, changes: { type: "string" } } });
const N = Number(values.records ?? 1_000_000);
const PAGE = Number(values.page ?? 2000);
const MODE = values.mode === "inPlace" ? "inPlace" : "appendOnly";
const mb = (b: number) => `${Math.round(b / 1024 / 1024)} MB`;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

const { dir, db } = makeStore();
console.log(`bench/lake: DATA_DIR ${dir}; ${os.cpus().length} CPUs (shared); node ${process.version}; ${fmt(N)} accounts, pages of ${PAGE}, ${MODE}; ${heapSetting}`);

async function one(kind: string, target: string, emu: { url: string; token: string }): Promise<void> {
  const id = await createProfile(db, { name: `bench-${kind}`, source: emu.url, target, tables: ["account"], pageSize: PAGE, lakeMode: MODE });
  let maintainMs = 0;
  const open = async (p: Parameters<typeof lakeOptionsOf>[0]): Promise<Destination> => {
    const dest = await openTarget(decryptSecret(p.destinationEnc!), { schemaName: p.schemaName, prefix: p.prefix, ...lakeOptionsOf(p) });
    const maintain = dest.maintain!.bind(dest);
    dest.maintain = async (t) => {
      const s = performance.now();
      try {
        return await maintain(t);
      } finally {
        maintainMs += performance.now() - s;
      }
    };
    return dest;
  };
  let peak = 0;
  let atPeak = process.memoryUsage();
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    if (m.rss > peak) (peak = m.rss), (atPeak = m);
  }, 100);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await runProfile(id, { db, pageSize: PAGE, openTarget: open }, { signal: new AbortController().signal, once: true });
  const totalMs = performance.now() - t0;
  const exportCpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  const written = r.tables[0].upserts;
  const exportS = (totalMs - maintainMs) / 1000;

  // DuckDB is loaded only now: its native library would count in the export's RSS otherwise.
  const { openLakeReader } = await import("../lib/destinations/lake/reader.ts");
  const storage = await openStorage(parseLakeTarget(target));
  const reader = await openLakeReader(storage, { tables: ["account"] });
  const count = Number((await reader.query("select count(*)::int n from account"))[0].n);
  await reader.close();
  if (count !== N) throw new Error(`${kind}: the lake holds ${count} accounts, expected ${N}`);

  const client = new DataverseClient({ url: emu.url, token: emu.token });
  const schema = await client.getTableSchema("account");
  const select = selectFor(tableSpecFor(schema, ""));
  const rcpu0 = process.cpuUsage();
  const r0 = performance.now();
  let read = 0;
  for await (const p of client.readChanges(schema.table, { select, pageSize: PAGE })) read += p.upserts.length;
  const readS = (performance.now() - r0) / 1000;
  const readCpu = process.cpuUsage(rcpu0);
  // Writing alone: the store's own write speed with the engine's request pattern — the lake's
  // bytes (as many as the export wrote to its partitions) staged in STAGE_BYTES parts and
  // committed every COMMIT_BYTES, from one buffer (no encoding): what the store allows at best.
  const parts = (await storage.list("account/")).filter((f) => f.path.endsWith(".csv") && !f.path.includes("/Snapshot/"));
  const total = parts.reduce((a, f) => a + f.size, 0);
  let sample = Buffer.alloc(0);
  for await (const c of storage.chunks(parts[0].path)) {
    sample = Buffer.concat([sample, c]);
    if (sample.length >= STAGE_BYTES) break;
  }
  sample = sample.subarray(0, STAGE_BYTES);
  const perCommit = Math.max(1, Math.round(COMMIT_BYTES / STAGE_BYTES));
  const aloneFile = "bench-write-alone/account.csv";
  const w0 = performance.now();
  let part = 0;
  for (let done = 0; done < total; done += sample.length) {
    await storage.stage(aloneFile, sample.subarray(0, Math.min(sample.length, total - done)), part++);
    if (part % perCommit === 0) await storage.commitParts(aloneFile, part);
  }
  await storage.commitParts(aloneFile, part);
  const writeS = (performance.now() - w0) / 1000;
  await storage.delete(aloneFile);
  await storage.close();

  const exportRate = written / exportS;
  const readRate = read / readS;
  const writeRate = N / writeS;
  const p = await db.profile.findUniqueOrThrow({ where: { id } });
  console.log(`\n== ${kind}: ${target.replace(/AccountKey=[^;]+/, "AccountKey=***")}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  console.log(`export (engine)   ${fmt(exportRate).padStart(9)} records/s   ${exportS.toFixed(1)} s`);
  console.log(`read alone        ${fmt(readRate).padStart(9)} records/s   ${readS.toFixed(1)} s`);
  console.log(`write alone       ${fmt(writeRate).padStart(9)} records/s   ${writeS.toFixed(1)} s  (the same ${mb(total)} in ${part} parts of ${mb(STAGE_BYTES)}, a commit every ${perCommit})`);
  console.log(`ratio export / read = ${(exportRate / readRate).toFixed(2)}  (goal >= 0.8: ${exportRate / readRate >= 0.8 ? "met" : "NOT met"})`);
  const bound = Math.min(readRate, writeRate);
  console.log(`ratio export / min(read, write) = ${(exportRate / bound).toFixed(2)}  (${writeRate < readRate ? "the store's writing is the slower side" : "reading is the slower side"})`);
  // This process's CPU (GC threads included; the emulator and Azurite are other processes): less
  // sensitive to a busy machine than the wall-clock rates above.
  const usPerRow = (c: NodeJS.CpuUsage, n: number) => `${((c.user + c.system) / n).toFixed(1)} µs`;
  console.log(`CPU per record (this process): export ${usPerRow(exportCpu, written)} (snapshot included), read alone ${usPerRow(readCpu, read)}`);
  console.log(`first snapshot + model.json (${p.lakeFilesWritten} files, ${mb(p.lakeBytesWritten)}): ${(maintainMs / 1000).toFixed(2)} s`);
  console.log(`peak RSS during export (sampled): ${mb(peak)}  (goal <= 300 MB: ${peak <= 300 * 1024 * 1024 ? "met" : "NOT met"})`);
  console.log(`  at the peak: V8 heap ${mb(atPeak.heapUsed)} used of ${mb(atPeak.heapTotal)}, external ${mb(atPeak.external)} (array buffers ${mb(atPeak.arrayBuffers)}), rest (code, native libraries) ${mb(atPeak.rss - atPeak.heapTotal - atPeak.external)}`);
}

if (values.format === "delta") {
  // Delta tables instead of CSV: bench/lake-delta.ts (its own figures, same emulator and Azurite set-up).
  const { deltaBench } = await import("./lake-delta.ts");
  try {
    await deltaBench({ records: N, page: PAGE, only: values.only, db, dir, changes: Number(values.changes ?? 10_000) });
  } finally {
    await db.$disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}

const emu = await spawnEmulator(N);
try {
  if (values.only !== "azurite") await one("folder", `lake:${path.join(dir, "lake")}`, emu);
  if (values.only !== "folder") {
    const az = await startAzurite("bench on Azurite");
    if (az) {
      try {
        // Loaded here, not at the top: a folder run should not pay for the Azure SDK.
        const { BlobServiceClient } = await import("@azure/storage-blob");
        await BlobServiceClient.fromConnectionString(az.connectionString).getContainerClient("dataverse-bench-contoso").create();
        await one("azurite", az.target("dataverse-bench-contoso"), emu);
      } finally {
        await az.close();
      }
    }
  }
} finally {
  await emu.close();
  await db.$disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
}
