// Runs one profile: activate metadata, then initial exports and the delta loop every
// `syncIntervalSeconds`, tables in parallel within a limit, until the AbortSignal fires.
// Also serves the admin requests the portal stores: re-export one table, re-sync failed records.
import type { Db } from "../db";
import type { Destination, DestinationOptions } from "../destinations/types";
import { DataverseClient } from "../dataverse/client";
import { decryptSecret } from "../secrets";
import { openTarget } from "./open-target";
import { inDatabase } from "../lake-database/location";
import { LakeDatabaseKeeper } from "../lake-database/keeper";
import { parseLakeTarget } from "../destinations/lake/lake-target";
import { activateMetadata, activateTable, refreshSchema, type MetadataContext, type PreparedTable } from "./metadata-sync";
import { loadFailedMarkers, loadProfile, REEXPORT, saveTargetStats, setProfileState, touchProfile, updateTable, type ProfileRow } from "./profile-store";
import { alignLinks, isMissingPropertyError } from "./schema-drift";
import { assertTargetUnchanged, TargetChangedError, verifyTargetMarker } from "./target-identity";
import { classifyError, errorText, failedTableRetryDelayMs, isAbort, sleep } from "./retry-policy";
import { SideTasks } from "./side-tasks";
import { createSource, type SourceFactory } from "./source-factory";
import type { RefreshDeps } from "./refresh/runner";
import { TablePipeline, failTable, silentLog, type Logger, type RunSummary } from "./table-pipeline";

export const DEFAULT_PAGE_SIZE = 2000;

export interface RunnerDeps extends RefreshDeps {
  db: Db;
  log?: Logger;
  sourceFactory?: SourceFactory;
  /** Opens the profile's target; default: decrypt the stored connection and openDestination. */
  openTarget?: (p: ProfileRow) => Promise<Destination>;
  /** Records per source page (default 2000: ~1/3 the memory of 5000 at the same speed). */
  pageSize?: number;
  /** Tables synced at the same time (default 4). */
  tableConcurrency?: number;
  /** Overrides the profile's syncIntervalSeconds (sub-second for benchmarks/tests). */
  intervalMs?: number;
  /** Engine-side read-ahead (default: on, except for a DataverseClient, which reads ahead itself). */
  readAhead?: boolean;
  /** How often requests for work beside the delta loop (re-sync, reconcile) are looked for (default 2000 ms). */
  sidePollMs?: number;
  /** Re-read table schemas every N delta cycles (default 12). */
  schemaCheckEvery?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Delay before a Failed table is tried again by the running runner (default failedTableRetryDelayMs). */
  failedTableRetryMs?: (attempt: number) => number;
  /** Least time between two builds of a lake database's DuckDB file (default: lib/lake-database/keeper.ts). */
  lakeDatabaseEveryMs?: number;
}

export interface TableResult {
  logicalName: string;
  tableName: string | null;
  state: string;
  upserts: number;
  deletes: number;
  failed: number;
  skipped: number;
  error: string | null;
}

export interface ProfileRunResult {
  tables: TableResult[];
  /** True when a table could not be exported at all. */
  anyTableFailed: boolean;
}

export async function openProfileTarget(p: ProfileRow): Promise<Destination> {
  if (!p.destinationEnc) throw new Error(`Profile '${p.name}' has no target connection.`);
  const options = { schemaName: p.schemaName, prefix: p.prefix, ...lakeOptionsOf(p) };
  if (p.destinationType === "datalake" && p.lakeDatabase) {
    // A lake database export: the Synapse Link layout one folder deeper, <lake>/<database>/.
    const { openLakeDestination } = await import("../destinations/lake/open-lake");
    return openLakeDestination(inDatabase(parseLakeTarget(decryptSecret(p.destinationEnc)), p.lakeDatabase), options);
  }
  return openTarget(decryptSecret(p.destinationEnc), options);
}

/** A profile's data lake options, and its organization's app registration for Azure storage. */
export function lakeOptionsOf(p: ProfileRow): Pick<DestinationOptions, "lake" | "credentials"> {
  if (p.destinationType !== "datalake") return {};
  const o = p.organization;
  return {
    lake: {
      mode: p.lakeMode === "inPlace" ? "inPlace" : "appendOnly",
      granularity: p.lakePartition === "Month" ? "Month" : "Year",
      snapshotMinutes: p.lakeSnapshotMinutes,
      snapshotKeep: p.lakeSnapshotKeep,
      incrementalFolders: p.lakeIncrementalFolders,
      format: p.lakeFormat === "delta" ? "delta" : "csv",
      deltaCompactMinutes: p.lakeDeltaCompactMinutes,
      deltaVacuumMinutes: p.lakeDeltaVacuumMinutes,
      deltaRetentionHours: p.lakeDeltaRetentionHours,
    },
    credentials: o.tenantId && o.clientId && o.clientSecretEnc ? { tenantId: o.tenantId, clientId: o.clientId, clientSecret: decryptSecret(o.clientSecretEnc) } : null,
  };
}

/** Runs `fn` over `items` with at most `limit` at once; every item runs, the first error is rethrown. */
async function eachLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (err) {
        errors.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length) throw errors.find((e) => !isAbort(e)) ?? errors[0];
}

/**
 * Runs a profile. With `once`: metadata, then every table brought up to date with the source
 * (initial export where needed, then a delta pass), and returns. Otherwise loops until `signal`.
 * Transient errors propagate: the caller (supervisor / CLI) restarts with fresh connections.
 */
export async function runProfile(profileId: string, deps: RunnerDeps, opts: { signal: AbortSignal; once?: boolean; data?: boolean }): Promise<ProfileRunResult> {
  const { db } = deps;
  const log = deps.log ?? silentLog;
  const profile = await loadProfile(db, profileId);
  if (!profile) throw new Error(`Profile ${profileId} does not exist.`);
  const source = (deps.sourceFactory ?? createSource)(profile.organization);
  const dest = await (deps.openTarget ?? openProfileTarget)(profile);
  const totals = new Map<string, RunSummary>();
  const wait = deps.sleep ?? sleep;
  let side: SideTasks | null = null;
  const lakeDb = new LakeDatabaseKeeper(db, profile, lakeOptionsOf(profile).credentials ?? null, log, { everyMs: deps.lakeDatabaseEveryMs });
  try {
    if (profile.state !== "active") await setProfileState(db, profileId, "activating");
    // Runner start covers reconnects too: the supervisor restarts the runner after any transient error.
    await verifyTargetMarker(db, dest, profile, log);
    const mctx: MetadataContext = { db, profileId, source, dest, prefix: profile.prefix, deleteLog: profile.writeDeleteLog, log };
    const dctx = { db, source, dest, log, pageSize: deps.pageSize ?? DEFAULT_PAGE_SIZE, signal: opts.signal };
    const meta = await activateMetadata(mctx, profile.tables);
    const failedTables = new Map(meta.failed.map((f) => [f.row.logicalName, f.reason]));
    const pipelines = new Map<string, { prepared: PreparedTable; pipeline: TablePipeline }>();
    const makePipeline = (prepared: PreparedTable) =>
      new TablePipeline(
        {
          db, profileId, source, dest, log, signal: opts.signal, pageSize: deps.pageSize ?? DEFAULT_PAGE_SIZE, sleep: deps.sleep,
          readAhead: deps.readAhead ?? !(source instanceof DataverseClient),
          deleteLog: profile.writeDeleteLog,
          retry: { retryCount: profile.retryCount, retryIntervalMs: profile.retryIntervalSeconds * 1000 },
        },
        prepared.target,
      );
    for (const prepared of meta.ready) pipelines.set(prepared.row.logicalName, { prepared, pipeline: makePipeline(prepared) });
    // A Failed table is tried again on a backoff while the runner runs (and at once on Re-sync).
    const retryAt = new Map<string, { attempt: number; at: number }>();
    const scheduleRetry = (name: string) => {
      const attempt = (retryAt.get(name)?.attempt ?? 0) + 1;
      retryAt.set(name, { attempt, at: Date.now() + (deps.failedTableRetryMs ?? failedTableRetryDelayMs)(attempt) });
    };
    for (const f of meta.failed) scheduleRetry(f.row.logicalName);
    const retryFailedTables = async (tables: ProfileRow["tables"]): Promise<boolean> => {
      let recovered = false;
      for (const t of tables) {
        if (!t.enabled || pipelines.has(t.logicalName) || !failedTables.has(t.logicalName)) continue;
        if (!t.resyncRequested && (retryAt.get(t.logicalName)?.at ?? 0) > Date.now()) continue;
        const out = await activateTable(mctx, t);
        if ("failed" in out) {
          failedTables.set(t.logicalName, out.failed);
          scheduleRetry(t.logicalName);
          continue;
        }
        log.info(`${t.logicalName}: no longer failing, syncing it again`);
        pipelines.set(t.logicalName, { prepared: out.ready, pipeline: makePipeline(out.ready) });
        failedTables.delete(t.logicalName);
        retryAt.delete(t.logicalName);
        recovered = true;
      }
      return recovered;
    };
    // Re-sync of failed records and reconciliation run beside the delta loop, sharing its source.
    side = new SideTasks({
      db, profileId, source, dest, log,
      pipelines: () => new Map([...pipelines].map(([k, v]) => [k, v.pipeline])),
      failedTables: () => failedTables,
    });

    // `data`: the CLI runs data without marking the profile active for the portal's workers.
    if (!(opts.data ?? profile.dataActive)) {
      await touchProfile(db, profileId, { state: "active", lastError: null });
      if (!opts.once) await wait(2 ** 31 - 1, opts.signal).catch((e) => { if (!isAbort(e)) throw e; });
      return await result(db, profileId, pipelines, failedTables, totals);
    }

    if (!opts.once) side.startPolling(deps.sidePollMs ?? 2000);
    const intervalMs = deps.intervalMs ?? profile.syncIntervalSeconds * 1000;
    const schemaEvery = Math.max(1, deps.schemaCheckEvery ?? 12);
    let cycle = 0;
    let ranInitial = false;
    const written = () => [...totals.values()].reduce((n, t) => n + t.upserts + t.deletes, 0);
    for (;;) {
      cycle++;
      const writtenBefore = written();
      let fresh = await loadProfile(db, profileId);
      if (!fresh) throw new Error(`Profile ${profileId} was deleted.`);
      await assertTargetUnchanged(dest, profileId, profile.targetGeneration);
      if (failedTables.size && (await retryFailedTables(fresh.tables))) fresh = (await loadProfile(db, profileId)) ?? fresh;
      ranInitial = false;
      if (opts.once) await side.poll();
      const rows = fresh.tables.filter((t) => t.enabled && pipelines.has(t.logicalName));
      await eachLimit(rows, deps.tableConcurrency ?? 4, async (row) => {
        let entry = pipelines.get(row.logicalName)!;
        let r = row;
        if (cycle > 1 && cycle % schemaEvery === 0 && r.deltaLink) {
          const changed = await refreshSchema(mctx, entry.prepared);
          if (changed) {
            entry = { prepared: changed, pipeline: makePipeline(changed) };
            pipelines.set(row.logicalName, entry);
          }
        }
        if (r.resyncRequested) {
          log.info(`${r.logicalName}: re-exporting this table`);
          await updateTable(db, r.id, REEXPORT("Re-sync requested: re-exporting"));
          r = { ...r, resumeLink: null, deltaLink: null };
        }
        if ((r.deltaLink || r.resumeLink) && !(await dest.tableExists(entry.prepared.target.spec.tableName))) {
          // Dropped under us: restart; the start-up check re-creates and re-exports it (no failure entry).
          throw new TargetChangedError(`Target table ${entry.prepared.target.spec.tableName} disappeared; restarting to re-export it.`);
        }
        if (r.deltaLink || r.resumeLink) {
          // Columns added or removed at the source: backfill / rewrite the links, no re-export.
          const aligned = await alignLinks(dctx, entry.prepared.target, r);
          r = aligned.row;
          if (aligned.added.length) await retryFailedRecords(db, profileId, entry.pipeline, log);
        }
        if (!r.deltaLink || r.resumeLink) ranInitial = true;
        try {
          const s = await entry.pipeline.sync(r);
          if (s.reexported) ranInitial = true;
          accumulate(totals, r.logicalName, s);
        } catch (err) {
          if (isMissingPropertyError(err) && (r.deltaLink || r.resumeLink)) {
            // The saved link names an attribute the source no longer has: a schema change, not a crash.
            const changed = await refreshSchema(mctx, entry.prepared);
            if (changed) pipelines.set(row.logicalName, { prepared: changed, pipeline: makePipeline(changed) });
            else await updateTable(db, r.id, { ...REEXPORT("Schema changed at the source: re-exporting"), initialDone: 0 });
            log.warn(`${r.logicalName}: ${errorText(err)} — schema changed at the source; ${changed ? "links aligned next pass" : "re-exporting"}`);
            ranInitial = true;
            return;
          }
          if (classifyError(err) === "table" && !(await dest.tableExists(entry.prepared.target.spec.tableName))) {
            // Dropped under us: restart; the start-up check re-creates and re-exports it (no failure entry).
            throw new TargetChangedError(`Target table ${entry.prepared.target.spec.tableName} disappeared; restarting to re-export it.`);
          }
          if (classifyError(err) !== "table") throw err;
          await failTable(db, profileId, r.id, entry.pipeline.entity, err, "data");
          failedTables.set(r.logicalName, errorText(err));
          pipelines.delete(r.logicalName);
          scheduleRetry(r.logicalName);
          log.error(`${r.logicalName}: ${errorText(err)}`);
        }
      });
      if (dest.maintain) await maintainTarget(db, profileId, dest, pipelines);
      await lakeDb.afterCycle(written() > writtenBefore || ranInitial);
      await touchProfile(db, profileId, { state: "active", lastError: null });
      // --once: after an initial export, one more pass picks up what changed meanwhile.
      if (opts.once && !ranInitial) break;
      if (opts.signal.aborted) break;
      if (!opts.once) {
        try {
          await wait(intervalMs, opts.signal);
        } catch (err) {
          if (isAbort(err)) break;
          throw err;
        }
      }
    }
    if (opts.once) {
      await side.settle();
      await lakeDb.settle();
    }
    return await result(db, profileId, pipelines, failedTables, totals);
  } finally {
    await side?.close().catch(() => undefined);
    await dest.close().catch(() => undefined);
  }
}

/** After a cycle: the target's own upkeep (a lake's model.json and snapshots), with fresh table states. */
async function maintainTarget(db: Db, profileId: string, dest: Destination, pipelines: Map<string, { prepared: PreparedTable }>): Promise<void> {
  const p = await loadProfile(db, profileId);
  const states = new Map((p?.tables ?? []).map((t) => [t.logicalName, t.initialSyncState]));
  const progress = [...pipelines].map(([name, { prepared }]) => ({ spec: prepared.target.spec, initialSyncState: states.get(name) ?? "NotStarted" }));
  const stats = await dest.maintain!(progress);
  if (stats) await saveTargetStats(db, profileId, stats);
}

/** DES: a failed record is tried again when its table's schema changes. */
async function retryFailedRecords(db: Db, profileId: string, pipeline: TablePipeline, log: Logger): Promise<void> {
  const ids = [...(await loadFailedMarkers(db, profileId, pipeline.entity)).keys()];
  if (!ids.length) return;
  const r = await pipeline.resyncRecords(ids);
  log.info(`${pipeline.entity}: schema changed, failed records tried again: ${r.written.length} written, ${r.gone.length} gone, ${r.failed.length} still failing`);
}

function accumulate(totals: Map<string, RunSummary>, name: string, s: RunSummary): void {
  const t = totals.get(name);
  if (!t) totals.set(name, { ...s });
  else {
    t.upserts += s.upserts;
    t.deletes += s.deletes;
    t.failed += s.failed;
    t.skipped += s.skipped;
    t.pages += s.pages;
    t.reexported ||= s.reexported;
  }
}

async function result(
  db: Db,
  profileId: string,
  pipelines: Map<string, { prepared: PreparedTable }>,
  failedTables: Map<string, string>,
  totals: Map<string, RunSummary>,
): Promise<ProfileRunResult> {
  const p = await loadProfile(db, profileId);
  const tables: TableResult[] = (p?.tables ?? []).filter((t) => t.enabled).map((t) => {
    const s = totals.get(t.logicalName);
    return {
      logicalName: t.logicalName,
      tableName: pipelines.get(t.logicalName)?.prepared.target.spec.tableName ?? null,
      state: failedTables.has(t.logicalName) ? "Failed" : t.initialSyncState,
      upserts: s?.upserts ?? 0,
      deletes: s?.deletes ?? 0,
      failed: s?.failed ?? 0,
      skipped: s?.skipped ?? 0,
      error: failedTables.get(t.logicalName) ?? null,
    };
  });
  return { tables, anyTableFailed: tables.some((t) => t.state === "Failed") };
}
