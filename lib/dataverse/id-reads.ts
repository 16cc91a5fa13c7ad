// Reads that address records by id rather than by change: the (id, version) listing that
// reconciliation sort-merges, and the batched fetch-by-ids shared by re-sync of failed records
// and reconciliation repair. Plain queries (no change tracking), so $filter and $orderby work.
import { ANNOTATIONS_PREFER, MAX_PAGE_SIZE, RecordMapper } from "./change-reader.ts";
import type { HttpClient } from "./http.ts";
import type { IdVersion, SourceRecord, TableInfo } from "./types.ts";

interface Page { value: Record<string, unknown>[]; "@odata.nextLink"?: string }

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids per fetch request: an `or`-joined `eq` filter, every real Web API version accepts it. */
export const FETCH_BY_IDS_BATCH = 200;
/** The Web API refuses GET URLs beyond ~32 KB; stay well under with long attribute names too. */
export const MAX_URL_CHARS = 16_000;

function versionOf(item: Record<string, unknown>): string | null {
  const etag = item["@odata.etag"];
  if (typeof etag === "string" && etag.startsWith('W/"')) return etag.slice(3, -1);
  const v = item.versionnumber;
  return v === null || v === undefined ? null : String(v);
}

/** `$select=<id>,versionnumber&$orderby=<id>`, 5,000 a page, following the service's nextLinks. */
export async function* readIdVersions(http: HttpClient, table: TableInfo, opts: { pageSize?: number; signal?: AbortSignal } = {}): AsyncGenerator<IdVersion[]> {
  const pageSize = Math.max(1, Math.min(opts.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE));
  const pid = table.primaryIdAttribute;
  let url: string | undefined = `${table.entitySetName}?$select=${pid},versionnumber&$orderby=${pid}`;
  while (url) {
    const page: Page = await http.json<Page>(url, { headers: { Prefer: `odata.maxpagesize=${pageSize}` }, signal: opts.signal, table: table.logicalName });
    url = page["@odata.nextLink"];
    yield page.value.map((item) => ({ id: String(item[pid]).toLowerCase(), version: versionOf(item) }));
  }
}

/** Splits ids into `$filter` texts that keep each URL under MAX_URL_CHARS and FETCH_BY_IDS_BATCH ids. */
export function idFilters(primaryId: string, ids: string[], baseLength: number, batch = FETCH_BY_IDS_BATCH): string[] {
  const out: string[] = [];
  let terms: string[] = [];
  let length = baseLength;
  for (const raw of ids) {
    if (!GUID.test(raw)) throw new Error(`'${raw}' is not a record id (a GUID).`);
    const term = `${primaryId} eq ${raw.toLowerCase()}`;
    const cost = encodeURIComponent(term).length + 8;
    if (terms.length && (terms.length >= batch || length + cost > MAX_URL_CHARS)) {
      out.push(terms.join(" or "));
      terms = [];
      length = baseLength;
    }
    terms.push(term);
    length += cost;
  }
  if (terms.length) out.push(terms.join(" or "));
  return out;
}

/** The records with these ids that exist (any order); `cols` are Web API property names. */
export async function fetchRecordsByIds(http: HttpClient, table: TableInfo, cols: string[], ids: string[], opts: { signal?: AbortSignal } = {}): Promise<SourceRecord[]> {
  const mapper = new RecordMapper(table.primaryIdAttribute);
  const base = `${table.entitySetName}?$select=${cols.join(",")}&$filter=`;
  const out: SourceRecord[] = [];
  for (const filter of idFilters(table.primaryIdAttribute, [...new Set(ids.map((i) => i.toLowerCase()))], http.apiBase.length + base.length)) {
    let url: string | undefined = base + encodeURIComponent(filter);
    while (url) {
      const page: Page = await http.json<Page>(url, { headers: { Prefer: `odata.maxpagesize=${MAX_PAGE_SIZE},${ANNOTATIONS_PREFER}` }, signal: opts.signal, table: table.logicalName });
      for (const item of page.value) out.push(mapper.toRecord(item));
      url = page["@odata.nextLink"];
    }
  }
  return out;
}
