// One table: the source's (id, version) listing against the target's, sort-merged; the
// differences counted with a few sample ids, and — when asked — repaired in batches as they are
// found (missing and stale rows re-fetched and written, extra rows deleted when the source
// confirms they are gone).
import type { ChangeSource } from "../../dataverse/types";
import type { Destination } from "../../destinations/types";
import type { TableTarget } from "../table-pipeline";
import { errorText } from "../retry-policy";
import { mergeIdStreams, type Diff, type DiffKind } from "./merge";

export const SAMPLE_SIZE = 5;
/** Differences repaired per batch (the fetch itself goes 200 ids a request). */
export const REPAIR_BATCH = 1000;

export interface RepairOutcome {
  written: string[];
  gone: string[];
  failed: string[];
}

/**
 * Re-syncs records by id from the source (TablePipeline.resyncRecords): written when they exist,
 * deleted (DeleteLog) when gone. `created` holds the ids the target lacks.
 */
export type Repairer = (ids: string[], created: ReadonlySet<string>) => Promise<RepairOutcome>;

export interface TableReconciliation {
  logicalName: string;
  /** Source (or intersect) table read. */
  entity: string;
  tableName: string | null;
  sourceCount: number;
  targetCount: number;
  missing: number;
  extra: number;
  stale: number;
  samples: Record<DiffKind, string[]>;
  durationMs: number;
  repaired: boolean;
  /** Rows written or deleted by the repair. */
  repairedRows: number;
  /** Rows the target still refused (they are in the failure log). */
  repairFailed: number;
  /** Set when the table could not be compared; counts are then partial. */
  error: string | null;
}

export interface ReconcileTableInput {
  logicalName: string;
  source: ChangeSource;
  dest: Destination;
  target: TableTarget;
  /** Omit to only compare. */
  repair?: Repairer;
  pageSize?: number;
  signal?: AbortSignal;
  sampleSize?: number;
  repairBatch?: number;
}

export function emptyResult(logicalName: string, entity: string, tableName: string | null): TableReconciliation {
  return {
    logicalName, entity, tableName, sourceCount: 0, targetCount: 0, missing: 0, extra: 0, stale: 0,
    samples: { missing: [], extra: [], stale: [] }, durationMs: 0, repaired: false, repairedRows: 0, repairFailed: 0, error: null,
  };
}

export async function reconcileTable(input: ReconcileTableInput): Promise<TableReconciliation> {
  const started = Date.now();
  const { source, dest, target } = input;
  const result = emptyResult(input.logicalName, target.spec.entity, target.spec.tableName);
  if (!source.readIdVersions) throw new Error("This source cannot list ids and versions, so it cannot be reconciled.");
  const sampleSize = input.sampleSize ?? SAMPLE_SIZE;
  const batchSize = input.repairBatch ?? REPAIR_BATCH;
  let batch: string[] = [];
  let created = new Set<string>();
  const flush = async () => {
    if (!input.repair || batch.length === 0) return;
    const out = await input.repair(batch, created);
    result.repairedRows += out.written.length + out.gone.length;
    result.repairFailed += out.failed.length;
    batch = [];
    created = new Set();
  };
  const onDiff = async (d: Diff) => {
    if (result.samples[d.kind].length < sampleSize) result.samples[d.kind].push(d.id);
    if (!input.repair) return;
    batch.push(d.id);
    if (d.kind === "missing") created.add(d.id);
    if (batch.length >= batchSize) await flush();
  };
  const counts = await mergeIdStreams(
    source.readIdVersions(target.info, { pageSize: input.pageSize, signal: input.signal }),
    dest.scanIdVersions(target.spec, { pageSize: input.pageSize, signal: input.signal }),
    onDiff,
  );
  await flush();
  Object.assign(result, {
    sourceCount: counts.source, targetCount: counts.target, missing: counts.missing, extra: counts.extra, stale: counts.stale,
    repaired: Boolean(input.repair), durationMs: Date.now() - started,
  });
  return result;
}

/** A table that could not be compared (not resolvable, table missing at the source, …). */
export function failedResult(logicalName: string, entity: string, tableName: string | null, err: unknown, started: number): TableReconciliation {
  return { ...emptyResult(logicalName, entity, tableName), error: errorText(err), durationMs: Date.now() - started };
}
