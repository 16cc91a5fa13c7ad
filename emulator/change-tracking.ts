// Change tracking as the service does it: an initial export pages over a snapshot and ends with a
// delta link whose token is the version when the export STARTED (changes made meanwhile come
// again); a delta read returns every row changed after the token once, in its latest state,
// deletes as $deletedEntity. Paging tokens are stateless so a saved nextLink survives a restart.
import { ODataError, badRequest, decodeToken, encodeToken } from "./odata.ts";
import type { AnnotationPrefs } from "./annotations.ts";
import type { Store, TableState } from "./store.ts";
import { compileSelect, deletedJson, recordJson } from "./wire.ts";

export const MAX_PAGE_SIZE = 5000;

export interface PageRequest {
  base: string;
  t: TableState;
  select: string | null;
  deltaToken: string | null;
  skipToken: string | null;
  pageSize: number;
  count: boolean;
  annotations: AnnotationPrefs;
}

const pad = (n: number) => String(n).padStart(2, "0");
/** Same shape as the service's tokens: `919042!08/22/2017 08:10:44`. */
export function epochStamp(d: Date): string {
  return `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

export function notTracked(table: string): ODataError {
  // ChangeTrackingNotEnabledForEntity, with the code list's message.
  return new ODataError(400, "0x80072491", `Entity ${table} isn't enabled for change tracking.`);
}

export function expired(): ODataError {
  return new ODataError(400, "0x80044352", "Version stamp associated with the client has expired. Please perform a full sync.");
}

/** Validates a delta token and returns its version. */
export function tokenVersion(store: Store, token: string): number {
  const m = /^(\d+)!(.+)$/.exec(token);
  if (!m) throw expired();
  const v = Number(m[1]);
  const sameRun = m[2] === epochStamp(store.epoch);
  // Another run's changes are gone: its tokens can only be honoured while they predate all changes.
  if (v < store.minValidVersion || v > store.version || (!sameRun && v > store.gen.baseMax)) throw expired();
  return v;
}

function firstAfter(log: { v: number }[], v: number): number {
  let lo = 0, hi = log.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (log[mid].v <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of rows a delta read from `from` would return now. */
export function countChanges(store: Store, t: TableState, from: number): number {
  let n = 0;
  for (let i = firstAfter(t.log, from); i < t.log.length; i++) {
    if (t.overlay.get(t.log[i].id)!.version === t.log[i].v) n++;
  }
  return n;
}

export function trackedPage(store: Store, q: PageRequest): string {
  const { t, base } = q;
  if (!t.def.changeTracking) throw notTracked(t.def.logicalName);
  const sel = compileSelect(t, q.select, q.annotations, store);
  const set = t.def.entitySetName;
  const selectPart = q.select ? `$select=${q.select}&` : "";
  const stamp = epochStamp(store.epoch);
  const parts: string[] = [];
  let more = false;
  let linkKey: string;
  let link: string;
  let context = `${base}$metadata#${set}(${sel.names.join(",")})`;
  let count = -1;

  if (q.deltaToken === null) {
    let snapshot = store.version;
    let pos = 0;
    let epoch = stamp;
    if (q.skipToken) {
      const tok = decodeToken(q.skipToken);
      if (!tok || tok[0] !== "i" || tok.length !== 4) throw badRequest("The $skiptoken is not valid.");
      snapshot = Number(tok[1]);
      pos = Number(tok[2]);
      epoch = tok[3];
    }
    const end = store.positions(t);
    while (pos < end && parts.length < q.pageSize) {
      const row = store.rowAt(t, pos++, sel.attrs);
      if (row) parts.push(recordJson(row, sel));
    }
    more = pos < end;
    if (q.count) count = store.count(t);
    linkKey = more ? "@odata.nextLink" : "@odata.deltaLink";
    link = more
      ? `${base}${set}?${selectPart}$skiptoken=${encodeToken(["i", snapshot, pos, epoch])}`
      : `${base}${set}?${selectPart}$deltatoken=${encodeURIComponent(`${snapshot}!${epoch}`)}`;
  } else {
    const from = tokenVersion(store, q.deltaToken);
    let upTo = store.version;
    let last = from;
    if (q.skipToken) {
      const tok = decodeToken(q.skipToken);
      if (!tok || tok[0] !== "d" || tok.length !== 3) throw badRequest("The $skiptoken is not valid.");
      upTo = Number(tok[1]);
      last = Number(tok[2]);
    }
    const log = t.log;
    let i = firstAfter(log, last);
    for (; i < log.length && log[i].v <= upTo && parts.length < q.pageSize; i++) {
      const { v, id } = log[i];
      const e = t.overlay.get(id)!;
      // Superseded entries are skipped: the row is sent once, at its latest change.
      if (e.version !== v) continue;
      last = v;
      parts.push(e.values ? recordJson({ id, version: v, values: e.values }, sel) : deletedJson(base, set, id));
    }
    while (i < log.length && log[i].v <= upTo && t.overlay.get(log[i].id)!.version !== log[i].v) i++;
    more = i < log.length && log[i].v <= upTo;
    if (q.count) count = countChanges(store, t, from);
    context += "/$delta";
    linkKey = more ? "@odata.nextLink" : "@odata.deltaLink";
    const dt = encodeURIComponent(q.deltaToken);
    link = more
      ? `${base}${set}?${selectPart}$deltatoken=${dt}&$skiptoken=${encodeToken(["d", upTo, last])}`
      : `${base}${set}?${selectPart}$deltatoken=${encodeURIComponent(`${upTo}!${stamp}`)}`;
  }
  const countPart = count >= 0 ? `,"@odata.count":${count}` : "";
  return `{"@odata.context":${JSON.stringify(context)}${countPart},"value":[${parts.join(",")}],${JSON.stringify(linkKey)}:${JSON.stringify(link)}}`;
}
