import "server-only";
// The failure log for the portal and the API: newest first with keyset paging on
// (notificationTime, id) — an index per filter combination keeps every page fast with a million
// entries (lib/sync/failure-keyset.ts) — and downloads in the old product's line format or as CSV.
import type { Actor } from "../auth/actor";
import type { Db } from "../db";
import type { Prisma } from "../generated/prisma/client";
import { assertProfileExists } from "./status";
import { csvField } from "../csv";
import { containsText } from "../store/text-match";
import { CSV_HEADER, formatCsv, formatDes } from "../sync/failure-log";
import { decodeKey, encodeKey, failurePage, type FailureKey, type KeysetPage, type TimeRange } from "../sync/failure-keyset";
import { parseInput } from "../validation";
import { ZFailureDownload, ZFailureQuery } from "./schemas";

export interface FailureLogEntry {
  id: number;
  profileId: string;
  profileName: string;
  entity: string;
  recordId: string;
  notificationTime: string;
  changeType: string;
  reason: string;
}

export interface FailurePage {
  entries: FailureLogEntry[];
  nextCursor: string | null;
  /**
   * Set when a text search spent its time budget before filling the page: it searched back to this
   * instant (ISO), and older entries are still to be searched from `nextCursor` (the viewer goes on
   * by itself). Null otherwise.
   */
  searchedTo: string | null;
}

type Filters = { profileId?: string; entity?: string; changeType?: string; from?: Date; to?: Date; search?: string };
type Filter = { where: Prisma.FailureWhereInput; range: TimeRange; text?: Prisma.FailureWhereInput };

/** A record's failures looked up first by the recordId index, when there are at most this many. */
const RECORD_IDS = 1000;

/** The indexed filters (profile, table, change type, time range, record id) and the text search apart. */
async function filterOf(db: Db, f: Filters): Promise<Filter> {
  const search = f.search?.trim();
  const where: Prisma.FailureWhereInput = {
    ...(f.profileId ? { profileId: f.profileId } : {}),
    ...(f.entity ? { entity: f.entity.toLowerCase() } : {}),
    ...(f.changeType ? { changeType: f.changeType } : {}),
  };
  // The time range apart: failurePage merges it with the cursor into one bound each way.
  const range: TimeRange = { from: f.from, to: f.to };
  if (!search) return { where, range };
  // A record id goes to the recordId index alone: OR-ing it with a reason scan would read every row.
  // Its entries are found first and the other filters applied to those ids: given `recordId = ?`
  // beside a table and a change type, SQLite's planner may walk the (table, change type) index.
  if (GUID.test(search)) {
    const recordId = search.replace(/[{}]/g, "").toLowerCase();
    const ids = await db.failure.findMany({ where: { recordId }, select: { id: true }, take: RECORD_IDS + 1 });
    return { where: { ...where, ...(ids.length > RECORD_IDS ? { recordId } : { id: { in: ids.map((r) => r.id) } }) }, range };
  }
  // Other text searches the reasons (and ids, for "N/A"), a bounded window per page.
  return { where, range, text: { OR: [{ recordId: search }, { reason: containsText(db, search) }] } };
}

const GUID = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;

export async function queryFailures(db: Db, _actor: Actor, query: unknown): Promise<FailurePage> {
  const q = parseInput(ZFailureQuery, query ?? {});
  if (q.profileId) await assertProfileExists(db, q.profileId);
  const { rows, next, partial } = await failurePage(db, { ...(await filterOf(db, q)), dir: "desc", after: q.cursor ? decodeKey(q.cursor) : null, limit: q.limit });
  return {
    entries: rows.map((r) => ({
      id: r.id,
      profileId: r.profileId,
      profileName: r.profile.name,
      entity: r.entity,
      recordId: r.recordId,
      notificationTime: r.notificationTime.toISOString(),
      changeType: r.changeType,
      reason: r.reason,
    })),
    nextCursor: next ? encodeKey(next) : null,
    searchedTo: partial && next ? next.notificationTime.toISOString() : null,
  };
}

/**
 * The log as lines, oldest first like the old product's file: `des` lines, or CSV with a header
 * (plus a Profile column when the download spans every profile).
 */
export async function failureLines(db: Db, _actor: Actor, input: unknown): Promise<AsyncIterable<string>> {
  const q = parseInput(ZFailureDownload, input ?? {});
  if (q.profileId) await assertProfileExists(db, q.profileId);
  const filter = await filterOf(db, q);
  const allProfiles = !q.profileId;
  return (async function* () {
    if (q.format === "csv") yield allProfiles ? `Profile,${CSV_HEADER}` : CSV_HEADER;
    let after: FailureKey | null = null;
    do {
      // Steps of a text search go on until a page is full: a download has no answer-time budget.
      const page: KeysetPage = await failurePage(db, { ...filter, dir: "asc", after, limit: 1000, budgetMs: Infinity });
      for (const r of page.rows) {
        if (q.format === "des") yield formatDes(r);
        else yield allProfiles ? `${csvField(r.profile.name)},${formatCsv(r)}` : formatCsv(r);
      }
      after = page.next;
    } while (after);
  })();
}
