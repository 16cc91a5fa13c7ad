// The write-only failure log: entries are appended, never edited or removed (DES semantics), and
// printed in the old product's line format, as CSV or as JSON lines.
import type { Db } from "../db";
import { csvRow } from "../csv";
import { failurePage, type FailureKey } from "./failure-keyset";

export type ChangeType = "New" | "Update" | "Delete" | "Trigger Initial Export";

export interface FailureEntry {
  id: number;
  entity: string;
  /** "N/A" for table-level failures. */
  recordId: string;
  notificationTime: Date;
  changeType: ChangeType | string;
  reason: string;
}

export const NA = "N/A";

/** Appends one entry. The only write the engine ever makes to Failure. */
export async function appendFailure(
  db: Db,
  profileId: string,
  e: { entity: string; recordId?: string | null; changeType: ChangeType; reason: string; at?: Date },
): Promise<void> {
  await db.failure.create({
    data: {
      profileId,
      entity: e.entity,
      recordId: e.recordId || NA,
      changeType: e.changeType,
      reason: oneLine(e.reason),
      notificationTime: e.at ?? new Date(),
    },
  });
}

function oneLine(s: string): string {
  const flat = s.replace(/\s*[\r\n]+\s*/g, " ").trim();
  return flat.length > 4000 ? `${flat.slice(0, 3997)}...` : flat;
}

/** DES NotificationTime: `M/D/YYYY h:mm:ss AM/PM` in UTC, e.g. `8/31/2016 6:50:38 PM`. */
export function formatNotificationTime(d: Date): string {
  const h24 = d.getUTCHours();
  const h12 = h24 % 12 === 0 ? 12 : h24 % 12;
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h24 < 12 ? "AM" : "PM"}`;
}

/** One line exactly as the Data Export Service wrote it. */
export function formatDes(e: Omit<FailureEntry, "id">): string {
  return `Entity: ${e.entity}, RecordId: ${e.recordId}, NotificationTime: ${formatNotificationTime(e.notificationTime)}, ChangeType: ${e.changeType}, FailureReason: ${e.reason}`;
}

export const CSV_HEADER = "Entity,RecordId,NotificationTime,ChangeType,FailureReason";

export function formatCsv(e: Omit<FailureEntry, "id">): string {
  return csvRow([e.entity, e.recordId, e.notificationTime.toISOString(), e.changeType, e.reason]);
}

export function formatJson(e: FailureEntry): string {
  return JSON.stringify({
    id: e.id,
    entity: e.entity,
    recordId: e.recordId,
    notificationTime: e.notificationTime.toISOString(),
    changeType: e.changeType,
    reason: e.reason,
  });
}

export type FailureFormat = "des" | "csv" | "json";

/**
 * Keyset paging over one profile's log, oldest first: pass the `nextAfter` of the previous page as
 * `after`. `entity` narrows to one table.
 */
export async function listFailures(
  db: Db,
  profileId: string,
  opts: { after?: FailureKey; limit?: number; entity?: string } = {},
): Promise<{ entries: FailureEntry[]; nextAfter: FailureKey | null }> {
  const limit = Math.max(1, Math.min(opts.limit ?? 100, 5000));
  const { rows, next } = await failurePage(db, { where: { profileId, ...(opts.entity ? { entity: opts.entity } : {}) }, dir: "asc", after: opts.after, limit });
  const entries = rows.map(({ id, entity, recordId, notificationTime, changeType, reason }) => ({ id, entity, recordId, notificationTime, changeType, reason }));
  return { entries, nextAfter: next };
}

/** Streams the whole log in a format, page by page (for downloads and the CLI). */
export async function* exportFailures(db: Db, profileId: string, format: FailureFormat): AsyncGenerator<string> {
  if (format === "csv") yield CSV_HEADER;
  let after: FailureKey | undefined;
  for (;;) {
    const { entries, nextAfter } = await listFailures(db, profileId, { after, limit: 1000 });
    for (const e of entries) yield format === "des" ? formatDes(e) : format === "csv" ? formatCsv(e) : formatJson(e);
    if (nextAfter === null) return;
    after = nextAfter;
  }
}
