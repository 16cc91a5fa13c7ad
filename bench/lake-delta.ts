// The Delta part of bench/lake.ts (`--format delta`), kept in its own file: initial export of N
// accounts through the engine into Delta tables (folder and/or Azurite), then in the same run:
// reading alone (same client, select, page size), peak RSS of this process (DuckDB included),
// files and bytes after compaction, and the time to apply a delta of ~10,000 changes (emulator
// churn on accounts: updates, creates, deletes), split into reading + staging and the commit.
import os from "node:os";
import { PerformanceObserver } from "node:perf_hooks";
import { parseLakeTarget } from "../lib/destinations/lake/lake-target.ts";
import { openStorage } from "../lib/destinations/lake/open-storage.ts";
import type { Destination } from "../lib/destinations/types.ts";
import { DataverseClient } from "../lib/dataverse/client.ts";
import { tableSpecFor } from "../lib/destinations/columns.ts";
import { decryptSecret } from "../lib/secrets/index.ts";
import { selectFor } from "../lib/sync/metadata-sync.ts";
import { openTarget } from "../lib/sync/open-target.ts";
import { lakeOptionsOf, runProfile } from "../lib/sync/profile-runner.ts";
import { createProfile } from "../lib/sync/test-support.ts";
import type { Db } from "../lib/db.ts";
import { emulatorControl } from "../emulator/control.ts";
import { startAzurite } from "../lib/testing/azurite.ts";
import { spawnEmulator } from "./emulator-child.ts";

const mb = (b: number) => `${Math.round(b / 1024 / 1024)} MB`;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

export async function deltaBench(o: { records: number; page: number; only?: string; db: Db; dir: string; changes: number }): Promise<void> {
  const { db } = o;
  const emu = await spawnEmulator(o.records);
  const one = async (kind: string, target: string) => {
    const id = await createProfile(db, {
      name: `bench-delta-${kind}`, source: emu.url, target, tables: ["account"], pageSize: o.page,
      lakeFormat: "delta", deltaCompactMinutes: 10_000, deltaVacuumMinutes: 10_000,
    });
    let maintainMs = 0;
    let dest: Destination | null = null;
    const open = async (p: Parameters<typeof lakeOptionsOf>[0]): Promise<Destination> => {
      const d = await openTarget(decryptSecret(p.destinationEnc!), { schemaName: p.schemaName, prefix: p.prefix, ...lakeOptionsOf(p) });
      const maintain = d.maintain!.bind(d);
      d.maintain = async (t) => {
        const s = performance.now();
        try {
          return await maintain(t);
        } finally {
          maintainMs += performance.now() - s;
        }
      };
      dest = d;
      return d;
    };
    let peak = 0;
    let atPeak = process.memoryUsage();
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      if (m.rss > peak) (peak = m.rss), (atPeak = m);
    }, 100);
    // Time V8 spent collecting garbage (main thread pauses), export and read alone apart.
    let gcMs = 0;
    const gcObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) gcMs += e.duration;
    });
    gcObserver.observe({ entryTypes: ["gc"] });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await runProfile(id, { db, pageSize: o.page, openTarget: open }, { signal: new AbortController().signal, once: true });
    const totalMs = performance.now() - t0;
    const exportCpu = process.cpuUsage(cpu0);
    const exportGcMs = gcMs;
    clearInterval(sampler);
    const written = r.tables[0].upserts;
    const commitS = maintainMs / 1000;
    void dest;

    // Independent count: the log replayed, live files read (the test helpers' reader).
    const { openDeltaReader } = await import("../lib/destinations/lake/delta/delta-reader.ts");
    const storage = await openStorage(parseLakeTarget(target));
    const count = async () => {
      const reader = await openDeltaReader(storage, { tables: ["account"] });
      try {
        return Number((await reader.query("select count(*)::int n from account"))[0].n);
      } finally {
        await reader.close();
      }
    };
    const n = await count();
    if (n !== o.records) throw new Error(`${kind}: the Delta table holds ${n} accounts, expected ${o.records}`);

    const client = new DataverseClient({ url: emu.url, token: emu.token });
    const schema = await client.getTableSchema("account");
    const select = selectFor(tableSpecFor(schema, ""));
    gcMs = 0;
    const rcpu0 = process.cpuUsage();
    const r0 = performance.now();
    let read = 0;
    for await (const p of client.readChanges(schema.table, { select, pageSize: o.page })) read += p.upserts.length;
    const readS = (performance.now() - r0) / 1000;
    const readCpu = process.cpuUsage(rcpu0);
    const readGcMs = gcMs;
    gcObserver.disconnect();
    // CPU of this process (DuckDB's threads included; the emulator is another process) per record.
    const usPerRow = (c: NodeJS.CpuUsage, rows: number) => `${((c.user + c.system) / rows).toFixed(1)} µs`;
    const exportS = totalMs / 1000;
    const stagingS = (totalMs - maintainMs) / 1000;

    // Compaction (nothing to merge after one commit per partition unless the export wrote small files) and sizes.
    const { DeltaDestination } = await import("../lib/destinations/lake/delta/delta-destination.ts");
    const upkeep = new DeltaDestination(storage, { schemaName: "dbo", prefix: "", lake: { format: "delta" } });
    const table = await upkeep.table("account");
    const c0 = performance.now();
    await table.compact();
    const compactS = (performance.now() - c0) / 1000;
    const liveFiles = table.snapshot.files.size;
    const liveBytes = [...table.snapshot.files.values()].reduce((s, a) => s + a.size, 0);
    await upkeep.close();

    // A delta of ~N changes (emulator churn on accounts), then one engine pass.
    const control = emulatorControl(emu.url, emu.token);
    const before = (await control.status()).version;
    await control.startChurn({ ratePerSecond: 5000, tables: ["account"] });
    for (;;) {
      await new Promise((res) => setTimeout(res, 200));
      if ((await control.status()).version - before >= o.changes) break;
    }
    const ops = (await control.stopChurn())?.operations ?? 0;
    maintainMs = 0;
    // The export's peak is printed below: the delta's is its own (both were one variable, and the
    // export's line printed the delta's peak).
    const exportPeak = peak;
    let deltaPeak = 0;
    const sampler2 = setInterval(() => (deltaPeak = Math.max(deltaPeak, process.memoryUsage().rss)), 100);
    const d0 = performance.now();
    const dr = await runProfile(id, { db, pageSize: o.page, openTarget: open }, { signal: new AbortController().signal, once: true });
    const deltaMs = performance.now() - d0;
    clearInterval(sampler2);
    const after = await count();

    console.log(`\n== delta, ${kind}: ${target.replace(/AccountKey=[^;]+/, "AccountKey=***")}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
    console.log(`export (engine, incl. the commit)  ${fmt(written / exportS).padStart(9)} records/s   ${exportS.toFixed(1)} s  (reading + staging ${stagingS.toFixed(1)} s, commit ${commitS.toFixed(1)} s)`);
    console.log(`read alone                         ${fmt(read / readS).padStart(9)} records/s   ${readS.toFixed(1)} s`);
    console.log(`ratio export / read = ${(written / exportS / (read / readS)).toFixed(2)}  (goal >= 0.8: ${written / exportS / (read / readS) >= 0.8 ? "met" : "NOT met"})`);
    console.log(`CPU per record (this process, DuckDB included): export ${usPerRow(exportCpu, written)}, read alone ${usPerRow(readCpu, read)}; GC pauses: export ${(exportGcMs / 1000).toFixed(1)} s, read alone ${(readGcMs / 1000).toFixed(1)} s`);
    console.log(`peak RSS during export (sampled, DuckDB included): ${mb(exportPeak)}  (goal <= 300 MB: ${exportPeak <= 300 * 1024 * 1024 ? "met" : "NOT met"})`);
    console.log(`  at the peak: V8 heap ${mb(atPeak.heapUsed)} used of ${mb(atPeak.heapTotal)}, external ${mb(atPeak.external)} (array buffers ${mb(atPeak.arrayBuffers)}), rest (code, native libraries, DuckDB) ${mb(atPeak.rss - atPeak.heapTotal - atPeak.external)}`);
    console.log(`after compaction (${compactS.toFixed(1)} s): ${liveFiles} live data files, ${mb(liveBytes)}`);
    console.log(`delta of ${fmt(ops)} churn operations (${fmt(dr.tables[0].upserts)} upserts, ${fmt(dr.tables[0].deletes)} deletes): ${(deltaMs / 1000).toFixed(1)} s end to end, commit (copy-on-write) ${(maintainMs / 1000).toFixed(1)} s; ${fmt(after)} accounts live after it; peak RSS ${mb(deltaPeak)}`);
  };
  try {
    if (o.only !== "azurite") await one("folder", `lake:${o.dir}/delta-lake`);
    if (o.only !== "folder") {
      const az = await startAzurite("Delta bench on Azurite");
      if (az) {
        try {
          const { BlobServiceClient } = await import("@azure/storage-blob");
          await BlobServiceClient.fromConnectionString(az.connectionString).getContainerClient("dataverse-bench-delta").create();
          await one("azurite", az.target("dataverse-bench-delta"));
        } finally {
          await az.close();
        }
      }
    }
  } finally {
    await emu.close();
  }
}
