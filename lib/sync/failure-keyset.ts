// Keyset paging over the failure log in (notificationTime, id) order — newest first for the viewer,
// oldest first for downloads and the CLI. Every combination of the equality filters (profile,
// table, change type) has an index ending in (notificationTime, id) (prisma/schema.prisma), so a
// page, a time range and a deep cursor all read one index range in order: no scan from the newest
// down, no sort. The cursor predicate is written as `t <= T AND (t < T OR id < I)` rather than an
// OR alone, so both SQLite and PostgreSQL use `t <= T` as the index range bound.
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

/** Entries strictly past `k` in `dir` order. */
export function beyond(k: FailureKey, dir: Direction): Prisma.FailureWhereInput {
  const t = k.notificationTime;
  return dir === "desc"
    ? { AND: [{ notificationTime: { lte: t } }, { OR: [{ notificationTime: { lt: t } }, { id: { lt: k.id } }] }] }
    : { AND: [{ notificationTime: { gte: t } }, { OR: [{ notificationTime: { gt: t } }, { id: { gt: k.id } }] }] };
}

/** Entries up to and including `k` in `dir` order. */
function upTo(k: FailureKey, dir: Direction): Prisma.FailureWhereInput {
  const t = k.notificationTime;
  return dir === "desc"
    ? { AND: [{ notificationTime: { gte: t } }, { OR: [{ notificationTime: { gt: t } }, { id: { gte: k.id } }] }] }
    : { AND: [{ notificationTime: { lte: t } }, { OR: [{ notificationTime: { lt: t } }, { id: { lte: k.id } }] }] };
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
    where: Prisma.FailureWhereInput;
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
  const { where, text, dir, limit, window = SEARCH_WINDOW, budgetMs = SEARCH_BUDGET_MS } = opts;
  const orderBy = ORDER[dir];
  const from = (k: FailureKey | null | undefined): Prisma.FailureWhereInput => (k ? { AND: [where, beyond(k, dir)] } : where);
  const full = (rows: FailureRow[]): KeysetPage => {
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { rows: page, next: { notificationTime: last.notificationTime, id: last.id }, partial: false };
  };
  if (!text) {
    const rows = await db.failure.findMany({ where: from(opts.after), orderBy, take: limit + 1, select: SELECT });
    return rows.length > limit ? full(rows) : { rows, next: null, partial: false };
  }
  const deadline = performance.now() + budgetMs;
  const rows: FailureRow[] = [];
  let after = opts.after ?? null;
  for (;;) {
    const scoped = from(after);
    // The last entry this step may read, found on the index alone (time and id are in it).
    const edge = await db.failure.findFirst({ where: scoped, orderBy, skip: window - 1, select: { id: true, notificationTime: true } });
    rows.push(...(await db.failure.findMany({ where: { AND: [scoped, text, ...(edge ? [upTo(edge, dir)] : [])] }, orderBy, take: limit + 1 - rows.length, select: SELECT })));
    if (rows.length > limit) return full(rows);
    if (!edge) return { rows, next: null, partial: false };
    after = edge;
    if (performance.now() >= deadline) return { rows, next: edge, partial: true };
  }
}
