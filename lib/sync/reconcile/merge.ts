// The sort-merge at the heart of reconciliation: two streams of (id, version) pages, both in SQL
// Server's uniqueidentifier order, walked side by side. Memory is a page per side (plus one read
// ahead), never a set of every id. A stream out of order is an error, not a wrong report.
import { sqlGuidSortKey } from "../../dataverse/sql-guid-order";
import type { IdVersion } from "../../dataverse/types";
import { prefetchOne } from "../prefetch";

export type DiffKind = "missing" | "extra" | "stale";

export interface Diff {
  kind: DiffKind;
  id: string;
  /** Source version (missing, stale). */
  sourceVersion?: string | null;
  /** Target version (extra, stale). */
  targetVersion?: string | null;
}

export interface MergeCounts {
  source: number;
  target: number;
  missing: number;
  extra: number;
  stale: number;
}

export class OrderError extends Error {
  constructor(side: "source" | "target", prev: string, next: string) {
    super(`The ${side} listed id ${next} after ${prev}: not in SQL Server's uniqueidentifier order (or listed twice), so the comparison cannot be trusted. Nothing was repaired.`);
    this.name = "OrderError";
  }
}

/** Walks a page stream row by row, checking the order as it goes. */
class Cursor {
  private readonly it: AsyncIterator<IdVersion[]>;
  private page: IdVersion[] = [];
  private i = 0;
  private lastKey = "";
  row: IdVersion | null = null;
  key = "";
  count = 0;

  constructor(private readonly side: "source" | "target", pages: AsyncIterable<IdVersion[]>) {
    this.it = prefetchOne(pages)[Symbol.asyncIterator]();
  }

  async advance(): Promise<void> {
    while (this.i >= this.page.length) {
      const r = await this.it.next();
      if (r.done) {
        this.row = null;
        return;
      }
      this.page = r.value;
      this.i = 0;
    }
    const row = this.page[this.i++];
    const key = sqlGuidSortKey(row.id);
    if (this.count > 0 && key <= this.lastKey) throw new OrderError(this.side, this.row?.id ?? "", row.id);
    this.lastKey = key;
    this.row = row;
    this.key = key;
    this.count++;
  }

  async close(): Promise<void> {
    await this.it.return?.(undefined);
  }
}

/**
 * Compares the source's and the target's (id, version) streams. `onDiff` sees every difference in
 * id order and may await (repair in batches); the merge waits for it.
 */
export async function mergeIdStreams(
  source: AsyncIterable<IdVersion[]>,
  target: AsyncIterable<IdVersion[]>,
  onDiff: (d: Diff) => void | Promise<void>,
): Promise<MergeCounts> {
  const s = new Cursor("source", source);
  const t = new Cursor("target", target);
  const counts: MergeCounts = { source: 0, target: 0, missing: 0, extra: 0, stale: 0 };
  try {
    await Promise.all([s.advance(), t.advance()]);
    while (s.row || t.row) {
      if (s.row && (!t.row || s.key < t.key)) {
        counts.missing++;
        await onDiff({ kind: "missing", id: s.row.id, sourceVersion: s.row.version });
        await s.advance();
      } else if (t.row && (!s.row || t.key < s.key)) {
        counts.extra++;
        await onDiff({ kind: "extra", id: t.row.id, targetVersion: t.row.version });
        await t.advance();
      } else {
        if (s.row!.version !== t.row!.version) {
          counts.stale++;
          await onDiff({ kind: "stale", id: s.row!.id, sourceVersion: s.row!.version, targetVersion: t.row!.version });
        }
        await Promise.all([s.advance(), t.advance()]);
      }
    }
    counts.source = s.count;
    counts.target = t.count;
    return counts;
  } finally {
    await Promise.all([s.close().catch(() => undefined), t.close().catch(() => undefined)]);
  }
}
