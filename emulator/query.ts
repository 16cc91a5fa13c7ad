// Plain (not change-tracked) entity-set queries: $select, $filter, $orderby, $top, $count and
// paging. Without $orderby the service orders by the primary key; pages are keyset pages (the
// skiptoken carries the last row's sort values, like the service's paging cookie carries the last
// id), so ordered pages stay ordered across nextLinks and nothing is held between requests.
import { sqlGuidSortKey } from "../lib/dataverse/sql-guid-order.ts";
import { LIMIT_EXCEEDED, TOTAL_COUNT, requestedAnnotations } from "./annotations.ts";
import { MAX_PAGE_SIZE } from "./change-tracking.ts";
import type { AttrDef } from "./demo-org.ts";
import { badRequest, compileFilter, noProperty, notEmulated } from "./odata.ts";
import { compareSortKeys, parseOrderBy, positionsInIdOrder, primaryKeyOrder, SmallestN, sortAttributes, sortKeyOf, type SortKey } from "./order.ts";
import type { Rec } from "./record-gen.ts";
import { readable, type Row, type Store, type TableState } from "./store.ts";
import { compileSelect, propertyName, propertyValue, recordJson } from "./wire.ts";
import type { DataRequest } from "./data-routes.ts";

const COUNT_LIMIT = 5000;

function encodeSkip(k: SortKey): string {
  return Buffer.from(JSON.stringify(["k", k.values, k.id]), "utf8").toString("base64url");
}

function decodeSkip(token: string): SortKey {
  try {
    const v = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(v) && v[0] === "k" && Array.isArray(v[1]) && typeof v[2] === "string") return { values: v[1], id: v[2], idKey: sqlGuidSortKey(v[2]) };
  } catch {
    // falls through to the error below
  }
  throw badRequest("The $skiptoken is not valid.");
}

/** The query string of a nextLink: the request's options, percent-encoded, with the new $skiptoken. */
function nextQuery(q: URLSearchParams, skip: string): string {
  const parts: string[] = [];
  for (const [k, v] of q) if (k !== "$skiptoken") parts.push(`${k}=${encodeURIComponent(v).replace(/%2C/g, ",").replace(/%24/g, "$")}`);
  parts.push(`$skiptoken=${skip}`);
  return parts.join("&");
}

export function plainQuery(store: Store, t: TableState, req: DataRequest): string {
  const q = req.query;
  // "Dataverse doesn't support the $skip query option" (Page results).
  if (q.has("$skip")) throw badRequest("The query parameter $skip is not supported.");
  for (const opt of ["$expand", "$apply", "$search", "$compute", "fetchXml"]) if (q.has(opt)) throw notEmulated(`The ${opt} query option`);
  const ann = requestedAnnotations(req.prefer);
  const sel = compileSelect(t, q.get("$select"), ann, store);
  const keys = parseOrderBy(t, q.get("$orderby"));
  const known = new Set(t.attributes.filter(readable).map(propertyName));
  const filterText = q.get("$filter");
  const filter = filterText ? compileFilter(filterText, (rec, p) => propertyValue(t, rec, p, (rec as Rec & { __v: number }).__v), (p) => known.has(p), (p) => noProperty(p, t.def.logicalName)) : null;
  const matches = (row: Row) => !filter || filter(Object.assign({ __v: row.version }, row.values));
  const top = q.has("$top") ? Number(q.get("$top")) : Infinity;
  if (!(top >= 0) || (top !== Infinity && !Number.isInteger(top))) throw badRequest("The $top value must be a non-negative integer.");
  // "Don't use $top with the Prefer: odata.maxpagesize request header. If you include both, $top is ignored."
  const useTop = top !== Infinity && req.prefer.maxPageSize === undefined;
  const limit = useTop ? Math.min(top, MAX_PAGE_SIZE) : Math.min(req.prefer.maxPageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  const skip = q.get("$skiptoken");
  const after = skip ? decodeSkip(skip) : null;
  // A filter may read any column; otherwise generate only what is selected and sorted on.
  const only: AttrDef[] | undefined = filter ? undefined : [...new Set([...sel.attrs, ...sortAttributes(keys)])];

  let rows: Row[] = [];
  let more = false;
  const byId = primaryKeyOrder(t, keys);
  if (byId) {
    for (const pos of positionsInIdOrder(t, byId.desc, after ? after.idKey! : null)) {
      const row = store.rowAt(t, pos, only);
      if (!row || !matches(row)) continue;
      if (rows.length === limit) {
        more = true;
        break;
      }
      rows.push(row);
    }
  } else {
    // Any other order: one pass over the table keeping the `limit` first rows after the last page
    // (memory O(page size), time O(rows) per page).
    const best = new SmallestN<{ k: SortKey; row: Row }>(limit, (a, b) => compareSortKeys(keys, a.k, b.k));
    let candidates = 0;
    const end = store.positions(t);
    for (let pos = 0; pos < end; pos++) {
      const row = store.rowAt(t, pos, only);
      if (!row || !matches(row)) continue;
      const k = sortKeyOf(store, keys, row);
      if (after && compareSortKeys(keys, k, after) <= 0) continue;
      candidates++;
      best.offer({ k, row });
    }
    rows = best.sorted().map((x) => x.row);
    more = candidates > limit;
  }

  let countPart = "";
  let counted = -1;
  if (q.get("$count") === "true") {
    let n = 0;
    const end = store.positions(t);
    for (let p = 0; p < end && n <= COUNT_LIMIT; p++) {
      const row = store.rowAt(t, p, filter ? undefined : []);
      if (row && matches(row)) n++;
    }
    countPart = `,"@odata.count":${Math.min(n, COUNT_LIMIT)}`;
    counted = n;
  }
  // Only when asked for; without $count=true the total is -1 (Web API: Count rows).
  if (ann.totalCount) countPart += `,"@${TOTAL_COUNT}":${counted < 0 ? -1 : Math.min(counted, COUNT_LIMIT)}`;
  if (ann.limitExceeded) countPart += `,"@${LIMIT_EXCEEDED}":${counted > COUNT_LIMIT}`;
  let next = "";
  if (more && !useTop && rows.length > 0) {
    const last = sortKeyOf(store, keys, rows[rows.length - 1]);
    next = `,"@odata.nextLink":${JSON.stringify(`${req.base}${t.def.entitySetName}?${nextQuery(q, encodeSkip(last))}`)}`;
  }
  const ctx = `${req.base}$metadata#${t.def.entitySetName}(${sel.names.join(",")})`;
  return `{"@odata.context":${JSON.stringify(ctx)}${countPart},"value":[${rows.map((r) => recordJson(r, sel)).join(",")}]${next}}`;
}
