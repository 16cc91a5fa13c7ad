// A profile's reconciliation: every (or the chosen) enabled table compared, one after another
// (one table's pages at a time share the organization's request budget with the delta loop),
// optionally repaired. Usable beside a running profile (the worker passes its own source, target
// and pipelines) or alone (CLI, chaos run: opens its own and closes them).
import type { Db } from "../../db";
import type { ChangeSource } from "../../dataverse/types";
import type { Destination } from "../../destinations/types";
import { decryptSecret } from "../../secrets";
import { selectFor, targetFor } from "../metadata-sync";
import { openTarget } from "../open-target";
import { loadProfile, type ProfileRow, type TableRow } from "../profile-store";
import { errorText, isAbort } from "../retry-policy";
import { createSource, type SourceFactory } from "../source-factory";
import { TablePipeline, silentLog, type Logger, type TableTarget } from "../table-pipeline";
import { failedResult, reconcileTable, type Repairer, type TableReconciliation } from "./reconcile-table";

export interface ProfileReconciliation {
  profileId: string;
  startedAt: Date;
  finishedAt: Date;
  durationMs: number;
  tables: TableReconciliation[];
  missing: number;
  extra: number;
  stale: number;
  /** Every table compared without error and without a difference. */
  equal: boolean;
}

export interface ReconcileTarget {
  logicalName: string;
  target: TableTarget;
  /** The pipeline that writes this table (repair goes through its write path). */
  pipeline?: TablePipeline;
  /** Set when the table could not be resolved (no target to compare). */
  error?: string;
}

export interface ReconcileRunOptions {
  repair?: boolean;
  signal?: AbortSignal;
  log?: Logger;
  /** Ids per page on both sides (default 5,000). */
  pageSize?: number;
  /** Called after each table (the worker stores results as they come). */
  onTable?: (r: TableReconciliation) => Promise<void> | void;
}

export function summarize(profileId: string, startedAt: Date, tables: TableReconciliation[]): ProfileReconciliation {
  const finishedAt = new Date();
  const sum = (k: "missing" | "extra" | "stale") => tables.reduce((n, t) => n + t[k], 0);
  const r = { missing: sum("missing"), extra: sum("extra"), stale: sum("stale") };
  return {
    profileId, startedAt, finishedAt, durationMs: finishedAt.getTime() - startedAt.getTime(), tables, ...r,
    equal: tables.every((t) => !t.error) && r.missing + r.extra + r.stale === 0,
  };
}

/** Compares (and repairs) the given tables with the given source and target. */
export async function reconcileTargets(
  profileId: string,
  source: ChangeSource,
  dest: Destination,
  targets: ReconcileTarget[],
  opts: ReconcileRunOptions = {},
): Promise<ProfileReconciliation> {
  const log = opts.log ?? silentLog;
  const startedAt = new Date();
  const results: TableReconciliation[] = [];
  for (const t of targets) {
    opts.signal?.throwIfAborted();
    const started = Date.now();
    let r: TableReconciliation;
    if (t.error) r = failedResult(t.logicalName, t.target.spec.entity, null, new Error(t.error), started);
    else {
      const pipeline = t.pipeline;
      const repair: Repairer | undefined = opts.repair && pipeline ? (ids, created) => pipeline.resyncRecords(ids, { created }) : undefined;
      try {
        r = await reconcileTable({ logicalName: t.logicalName, source, dest, target: t.target, repair, pageSize: opts.pageSize, signal: opts.signal });
      } catch (err) {
        if (isAbort(err) || opts.signal?.aborted) throw err;
        r = failedResult(t.logicalName, t.target.spec.entity, t.target.spec.tableName, err, started);
      }
    }
    log.info(`reconcile ${t.logicalName}: ${r.error ? `error: ${r.error}` : `${r.missing} missing, ${r.extra} extra, ${r.stale} stale of ${r.sourceCount} (${r.durationMs} ms)${r.repaired ? `, repaired ${r.repairedRows}${r.repairFailed ? `, ${r.repairFailed} still failing` : ""}` : ""}`}`);
    results.push(r);
    await opts.onTable?.(r);
  }
  return summarize(profileId, startedAt, results);
}

/** The source table and target table of each row, read-only (nothing is created or changed). */
export async function resolveTargets(source: ChangeSource, profile: ProfileRow, only?: string[]): Promise<ReconcileTarget[]> {
  const wanted = only?.length ? new Set(only.map((n) => n.toLowerCase())) : null;
  const rows = profile.tables.filter((t) => t.enabled && (!wanted || wanted.has(t.logicalName.toLowerCase())));
  const out: ReconcileTarget[] = [];
  let rels: Awaited<ReturnType<ChangeSource["listManyToMany"]>> | null = null;
  for (const row of rows) {
    try {
      const name = await sourceTableOf(row, async () => (rels ??= await source.listManyToMany()));
      const schema = await source.getTableSchema(name);
      out.push({ logicalName: row.logicalName, target: targetFor(row, schema, profile.prefix) });
    } catch (err) {
      const stub: TableTarget = {
        tableId: row.id, select: [],
        info: { logicalName: row.logicalName, schemaName: row.logicalName, entitySetName: "", primaryIdAttribute: "", displayName: row.logicalName, changeTrackingEnabled: false, isIntersect: false },
        spec: { entity: row.sourceName ?? row.logicalName, tableName: "", kind: row.kind, columns: [] },
      };
      out.push({ logicalName: row.logicalName, target: stub, error: errorText(err) });
    }
  }
  if (wanted) for (const n of wanted) if (!rows.some((r) => r.logicalName.toLowerCase() === n)) throw new Error(`The profile exports no table named '${n}'.`);
  return out;
}

async function sourceTableOf(row: TableRow, relationships: () => Promise<{ schemaName: string; intersectEntityName: string }[]>): Promise<string> {
  if (row.kind === "entity") return row.logicalName;
  if (row.sourceName) return row.sourceName;
  const rel = (await relationships()).find((r) => r.schemaName.toLowerCase() === row.logicalName.toLowerCase());
  if (!rel) throw new Error(`N:N relationship '${row.logicalName}' does not exist in this environment.`);
  return rel.intersectEntityName;
}

export interface ReconcileProfileOptions extends ReconcileRunOptions {
  /** Logical names; default every enabled table. */
  tables?: string[];
  sourceFactory?: SourceFactory;
  openTarget?: (p: ProfileRow) => Promise<Destination>;
}

/**
 * Reconciles a profile on its own (CLI, chaos run, tests): opens the organization's source and the
 * profile's target, compares every enabled table (or `tables`), repairs when asked, closes both.
 * Does not record the result; see runReconciliation for that.
 */
export async function reconcileProfile(db: Db, profileId: string, opts: ReconcileProfileOptions = {}): Promise<ProfileReconciliation> {
  const profile = await loadProfile(db, profileId);
  if (!profile) throw new Error(`Profile ${profileId} does not exist.`);
  const source = (opts.sourceFactory ?? createSource)(profile.organization);
  const dest = await (opts.openTarget ?? openProfileDestination)(profile);
  const signal = opts.signal ?? new AbortController().signal;
  try {
    const targets = await resolveTargets(source, profile, opts.tables);
    if (opts.repair) {
      for (const t of targets) {
        if (t.error) continue;
        // Columns added at the source since the last export: the repair writes them.
        await dest.ensureTable(t.target.spec);
        t.target = { ...t.target, select: selectFor(t.target.spec) };
        t.pipeline = new TablePipeline(
          {
            db, profileId, source, dest, log: opts.log ?? silentLog, signal, deleteLog: profile.writeDeleteLog,
            retry: { retryCount: profile.retryCount, retryIntervalMs: profile.retryIntervalSeconds * 1000 },
          },
          t.target,
        );
      }
    }
    return await reconcileTargets(profileId, source, dest, targets, { ...opts, signal });
  } finally {
    await dest.close().catch(() => undefined);
  }
}

function openProfileDestination(p: ProfileRow): Promise<Destination> {
  if (!p.destinationEnc) throw new Error(`Profile '${p.name}' has no target connection.`);
  return openTarget(decryptSecret(p.destinationEnc), { schemaName: p.schemaName, prefix: p.prefix });
}
