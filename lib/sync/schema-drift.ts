// Columns added or removed at the source, without re-exporting the table. A saved link (a delta
// link, or a paging link of an unfinished initial export) carries the `$select` it was issued
// for, so it says exactly which attributes the target has been fed; the current schema says which
// it should be fed. Compared at every cycle (string work only, unless they differ):
// - added attributes: backfilled — one read of the table with only the new attributes (the id and
//   row version come with every record), an UPDATE of those columns on existing rows (version-
//   guarded) — then the link's `$select` is widened. Rows changed after the link's token come
//   again through the delta, now with every column. Crash-safe: the link changes only after the
//   backfill, so an interrupted one runs again.
// - removed attributes: the link's `$select` drops them. Dataverse refuses a link naming a
//   property that no longer exists (0x80060888 "Could not find a property named …"); the token
//   itself is a version stamp and stays valid, so nothing is re-read. The target column is kept
//   (DES never dropped one) and stays null for rows written from then on.
import type { ChangeSource } from "../dataverse/types";
import type { Db } from "../db";
import type { Destination } from "../destinations/types";
import { updateTable, type TableRow } from "./profile-store";
import type { Logger, TableTarget } from "./table-pipeline";

const SELECT_PARAM = /([?&])\$select=([^&#]*)/;

/** The attributes a saved link reads, or null when it carries no `$select`. */
export function linkSelect(link: string): string[] | null {
  const m = SELECT_PARAM.exec(link);
  if (!m) return null;
  return decodeURIComponent(m[2]).split(",").map((a) => a.trim()).filter(Boolean);
}

/** The same link reading `select` instead (the token and paging state are untouched). */
export function withSelect(link: string, select: string[]): string {
  return link.replace(SELECT_PARAM, (_all, sep: string) => `${sep}$select=${select.join(",")}`);
}

/** Dataverse refused a `$select` naming an attribute the table no longer has. */
export function isMissingPropertyError(err: unknown): boolean {
  const message = err instanceof Error ? err.message : "";
  return /Could not find a property named/i.test(message);
}

export interface DriftContext {
  db: Db;
  source: ChangeSource;
  dest: Destination;
  log: Logger;
  pageSize?: number;
  signal?: AbortSignal;
}

export interface DriftResult {
  row: TableRow;
  added: string[];
  removed: string[];
}

/** Web API property name → attribute logical name (a lookup `x` is read as `_x_value`). */
const attributeOf = (property: string) => (property.startsWith("_") && property.endsWith("_value") ? property.slice(1, -6) : property);

/** The `$select` the Web API client builds for `target` (lib/dataverse/client.ts webApiSelect). */
export function webApiSelect(target: TableTarget): string[] {
  const lookups = new Set(target.spec.columns.filter((c) => c.lookupPart && c.attribute).map((c) => c.attribute!.toLowerCase()));
  const out = target.select.map((a) => (lookups.has(a.toLowerCase()) ? `_${a}_value` : a));
  if (!target.select.includes(target.info.primaryIdAttribute)) out.push(target.info.primaryIdAttribute);
  return out;
}

/** The attribute lists of the table's saved link and of its current target, compared. */
export function selectDrift(target: TableTarget, row: TableRow): { added: string[]; removed: string[] } | null {
  const link = row.resumeLink ?? row.deltaLink;
  const have = link ? linkSelect(link)?.map(attributeOf) : null;
  if (!have) return null;
  // The service always returns the primary key; the client asks for it explicitly.
  const pk = target.info.primaryIdAttribute.toLowerCase();
  const haveSet = new Set(have.map((a) => a.toLowerCase()));
  const wantSet = new Set(target.select.map((a) => a.toLowerCase()));
  return {
    added: target.select.filter((a) => !haveSet.has(a.toLowerCase()) && a.toLowerCase() !== pk),
    removed: have.filter((a) => !wantSet.has(a.toLowerCase()) && a.toLowerCase() !== pk),
  };
}

/** Backfills added attributes and rewrites the saved links to the current attribute list. */
export async function alignLinks(ctx: DriftContext, target: TableTarget, row: TableRow): Promise<DriftResult> {
  const drift = selectDrift(target, row);
  if (!drift || (drift.added.length === 0 && drift.removed.length === 0)) return { row, added: [], removed: [] };
  const entity = target.spec.entity;
  if (drift.added.length) {
    const wanted = new Set(drift.added.map((a) => a.toLowerCase()));
    const columns = target.spec.columns.filter((c) => c.attribute && wanted.has(c.attribute.toLowerCase())).map((c) => c.name);
    let updated = 0;
    for await (const page of ctx.source.readChanges(target.info, { select: drift.added, pageSize: ctx.pageSize, signal: ctx.signal })) {
      updated += await ctx.dest.updateColumns(target.spec, columns, page.upserts);
    }
    ctx.log.info(`${entity}: attribute(s) ${drift.added.join(", ")} added at the source: backfilled ${updated} row(s), no re-export`);
  }
  if (drift.removed.length) {
    ctx.log.info(`${entity}: attribute(s) ${drift.removed.join(", ")} removed at the source: no longer read; the target column(s) are kept`);
  }
  const select = webApiSelect(target);
  const data = {
    deltaLink: row.deltaLink ? withSelect(row.deltaLink, select) : row.deltaLink,
    resumeLink: row.resumeLink ? withSelect(row.resumeLink, select) : row.resumeLink,
  };
  await updateTable(ctx.db, row.id, data);
  return { row: { ...row, ...data }, ...drift };
}
