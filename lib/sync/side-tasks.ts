// Work a profile's runner does BESIDE its delta loop, never inside a cycle: re-sync of failed
// records and reconciliation (asked for, or due on the schedule). They share the runner's source
// (one Dataverse client: its request budget and 429 back-off) and target, and the pipelines' write
// path. A long task never delays a delta; a failed one is logged and tried again after a backoff.
import type { Db } from "../db";
import type { ChangeSource } from "../dataverse/types";
import type { Destination } from "../destinations/types";
import { reconcileTargets, type ReconcileTarget } from "./reconcile/reconcile-profile";
import { scheduleIfDue } from "./reconcile/schedule";
import {
  failReconciliation, finishReconciliation, markReconcileRunning, nextReconcileRequest, requeueInterrupted, saveTableResult,
} from "./reconcile/store";
import { resyncFailedRecords } from "./resync-failed";
import { backoffDelayMs, errorText, isAbort } from "./retry-policy";
import type { Logger, TablePipeline } from "./table-pipeline";

export interface SideTaskContext {
  db: Db;
  profileId: string;
  source: ChangeSource;
  dest: Destination;
  log: Logger;
  /** The pipelines the runner writes with, by table logical name (read at the time a task needs them). */
  pipelines: () => Map<string, TablePipeline>;
  /** Tables that could not be exported, with the reason. */
  failedTables: () => Map<string, string>;
  /** Ids per page for reconciliation (default 5,000). */
  pageSize?: number;
  now?: () => Date;
}

type Kind = "resync" | "reconcile";

export class SideTasks {
  private readonly running = new Map<Kind, Promise<void>>();
  private readonly notBefore = new Map<Kind, number>();
  private readonly failures = new Map<Kind, number>();
  private readonly stop = new AbortController();
  private requeued = false;

  constructor(private readonly ctx: SideTaskContext) {}

  private timer: NodeJS.Timeout | null = null;

  /** Polls the store every `everyMs` for requests, independently of the delta cycle. */
  startPolling(everyMs: number): void {
    const tick = () => {
      this.timer = null;
      this.poll()
        .catch((err) => this.ctx.log.warn(`side tasks: ${errorText(err)}`))
        .finally(() => {
          if (!this.stop.signal.aborted) this.timer = setTimeout(tick, everyMs);
        });
    };
    tick();
  }

  /** Starts what is asked for and not already running; returns once started. */
  async poll(): Promise<void> {
    if (this.stop.signal.aborted) return;
    const profile = await this.ctx.db.profile.findUnique({ where: { id: this.ctx.profileId }, select: { resyncFailedRequested: true } });
    if (!profile) return;
    if (!this.requeued) {
      this.requeued = true;
      const n = await requeueInterrupted(this.ctx.db, this.ctx.profileId);
      if (n) this.ctx.log.info(`reconciliation interrupted earlier: queued again`);
    }
    if (profile.resyncFailedRequested) this.start("resync", () => this.resync());
    if (!this.running.has("reconcile")) {
      await scheduleIfDue(this.ctx.db, this.ctx.profileId, this.ctx.now?.() ?? new Date());
      const req = await nextReconcileRequest(this.ctx.db, this.ctx.profileId);
      if (req) this.start("reconcile", () => this.reconcile(req.id, req.tables, req.repair));
    }
  }

  /** Waits for the running tasks to finish (CLI --once). */
  async settle(): Promise<void> {
    await Promise.all(this.running.values());
  }

  /** Stops the tasks (the runner is stopping or restarting) and waits for them. */
  async close(): Promise<void> {
    this.stop.abort();
    if (this.timer) clearTimeout(this.timer);
    await this.settle();
  }

  private start(kind: Kind, fn: () => Promise<void>): void {
    if (this.running.has(kind) || Date.now() < (this.notBefore.get(kind) ?? 0)) return;
    const task = fn()
      .then(() => {
        this.failures.delete(kind);
      })
      .catch((err) => {
        if (isAbort(err) || this.stop.signal.aborted) return;
        const attempt = (this.failures.get(kind) ?? 0) + 1;
        this.failures.set(kind, attempt);
        const delay = backoffDelayMs(err, attempt);
        this.notBefore.set(kind, Date.now() + delay);
        this.ctx.log.warn(`${kind === "resync" ? "re-sync of failed records" : "reconciliation"}: ${errorText(err)} — trying again in ${(delay / 1000).toFixed(1)} s`);
      })
      .finally(() => this.running.delete(kind));
    this.running.set(kind, task);
  }

  private async resync(): Promise<void> {
    const byEntity = new Map<string, TablePipeline>();
    for (const p of this.ctx.pipelines().values()) byEntity.set(p.entity, p);
    await resyncFailedRecords(this.ctx.db, this.ctx.profileId, (e) => byEntity.get(e), { log: this.ctx.log, signal: this.stop.signal });
  }

  private async reconcile(id: string, tables: string[] | null, repair: boolean): Promise<void> {
    const { db, log } = this.ctx;
    const startedAt = new Date();
    await markReconcileRunning(db, id);
    try {
      const pipelines = this.ctx.pipelines();
      const failed = this.ctx.failedTables();
      const names = tables ?? [...new Set([...pipelines.keys(), ...failed.keys()])].sort();
      const targets: ReconcileTarget[] = names.map((name) => {
        const key = [...pipelines.keys()].find((k) => k.toLowerCase() === name.toLowerCase());
        const pipeline = key ? pipelines.get(key) : undefined;
        if (pipeline) return { logicalName: key!, target: pipeline.target, pipeline };
        const reason = [...failed.entries()].find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
        return {
          logicalName: name,
          target: { tableId: "", select: [], info: { logicalName: name, schemaName: name, entitySetName: "", primaryIdAttribute: "", displayName: name, changeTrackingEnabled: false, isIntersect: false }, spec: { entity: name, tableName: "", kind: "entity", columns: [] } },
          error: reason ? `the table is not being exported: ${reason}` : `the profile exports no table named '${name}'`,
        };
      });
      log.info(`reconciliation${repair ? " with repair" : ""} of ${targets.length} table(s) started`);
      const result = await reconcileTargets(this.ctx.profileId, this.ctx.source, this.ctx.dest, targets, {
        repair, signal: this.stop.signal, log, pageSize: this.ctx.pageSize, onTable: (t) => saveTableResult(db, id, t),
      });
      await finishReconciliation(db, id, result);
      log.info(`reconciliation done in ${result.durationMs} ms: ${result.missing} missing, ${result.extra} extra, ${result.stale} stale`);
    } catch (err) {
      // Stopped: left "running", so the next runner queues it again. Anything else is recorded.
      if (isAbort(err) || this.stop.signal.aborted) throw err;
      await failReconciliation(db, id, errorText(err), startedAt);
      throw err;
    }
  }
}
