// Keyset paging over the failure log in (notificationTime, id) order — newest first for the viewer,
// oldest first for downloads and the CLI. Every combination of the equality filters (profile,
// table, change type) has an index ending in (notificationTime, id) (prisma/schema.prisma), so a
// page, a time range and a deep cursor all read one index range in order: no scan from the newest
// down, no sort. The cursor predicate is written as `t <= T AND (t < T OR id < I)` rather than an
// OR alone, so both SQLite and PostgreSQL use `t <= T` as the index range bound.
//
// Each query gives the time column ONE lower and ONE upper bound: the tighter of the time range
// and the cursor (or a search step's edge), merged here. SQLite uses only one `>=` and one `<=` of a
// column as the range of an index; given both `t >= from` and `t >= edge` it took the time range's
// and read every entry down to `from` on each search step (a 1M log, a time range and a deep page:
// ~125,000 entries a step instead of 2,000).
//
// A text search of the reasons cannot use a B-tree index; a page that searches text reads steps of
// `window` entries (in index order, under the other filters) until the page is full or its time
// budget is spent, and then says so (`partial`) and returns a cursor to go on from: each answer
// stays bounded at any size of log, and the viewer goes on by itself.
import type { Db } from "../db";
import type { Prisma } from "../generated/prisma/client";

export type Direction = "asc" | "desc";

export interface FailureKey {
  notificationTime: Date;
  id: number;
}

export interface FailureRow extends FailureKey {
  profileId: string;
  entity: string;
  recordId: string;
  changeType: string;
  reason: string;
  profile: { name: string };
}

/** Entries one step of a text search reads (a few ms on either store)… */
export const SEARCH_WINDOW = 2_000;
/** …and it takes further steps for a page while under this time. */
export const SEARCH_BUDGET_MS = 25;

const ORDER: Record<Direction, Prisma.FailureOrderByWithRelationInput[]> = {
  desc: [{ notificationTime: "desc" }, { id: "desc" }],
  asc: [{ notificationTime: "asc" }, { id: "asc" }],
};

const SELECT = {
  id: true,
  profileId: true,
  entity: true,
  recordId: true,
  notificationTime: true,
  changeType: true,
  reason: true,
  profile: { select: { name: true } },
} satisfies Prisma.FailureSelect;

export interface TimeRange {
  from?: Date;
  to?: Date;
}

const later = (a: Date, b: Date) => a.getTime() > b.getTime();

/**
 * Entries strictly past `after` and up to and including `until` in `dir` order, within `range`: one
 * lower and one upper bound on the time column, each the tighter of the range's and the key's.
 */
export function span(dir: Direction, range: TimeRange, after: FailureKey | null, until: FailureKey | null): Prisma.FailureWhereInput {
  const [start, end] = dir === "desc" ? [range.to, range.from] : [range.from, range.to];
  // In `dir` order: does `a` come after `b`?
  const past = (a: Date, b: Date) => (dir === "desc" ? later(b, a) : later(a, b));
  const t: Prisma.DateTimeFilter = {};
  const ties: Prisma.FailureWhereInput[] = [];
  const [open, close] = dir === "desc" ? (["lte", "gte"] as const) : (["gte", "lte"] as const);
  if (after && !(start && past(start, after.notificationTime))) {
    t[open] = after.notificationTime;
    const k = after.notificationTime;
    ties.push(dir === "desc" ? { OR: [{ notificationTime: { lt: k } }, { id: { lt: after.id } }] } : { OR: [{ notificationTime: { gt: k } }, { id: { gt: after.id } }] });
  } else if (start) t[open] = start;
  if (until && !(end && past(until.notificationTime, end))) {
    t[close] = until.notificationTime;
    const k = until.notificationTime;
    ties.push(dir === "desc" ? { OR: [{ notificationTime: { gt: k } }, { id: { gte: until.id } }] } : { OR: [{ notificationTime: { lt: k } }, { id: { lte: until.id } }] });
  } else if (end) t[close] = end;
  const bound: Prisma.FailureWhereInput[] = Object.keys(t).length ? [{ notificationTime: t }] : [];
  return { AND: [...bound, ...ties] };
}

/** `<epoch ms>.<id>`: opaque to clients. */
export function encodeKey(k: FailureKey): string {
  return `${k.notificationTime.getTime()}.${k.id}`;
}

export function decodeKey(cursor: string): FailureKey {
  const [ms, id] = cursor.split(".").map(Number);
  return { notificationTime: new Date(ms), id };
}

export interface KeysetPage {
  rows: FailureRow[];
  /** Where the next page starts (exclusive); null at the end of the log. */
  next: FailureKey | null;
  /** True when a text search stopped at its window with fewer than `limit` matches. */
  partial: boolean;
}

export async function failurePage(
  db: Db,
  opts: {
    /** The equality filters (not the time column: that is `range`). */
    where: Prisma.FailureWhereInput;
    range?: TimeRange;
    text?: Prisma.FailureWhereInput;
    dir: Direction;
    after?: FailureKey | null;
    limit: number;
    /** Entries one text-search step reads at most (default SEARCH_WINDOW). */
    window?: number;
    /** A text search takes further steps while under this many ms (default SEARCH_BUDGET_MS). */
    budgetMs?: number;
  },
): Promise<KeysetPage> {
  const { where, range = {}, text, dir, limit, window = SEARCH_WINDOW, budgetMs = SEARCH_BUDGET_MS } = opts;
  const orderBy = ORDER[dir];
  const between = (after: FailureKey | null, until: FailureKey | null): Prisma.FailureWhereInput => ({ AND: [where, span(dir, range, after, until)] });
  const full = (rows: FailureRow[]): KeysetPage => {
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { rows: page, next: { notificationTime: last.notificationTime, id: last.id }, partial: false };
  };
  if (!text) {
    const rows = await db.failure.findMany({ where: between(opts.after ?? null, null), orderBy, take: limit + 1, select: SELECT });
    return rows.length > limit ? full(rows) : { rows, next: null, partial: false };
  }
  const deadline = performance.now() + budgetMs;
  const rows: FailureRow[] = [];
  let after = opts.after ?? null;
  for (;;) {
    // The last entry this step may read, found on the index alone (time and id are in it).
    const edge = await db.failure.findFirst({ where: between(after, null), orderBy, skip: window - 1, select: { id: true, notificationTime: true } });
    rows.push(...(await db.failure.findMany({ where: { AND: [between(after, edge), text] }, orderBy, take: limit + 1 - rows.length, select: SELECT })));
    if (rows.length > limit) return full(rows);
    if (!edge) return { rows, next: null, partial: false };
    after = edge;
    if (performance.now() >= deadline) return { rows, next: edge, partial: true };
  }
}
