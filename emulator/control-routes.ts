// Server side of the /_emulator control endpoints (see README.md); the real service never uses
// this path. The typed client for them is control.ts.
import type { AttributeKind } from "../lib/dataverse/types.ts";
import type { AttrDef } from "./demo-org.ts";
import type { Churn } from "./churn.ts";
import { ODataError, badRequest } from "./odata.ts";
import type { Rec } from "./record-gen.ts";
import type { Store } from "./store.ts";

export interface FaultState {
  /** HTTP status to answer (429, 5xx) or 0 to drop the connection. */
  status: number;
  remaining: number;
  retryAfterSeconds: number;
}

export interface Controls {
  store: Store;
  churn: Churn;
  fault: FaultState | null;
  slowMs: number;
  /** API requests served (control requests excluded). */
  requests: number;
}

const KINDS: AttributeKind[] = ["String", "Memo", "Integer", "BigInt", "Decimal", "Double", "Money", "Boolean", "DateTime", "Uniqueidentifier"];

function obj(body: unknown): Record<string, unknown> {
  return body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

export function handleControl(c: Controls, method: string, path: string, body: unknown): unknown {
  const b = obj(body);
  const route = `${method} ${path}`;
  if (route === "GET status") {
    const tables: Record<string, number> = {};
    for (const [name, t] of c.store.tables) tables[name] = c.store.count(t);
    return { seed: c.store.seed, records: c.store.records, version: c.store.version, tables, fault: c.fault, slowMs: c.slowMs, churn: c.churn.current(), requests: c.requests };
  }
  if (route === "POST faults") {
    const status = Number(b.status ?? 429);
    const count = Number(b.count ?? 1);
    if (!(status === 0 || status === 429 || (status >= 500 && status <= 599))) throw badRequest("status must be 429, 5xx or 0 (drop the connection).");
    if (!Number.isInteger(count) || count < 0) throw badRequest("count must be a non-negative integer.");
    c.fault = count === 0 ? null : { status, remaining: count, retryAfterSeconds: Number(b.retryAfterSeconds ?? 1) };
    return { fault: c.fault };
  }
  if (route === "POST slow") {
    const ms = Number(b.ms ?? 0);
    if (!(ms >= 0)) throw badRequest("ms must be >= 0.");
    c.slowMs = ms;
    return { slowMs: ms };
  }
  if (route === "POST expire-delta-tokens") {
    // Bump the counter so tokens issued from now on stay valid and every earlier one does not.
    c.store.minValidVersion = ++c.store.version;
    return { minValidVersion: c.store.minValidVersion };
  }
  if (route === "POST churn") {
    const rate = Number(b.ratePerSecond);
    if (!(rate > 0)) throw badRequest("ratePerSecond must be > 0.");
    const tables = Array.isArray(b.tables) ? b.tables.map(String) : ["account", "contact"];
    try {
      c.churn.start(rate, tables);
    } catch (err) {
      throw badRequest((err as Error).message);
    }
    return { churn: c.churn.current() };
  }
  if (route === "DELETE churn") {
    const last = c.churn.current();
    c.churn.stop();
    return { stopped: last };
  }
  if (route === "POST reset") {
    c.fault = null;
    c.slowMs = 0;
    c.churn.stop();
    return { reset: true };
  }
  const attr = /^tables\/([a-z0-9_]+)\/attributes$/.exec(path);
  if (attr && method === "POST") {
    const t = c.store.table(attr[1]);
    if (!t) throw new ODataError(404, "0x80040217", `Could not find entity with name '${attr[1]}'.`);
    const name = String(b.logicalName ?? "");
    const kind = String(b.kind ?? "") as AttributeKind;
    if (!/^[a-z][a-z0-9_]*$/.test(name)) throw badRequest("logicalName must be lower-case letters, digits and underscores.");
    if (!KINDS.includes(kind)) throw badRequest(`kind must be one of ${KINDS.join(", ")}.`);
    const def: AttrDef = { name, kind, display: String(b.displayName ?? name) };
    if (kind === "String" || kind === "Memo") def.maxLength = Number(b.maxLength ?? (kind === "Memo" ? 2000 : 100));
    if (kind === "Decimal" || kind === "Double" || kind === "Money") def.precision = Number(b.precision ?? 2);
    try {
      c.store.addAttribute(t, def);
    } catch (err) {
      throw badRequest((err as Error).message);
    }
    return { table: t.def.logicalName, attribute: def };
  }
  const removed = /^tables\/([a-z0-9_]+)\/attributes\/([a-z0-9_]+)$/.exec(path);
  if (removed && method === "DELETE") {
    const t = c.store.table(removed[1]);
    if (!t) throw new ODataError(404, "0x80040217", `Could not find entity with name '${removed[1]}'.`);
    try {
      c.store.removeAttribute(t, removed[2]);
    } catch (err) {
      throw badRequest((err as Error).message);
    }
    return { table: t.def.logicalName, removed: removed[2] };
  }
  const rec = /^tables\/([a-z0-9_]+)\/records\/([0-9a-fA-F-]{36})$/.exec(path);
  if (rec && method === "PATCH") {
    const t = c.store.table(rec[1]);
    if (!t) throw new ODataError(404, "0x80040217", `Could not find entity with name '${rec[1]}'.`);
    // Raw values, no validation: lets tests plant data the real service would refuse.
    const row = c.store.update(t, rec[2], obj(b.values) as Rec);
    if (!row) throw new ODataError(404, "0x80040217", `${t.def.logicalName} With Id = ${rec[2]} Does Not Exist`);
    return { id: row.id, version: row.version };
  }
  throw new ODataError(404, "0x80060888", `Unknown control endpoint '${method} /_emulator/${path}'.`);
}
