// The chaos run (issue 10): proves "nothing lost" under the faults a deployment meets.
//   npm run chaos -- [--minutes 5 | --seconds 60] [--seed 1] ... (--help for all flags)
// The emulator churns several tables while the real sync worker (a child process, throwaway
// store) exports them into a throwaway PostgreSQL database reached through a TCP proxy this
// script controls. For the given time it injects faults at random (bench/chaos/faults.ts); then
// the faults heal, churn stops, the engine catches up (a condition on the store, not a sleep) and
// the target is compared with the source. Last line:
//   chaos: N faults, target == source (0 missing, 0 extra, 0 stale), 0 failure-log entries
// Exit 0 only for exactly that; 1 for any difference; 77 (skipped) without PostgreSQL.
import fs from "node:fs";
import { emulatorControl } from "../emulator/control.ts";
import { startEmulator } from "../emulator/server.ts";
import { rng } from "../emulator/values.ts";
import { tableNameFor } from "../lib/destinations/columns.ts";
import { reconcileProfile, type ProfileReconciliation } from "../lib/sync/reconcile/reconcile-profile.ts";
import { createProfile, makeStore } from "../lib/sync/test-support.ts";
import { parseChaosArgs, USAGE, type ChaosArgs } from "./chaos/args.ts";
import { awaitCatchUp, awaitInitialExport } from "./chaos/catch-up.ts";
import { compareDirect, type Comparison } from "./chaos/compare.ts";
import { engineProcess } from "./chaos/engine-process.ts";
import { faultBag, faultCatalogue, type FaultContext } from "./chaos/faults.ts";
import { openChaosTarget } from "./chaos/pg-target.ts";
import { startTcpProxy } from "../lib/testing/tcp-proxy.ts";

const ENTITIES = ["account", "contact", "lead", "opportunity", "cr0a1_project"];
const CHURNED = ["account", "contact", "lead", "cr0a1_project"];
const RELATIONSHIPS = ["accountleads_association"];
const SCHEMA = "dbo";
const PREFIX = "";

const t0 = Date.now();
const at = () => `${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s`;
const say = (line: string) => console.log(line);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(args: ChaosArgs): Promise<number> {
  const target = await openChaosTarget();
  if ("unavailable" in target) {
    say(`chaos: SKIPPED — the chaos run needs PostgreSQL: ${target.unavailable}`);
    return 77;
  }
  const { dir, db, url: storeUrl } = makeStore();
  const emu = await startEmulator({ port: 0, records: args.records, seed: args.seed });
  const control = emulatorControl(emu.url, emu.token);
  const pgUrl = new URL(target.pg.url);
  const proxy = await startTcpProxy(pgUrl.hostname, Number(pgUrl.port || 5432));
  const engine = engineProcess(dir, storeUrl);
  const r = rng(args.seed ^ 0x5eed);
  let green = false;
  try {
    say(`chaos: seed ${args.seed}, ${args.records} records, ${args.rate} changes/s on ${CHURNED.join(", ")}, faults for ${args.seconds} s`);
    say(`chaos: store and engine log in ${dir}; target database ${target.pg.database} through 127.0.0.1:${proxy.port}`);
    const profileId = await createProfile(db, {
      name: "chaos", source: emu.url, token: emu.token, target: target.urlThrough(proxy.port), tables: ENTITIES,
      relationships: RELATIONSHIPS, schema: SCHEMA, prefix: PREFIX, retryCount: args.retryCount, retryInterval: args.retryInterval,
      interval: 1, deleteLog: true, once: false,
    });
    const targetTables = [...ENTITIES, "accountleads"].map((t) => tableNameFor(t, PREFIX));

    engine.start();
    if (args.rate > 0) await control.startChurn({ ratePerSecond: args.rate, tables: CHURNED });
    // Faults start once the initial export is through, so they hit the engine at work, not at start-up.
    const warm = await awaitInitialExport(db, profileId, args.catchUpSeconds * 1000);
    if (!warm.ok) throw new Error(`the initial export did not finish in ${args.catchUpSeconds} s without faults: ${warm.behind.join("; ")}`);
    say(`${at()} initial export done; faults start`);

    // Fault phase.
    const ctx: FaultContext = { control, proxy, target, engine, rng: r, schema: SCHEMA, targetTables, churnTables: CHURNED, say };
    const next = faultBag(faultCatalogue(), r);
    const byKind = new Map<string, number>();
    const busy = new Set<string>();
    const inFlight = new Set<Promise<void>>();
    const harnessErrors: string[] = [];
    const deadline = Date.now() + args.seconds * 1000;
    let kills = 0;
    while (Date.now() < deadline) {
      await sleep((args.gapMin + r() * (args.gapMax - args.gapMin)) * 1000);
      if (Date.now() >= deadline) break;
      const f = next();
      if (busy.has(f.kind)) continue; // the same kind still running (e.g. read-only): skip this draw
      busy.add(f.kind);
      byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + 1);
      if (f.kind === "engine kill -9") kills++;
      say(`${at()} ${f.kind}`);
      const p = f
        .run(ctx)
        .catch((err) => void harnessErrors.push(`${f.kind}: ${(err as Error).message}`))
        .finally(() => {
          busy.delete(f.kind);
          inFlight.delete(p);
        });
      inFlight.add(p);
    }

    // Heal everything, stop churn, let the engine catch up.
    await Promise.all([...inFlight]);
    const churned = (await control.stopChurn())?.operations ?? 0;
    await control.reset();
    proxy.refuse(false);
    proxy.delay(0);
    await target.readOnly(false);
    if (!engine.running()) engine.start();
    const sourceVersion = (await control.status()).version;
    say(`${at()} faults healed, churn stopped after ${churned} changes; waiting for the engine to catch up to v${sourceVersion}`);
    const caught = await awaitCatchUp(db, profileId, sourceVersion, args.catchUpSeconds * 1000);
    if (caught.ok) say(`${at()} engine caught up in ${(caught.ms / 1000).toFixed(1)} s`);
    else say(`${at()} engine did NOT catch up in ${args.catchUpSeconds} s:\n  ${caught.behind.join("\n  ")}`);

    // The product's reconciliation (through the proxy, like the engine), then the harness's own
    // direct comparison as a check on it; then the failure log.
    const product = await reconcileProfile(db, profileId, {});
    const direct = await compareDirect(emu, target, SCHEMA, PREFIX, [...ENTITIES, "accountleads"]);
    const failures = await db.failure.findMany({ where: { profileId }, select: { entity: true, recordId: true, changeType: true, reason: true }, take: 2000 });
    const failedTables = await db.profileTable.findMany({ where: { profileId, initialSyncState: "Failed" }, select: { logicalName: true, lastError: true } });
    await engine.stop();

    const faults = [...byKind.values()].reduce((a, b) => a + b, 0);
    report({ byKind, kills, crashes: engine.crashes(), product, direct, failures, failedTables, harnessErrors, logFile: engine.logFile, tail: engine.tail(25), greenSoFar: caught.ok });
    const equal = product.equal && direct.missing + direct.extra + direct.stale === 0;
    const problems: string[] = [];
    const agree = product.tables.every((t) => {
      const d = direct.tables.find((x) => x.table === (t.entity || t.logicalName));
      return !t.error && d && d.missing === t.missing && d.extra === t.extra && d.stale === t.stale;
    });
    if (!agree) problems.push("the product's reconciliation and the direct comparison disagree (see the table above)");
    if (!caught.ok) problems.push(`the engine did not catch up in ${args.catchUpSeconds} s`);
    if (engine.crashes()) problems.push(`the engine exited unexpectedly ${engine.crashes()} time(s)`);
    if (harnessErrors.length) problems.push(`${harnessErrors.length} fault(s) could not be injected`);
    green = equal && failures.length === 0 && problems.length === 0;
    say(
      `chaos: ${faults} faults, target ${equal ? "==" : "!="} source (${product.missing} missing, ${product.extra} extra, ${product.stale} stale), ` +
        `${failures.length} failure-log entries${problems.length ? `; ${problems.join("; ")}` : ""}`,
    );
    return green ? 0 : 1;
  } finally {
    await engine.stop().catch(() => undefined);
    await db.$disconnect().catch(() => undefined);
    await proxy.close().catch(() => undefined);
    await emu.close().catch(() => undefined);
    if (green && !args.keep) {
      await target.pg.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    } else {
      console.error(`chaos: kept the store and engine log in ${dir} and the target database ${target.pg.database}`);
    }
  }
}

interface Report {
  byKind: Map<string, number>;
  kills: number;
  crashes: number;
  product: ProfileReconciliation;
  direct: Comparison;
  failures: { entity: string; recordId: string; changeType: string; reason: string }[];
  failedTables: { logicalName: string; lastError: string | null }[];
  harnessErrors: string[];
  logFile: string;
  tail: string[];
  greenSoFar: boolean;
}

function report(r: Report): void {
  say("\nfaults injected, by kind:");
  for (const [kind, n] of [...r.byKind].sort((a, b) => b[1] - a[1])) say(`  ${String(n).padStart(4)}  ${kind}`);
  say(`engine restarts: ${r.kills + r.crashes} (${r.kills} kill -9, ${r.crashes} unexpected exits)`);
  say(`\nreconciliation (the product's, ${(r.product.durationMs / 1000).toFixed(1)} s; in brackets the harness's direct comparison):`);
  say(`  ${"table".padEnd(26)}source  target      missing        extra        stale`);
  const cell = (a: number, b: number | undefined) => `${a} [${b ?? "?"}]`.padStart(13);
  for (const t of r.product.tables) {
    const d = r.direct.tables.find((x) => x.table === (t.entity || t.logicalName));
    say(`  ${t.logicalName.padEnd(25)}${String(t.sourceCount).padStart(7)}${String(t.targetCount).padStart(8)}${cell(t.missing, d?.missing)}${cell(t.extra, d?.extra)}${cell(t.stale, d?.stale)}`);
    if (t.error) say(`      error: ${t.error}`);
    for (const s of d?.samples ?? []) say(`      ${s}`);
  }
  if (r.failedTables.length) say(`\ntables failed: ${r.failedTables.map((t) => `${t.logicalName} (${t.lastError})`).join("; ")}`);
  if (r.failures.length) {
    say(`\nfailure log (${r.failures.length} entries), first ones:`);
    for (const f of r.failures.slice(0, 8)) say(`  ${f.entity} ${f.recordId} ${f.changeType}: ${f.reason.slice(0, 200)}`);
  }
  if (r.harnessErrors.length) say(`\nfaults that could not be injected:\n  ${r.harnessErrors.join("\n  ")}`);
  const bad = !r.greenSoFar || r.failures.length || !r.product.equal || r.direct.missing + r.direct.extra + r.direct.stale || r.crashes;
  if (bad) say(`\nengine log ${r.logFile}, last lines:\n  ${r.tail.join("\n  ")}`);
  say("");
}

let args: ChaosArgs;
try {
  args = parseChaosArgs(process.argv.slice(2));
} catch (err) {
  const msg = (err as Error).message;
  if (msg) console.error(`chaos: ${msg}`);
  console.error(USAGE);
  process.exit(msg ? 2 : 0);
}
main(args).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`chaos: harness error: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
