// Entity sets: queries (with or without change tracking), single records, create/update/delete,
// and N:N associate/disassociate through `$ref`.
import { tableBySet, type AttrDef, type Value } from "./demo-org.ts";
import { MAX_PAGE_SIZE, countChanges, tokenVersion, trackedPage } from "./change-tracking.ts";
import { ODataError, badPayload, badRequest, notFoundSegment, recordNotFound, type Prefer } from "./odata.ts";
import { plainQuery } from "./query.ts";
import { preferenceApplied, requestedAnnotations } from "./annotations.ts";
import type { Rec } from "./record-gen.ts";
import { readable, type Row, type Store, type TableState } from "./store.ts";
import { compileSelect, isLookup, recordJson } from "./wire.ts";

export interface DataRequest {
  method: string;
  base: string;
  path: string;
  query: URLSearchParams;
  prefer: Prefer;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface Reply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

const GUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
const PATH = new RegExp(`^([A-Za-z0-9_]+)(?:\\((${GUID})\\))?(?:/(\\$count|[A-Za-z0-9_]+)(?:\\((${GUID})\\))?(?:/(\\$ref))?)?$`);
const COUNT_LIMIT = 5000;
const json = (status: number, body: string, headers: Record<string, string> = {}): Reply => ({ status, body, headers: { "content-type": "application/json; odata.metadata=minimal", ...headers } });

function table(store: Store, set: string): TableState {
  const def = tableBySet(set);
  const t = def && store.table(def.logicalName);
  if (!t) throw notFoundSegment(set);
  return t;
}

export function handleData(store: Store, req: DataRequest): Reply {
  const m = PATH.exec(req.path);
  if (!m) throw notFoundSegment(req.path.split("/")[0]);
  const [, set, id, nav, navId, ref] = m;
  const t = table(store, set);
  if (nav === "$count" && !id) return countReply(store, t, req.query);
  if (nav) {
    if (!id || !ref) throw notFoundSegment(nav);
    return refRoute(store, t, id.toLowerCase(), nav, navId?.toLowerCase(), req);
  }
  switch (req.method) {
    case "GET":
      return id ? getOne(store, t, id, req) : query(store, t, req);
    case "POST":
      if (id) throw new ODataError(405, "0x80060888", "POST is not supported on a single record.");
      return create(store, t, req, undefined);
    case "PATCH":
      if (!id) throw new ODataError(405, "0x80060888", "PATCH needs a record id.");
      return patch(store, t, id, req);
    case "DELETE":
      if (!id) throw new ODataError(405, "0x80060888", "DELETE needs a record id.");
      checkIfMatch(t, store.get(t, id), id, req);
      if (!store.delete(t, id)) throw recordNotFound(t.def.logicalName, id);
      return { status: 204 };
    default:
      throw new ODataError(405, "0x80060888", `The HTTP method '${req.method}' is not allowed.`);
  }
}

function countReply(store: Store, t: TableState, q: URLSearchParams): Reply {
  const token = q.get("$deltatoken");
  const n = token !== null ? countChanges(store, t, tokenVersion(store, token)) : Math.min(store.count(t), COUNT_LIMIT);
  return { status: 200, body: String(n), headers: { "content-type": "text/plain" } };
}

function query(store: Store, t: TableState, req: DataRequest): Reply {
  const q = req.query;
  const pageSize = Math.min(req.prefer.maxPageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  const wantCount = q.get("$count") === "true";
  const tracked = req.prefer.trackChanges || q.has("$deltatoken");
  const applied = applyHeader(preferenceApplied(req.prefer, { maxPageSize: true, trackChanges: tracked }));
  if (tracked) {
    for (const opt of ["$filter", "$orderby", "$expand", "$top"]) {
      if (q.has(opt)) throw badRequest(`The query option '${opt}' is not supported with change tracking.`, "0x80060888");
    }
    return json(200, trackedPage(store, {
      base: req.base, t, select: q.get("$select"), deltaToken: q.get("$deltatoken"), skipToken: q.get("$skiptoken"), pageSize, count: wantCount,
      annotations: requestedAnnotations(req.prefer),
    }), applied);
  }
  return json(200, plainQuery(store, t, req), applied);
}

function applyHeader(values: string[]): Record<string, string> {
  return values.length ? { "Preference-Applied": values.join(",") } : {};
}

/** If-Match / If-None-Match values: `*` or a list of (weak) ETags; `null` (sent by many clients) is no condition. */
function etags(value: string | string[] | undefined): string[] {
  const text = [value ?? ""].flat().join(",").trim();
  if (!text || text === "null") return [];
  return text.split(",").map((x) => x.trim()).filter(Boolean);
}
const etagOf = (row: Row) => `W/"${row.version}"`;

/** Optimistic concurrency (Perform conditional operations): If-Match with an ETag must match the row's. */
function checkIfMatch(t: TableState, row: Row | null, id: string, req: DataRequest): void {
  const match = etags(req.headers["if-match"]);
  if (match.length === 0) return;
  if (!row) throw recordNotFound(t.def.logicalName, id);
  if (!match.includes("*") && !match.includes(etagOf(row))) {
    throw new ODataError(412, "0x80060882", "The version of the existing record doesn't match the RowVersion property provided.");
  }
}

function getOne(store: Store, t: TableState, id: string, req: DataRequest): Reply {
  const row = store.get(t, id);
  if (!row) throw recordNotFound(t.def.logicalName, id);
  // Conditional retrieval: unchanged → 304, but never when annotations are requested (they may depend on other rows).
  const none = etags(req.headers["if-none-match"]);
  if (none.length > 0 && req.prefer.includeAnnotations === null && (none.includes(etagOf(row)) || none.includes("*"))) {
    return { status: 304, headers: { etag: etagOf(row) } };
  }
  const sel = compileSelect(t, req.query.get("$select"), requestedAnnotations(req.prefer), store);
  const ctx = `${req.base}$metadata#${t.def.entitySetName}(${sel.names.join(",")})/$entity`;
  return json(200, `{"@odata.context":${JSON.stringify(ctx)},${recordJson(row, sel).slice(1)}`, { etag: `W/"${row.version}"`, ...applyHeader(preferenceApplied(req.prefer, {})) });
}

/** Turns a request body in Web API form (incl. `nav@odata.bind`) into stored values. */
function toValues(store: Store, t: TableState, body: unknown, allowOverflow: boolean): Rec {
  if (!body || typeof body !== "object" || Array.isArray(body)) throw badRequest("The request body must be a JSON object.");
  const out: Rec = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (key.startsWith("@odata.")) continue;
    if (key.endsWith("@odata.bind")) {
      const nav = key.slice(0, -"@odata.bind".length);
      const found = navigationTarget(t, nav);
      if (!found) {
        throw badPayload(t.def.entitySetName, `Microsoft.OData.ODataException: An undeclared property '${nav}' which only has property annotations in the payload but no property value was found in the payload. In OData, only declared navigation properties and declared named streams can be represented as properties without values.`);
      }
      out[found.attr.name] = value === null ? null : bindTarget(store, String(value), found.targets);
      continue;
    }
    const attr = t.attributes.find((a) => a.name === key && readable(a) && !isLookup(a));
    if (!attr || attr.name === "versionnumber") {
      throw new ODataError(400, "0x0", `An error occurred while validating input parameters: Microsoft.Crm.CrmException: Invalid property '${key}' was found in entity 'Microsoft.Dynamics.CRM.${t.def.logicalName}'. ---> Microsoft.OData.ODataException: Does not support untyped value in non-open type.`);
    }
    out[key] = checkValue(t, attr, value, allowOverflow);
  }
  return out;
}

/**
 * The lookup behind a single-valued navigation property: the lookup's own name when it has one
 * target (owners: `ownerid` for users and teams), `<lookup>_<table>` per target for customer and
 * other multi-table lookups (`parentcustomerid_account`), as the service names them.
 */
function navigationTarget(t: TableState, nav: string): { attr: AttrDef; targets: string[] } | null {
  for (const a of t.attributes) {
    if (!isLookup(a)) continue;
    const targets = a.targets ?? [];
    const perTarget = a.kind === "Customer" || (a.kind === "Lookup" && targets.length > 1);
    if (!perTarget && nav === a.name) return { attr: a, targets };
    if (perTarget && nav.startsWith(`${a.name}_`) && targets.includes(nav.slice(a.name.length + 1))) return { attr: a, targets: [nav.slice(a.name.length + 1)] };
  }
  return null;
}

function bindTarget(store: Store, ref: string, targets: string[]): { id: string; type: string } {
  const m = new RegExp(`([A-Za-z0-9_]+)\\((${GUID})\\)$`).exec(ref);
  const def = m && tableBySet(m[1]);
  if (!m || !def || (targets.length > 0 && !targets.includes(def.logicalName))) throw badRequest(`The URI '${ref}' in @odata.bind is not valid for this navigation property.`);
  const target = store.table(def.logicalName)!;
  if (!store.get(target, m[2])) throw recordNotFound(def.logicalName, m[2]);
  return { id: m[2].toLowerCase(), type: def.logicalName };
}

function checkValue(t: TableState, a: AttrDef, v: unknown, allowOverflow: boolean): Value {
  if (v === null) return null;
  const bad = () => badRequest(`Cannot convert the literal '${String(v)}' to the expected type of '${a.name}' (${a.kind}).`);
  switch (a.kind) {
    case "String": case "Memo": case "DateTime": case "Uniqueidentifier": case "MultiSelectPicklist": case "EntityName":
      if (typeof v !== "string") throw bad();
      if (a.maxLength && v.length > a.maxLength && !allowOverflow) {
        throw new ODataError(400, "0x80044331", `A validation error occurred. The length of the '${a.name}' attribute of the '${t.def.logicalName}' entity exceeded the maximum allowed length of '${a.maxLength}'.`);
      }
      return v;
    case "Boolean":
      if (typeof v !== "boolean") throw bad();
      return v;
    default:
      if (typeof v !== "number") throw bad();
      return v;
  }
}

function allowOverflow(req: DataRequest): boolean {
  return req.method === "PATCH" && req.headers["x-emulator-allow-overflow"] === "1";
}

function entityIdHeader(req: DataRequest, t: TableState, id: string): Record<string, string> {
  return { "OData-EntityId": `${req.base}${t.def.entitySetName}(${id})` };
}

function create(store: Store, t: TableState, req: DataRequest, id: string | undefined): Reply {
  const values = toValues(store, t, req.body, allowOverflow(req));
  const given = (values[t.def.primaryId] as string | undefined) ?? id;
  if (given && store.get(t, given)) throw new ODataError(412, "0x80040237", "A record with matching key values already exists.");
  const row = store.create(t, values, given);
  return represent(store, req, t, row, 201);
}

function represent(store: Store, req: DataRequest, t: TableState, row: Row, status: number): Reply {
  const headers = entityIdHeader(req, t, row.id);
  if (!req.prefer.returnRepresentation) return { status: 204, headers };
  Object.assign(headers, applyHeader(preferenceApplied(req.prefer, {})));
  const sel = compileSelect(t, req.query.get("$select"), requestedAnnotations(req.prefer), store);
  const ctx = `${req.base}$metadata#${t.def.entitySetName}/$entity`;
  return json(status, `{"@odata.context":${JSON.stringify(ctx)},${recordJson(row, sel).slice(1)}`, { ...headers, etag: `W/"${row.version}"` });
}

function patch(store: Store, t: TableState, id: string, req: DataRequest): Reply {
  const exists = store.get(t, id);
  // PATCH is an upsert unless If-Match asks for update-only (`*`, or an ETag that must also match)
  // and If-None-Match: * for create-only.
  checkIfMatch(t, exists, id, req);
  if (exists && etags(req.headers["if-none-match"]).includes("*")) throw new ODataError(412, "0x80040237", "A record with matching key values already exists.");
  if (!exists) return create(store, t, req, id.toLowerCase());
  const row = store.update(t, id, toValues(store, t, req.body, allowOverflow(req)))!;
  return represent(store, req, t, row, 200);
}

function refRoute(store: Store, t: TableState, id: string, nav: string, navId: string | undefined, req: DataRequest): Reply {
  const rel = store.relationship(nav);
  if (!rel || (rel.entity1 !== t.def.logicalName && rel.entity2 !== t.def.logicalName)) throw notFoundSegment(nav);
  if (!store.get(t, id)) throw recordNotFound(t.def.logicalName, id);
  const otherName = rel.entity1 === t.def.logicalName ? rel.entity2 : rel.entity1;
  const other = store.table(otherName)!;
  let otherId = navId;
  if (!otherId) {
    const ref = req.method === "POST" ? (req.body as Record<string, unknown> | null)?.["@odata.id"] : req.query.get("$id");
    const m = typeof ref === "string" ? new RegExp(`${other.def.entitySetName}\\((${GUID})\\)$`).exec(ref) : null;
    if (!m) throw badRequest(`Expected an @odata.id pointing at ${other.def.entitySetName}(<id>).`);
    otherId = m[1].toLowerCase();
  }
  if (!store.get(other, otherId)) throw recordNotFound(otherName, otherId);
  const [id1, id2] = rel.entity1 === t.def.logicalName ? [id, otherId] : [otherId, id];
  const it = store.table(rel.intersect)!;
  const existing = store.findPair(rel, id1, id2);
  if (req.method === "POST") {
    if (existing) throw new ODataError(400, "0x80040237", "Cannot insert duplicate key.");
    store.create(it, { [rel.entity1Attr]: id1, [rel.entity2Attr]: id2 });
    return { status: 204 };
  }
  if (req.method === "DELETE") {
    if (!existing) throw new ODataError(404, "0x80040217", `The ${rel.schemaName} association between ${id1} and ${id2} does not exist.`);
    store.delete(it, existing.id);
    return { status: 204 };
  }
  throw new ODataError(405, "0x80060888", `The HTTP method '${req.method}' is not allowed on $ref.`);
}
