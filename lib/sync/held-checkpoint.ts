// Checkpoints held back while a target stages writes (Destination.holdCommits: the data lake
// commits a few MB at a time instead of once per page). The rule stays "write, then checkpoint":
// the pages written since the last commit add up here, and their checkpoint — the newest links
// and the sum of the counters — is saved only after the target's commit has returned.
import type { Destination, TargetTableSpec } from "../destinations/types";
import type { Db } from "../db";
import { saveCheckpoint, type Checkpoint } from "./profile-store";

/** `b` after `a`: the later links and states, the counters summed, the latest change. */
export function mergeCheckpoint(a: Checkpoint | null, b: Checkpoint): Checkpoint {
  if (!a) return { ...b };
  const later = <K extends keyof Checkpoint>(k: K) => (b[k] !== undefined ? b[k] : a[k]);
  const sum = (k: "initialDoneInc" | "total" | "success" | "failure") => (a[k] ?? 0) + (b[k] ?? 0) || undefined;
  return {
    resumeLink: later("resumeLink"),
    deltaLink: later("deltaLink"),
    initialDoneInc: sum("initialDoneInc"),
    total: sum("total"),
    success: sum("success"),
    failure: sum("failure"),
    lastChangeAt: a.lastChangeAt && b.lastChangeAt ? (a.lastChangeAt > b.lastChangeAt ? a.lastChangeAt : b.lastChangeAt) : (b.lastChangeAt ?? a.lastChangeAt),
    initialSyncState: later("initialSyncState"),
    lastExportDate: later("lastExportDate"),
    lastError: later("lastError"),
    sweepPending: later("sweepPending"),
  };
}

export class HeldCheckpoint {
  private pending: Checkpoint | null = null;
  private readonly holds: boolean;

  constructor(
    private readonly db: Db,
    private readonly tableId: string,
    private readonly dest: Destination,
    private readonly spec: TargetTableSpec,
  ) {
    this.holds = typeof dest.holdCommits === "function" && typeof dest.commit === "function";
    if (this.holds) dest.holdCommits!(spec);
  }

  /**
   * The checkpoint of a page just written: saved now when the target does not hold commits, when
   * `now` (the last page, a sweep) or when the target says a commit is due; else added up.
   * Returns true when it was saved.
   */
  async add(c: Checkpoint, now = false): Promise<boolean> {
    this.pending = mergeCheckpoint(this.pending, c);
    if (this.holds && !now && !this.dest.commitDue?.(this.spec)) return false;
    await this.flush();
    return true;
  }

  /** Commits the target, then saves what is pending. */
  async flush(): Promise<void> {
    if (!this.pending) return;
    if (this.holds) await this.dest.commit!(this.spec);
    await saveCheckpoint(this.db, this.tableId, this.pending);
    this.pending = null;
  }

  /** Ends holding; whatever was not flushed is dropped by the target (its pages are read again). */
  release(): void {
    if (this.holds) this.dest.releaseCommits?.(this.spec);
  }
}
