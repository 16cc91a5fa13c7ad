import "server-only";
// The failure log for the portal and the API: newest first with keyset paging on the id (the
// (profileId, id) and (profileId, entity, id) indexes keep a page fast with a million entries),
// and downloads in the old product's line format or as CSV.
import type { Actor } from "../auth/actor";
import type { Db } from "../db";
import type { Prisma } from "../generated/prisma/client";
import { assertProfileExists } from "./status";
import { csvField } from "../csv";
import { containsText } from "../store/text-match";
import { CSV_HEADER, formatCsv, formatDes } from "../sync/failure-log";
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
}

type Filters = { profileId?: string; entity?: string; changeType?: string; from?: Date; to?: Date; search?: string };

function whereOf(db: Db, f: Filters): Prisma.FailureWhereInput {
  const search = f.search?.trim();
  return {
    ...(f.profileId ? { profileId: f.profileId } : {}),
    ...(f.entity ? { entity: f.entity.toLowerCase() } : {}),
    ...(f.changeType ? { changeType: f.changeType } : {}),
    ...(f.from || f.to ? { notificationTime: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lte: f.to } : {}) } } : {}),
    ...(search ? searchWhere(db, search) : {}),
  };
}

const GUID = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;

/**
 * A record id goes to the recordId index alone: OR-ing it with a reason scan would read every row
 * (half a second at a million entries). Other text searches the reasons (and ids, for "N/A").
 */
function searchWhere(db: Db, search: string): Prisma.FailureWhereInput {
  if (GUID.test(search)) return { recordId: search.replace(/[{}]/g, "").toLowerCase() };
  return { OR: [{ recordId: search }, { reason: containsText(db, search) }] };
}

export async function queryFailures(db: Db, _actor: Actor, query: unknown): Promise<FailurePage> {
  const q = parseInput(ZFailureQuery, query ?? {});
  if (q.profileId) await assertProfileExists(db, q.profileId);
  const rows = await db.failure.findMany({
    where: { ...whereOf(db, q), ...(q.cursor ? { id: { lt: Number(q.cursor) } } : {}) },
    orderBy: { id: "desc" },
    take: q.limit + 1,
    select: { id: true, profileId: true, entity: true, recordId: true, notificationTime: true, changeType: true, reason: true, profile: { select: { name: true } } },
  });
  const page = rows.slice(0, q.limit);
  return {
    entries: page.map((r) => ({
      id: r.id,
      profileId: r.profileId,
      profileName: r.profile.name,
      entity: r.entity,
      recordId: r.recordId,
      notificationTime: r.notificationTime.toISOString(),
      changeType: r.changeType,
      reason: r.reason,
    })),
    nextCursor: rows.length > q.limit ? String(page[page.length - 1].id) : null,
  };
}

/**
 * The log as lines, oldest first like the old product's file: `des` lines, or CSV with a header
 * (plus a Profile column when the download spans every profile).
 */
export async function failureLines(db: Db, _actor: Actor, input: unknown): Promise<AsyncIterable<string>> {
  const q = parseInput(ZFailureDownload, input ?? {});
  if (q.profileId) await assertProfileExists(db, q.profileId);
  const where = whereOf(db, q);
  const allProfiles = !q.profileId;
  return (async function* () {
    if (q.format === "csv") yield allProfiles ? `Profile,${CSV_HEADER}` : CSV_HEADER;
    let after = 0;
    for (;;) {
      const rows = await db.failure.findMany({
        where: { ...where, id: { gt: after } },
        orderBy: { id: "asc" },
        take: 1000,
        select: { id: true, entity: true, recordId: true, notificationTime: true, changeType: true, reason: true, profile: { select: { name: true } } },
      });
      for (const r of rows) {
        if (q.format === "des") yield formatDes(r);
        else yield allProfiles ? `${csvField(r.profile.name)},${formatCsv(r)}` : formatCsv(r);
      }
      if (rows.length < 1000) return;
      after = rows[rows.length - 1].id;
    }
  })();
}

