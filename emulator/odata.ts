// OData bits the emulator needs: the service's error shape, Prefer parsing and a small $filter.
import type { Rec } from "./record-gen.ts";

export class ODataError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

// Codes and messages as the Web API documents them ("Troubleshoot Dataverse Web API client errors").
export const notFoundSegment = (segment: string) =>
  new ODataError(404, "0x8006088a", `Resource not found for the segment '${segment}'.`);
/** A function or action called with the wrong HTTP method: the service's code is empty here. */
export const noHttpResource = (url: string) =>
  new ODataError(404, "", `No HTTP resource was found that matches the request URI '${url}'.`);
/** Something the real service does but the emulator does not (501, as the service answers unimplemented operations). */
export const notEmulated = (what: string) => new ODataError(501, "", `${what} is not implemented by the Dataverse emulator.`);
/** A body the service cannot read for this entity set. */
export const badPayload = (set: string, inner: string) =>
  new ODataError(400, "0x80048d19", `Error identified in Payload provided by the user for Entity :'${set}'  ---->  InnerException : ${inner}`);
export const badRequest = (message: string, code = "0x80060888") => new ODataError(400, code, message);
export const noProperty = (name: string, table: string) =>
  new ODataError(400, "0x80060888", `Could not find a property named '${name}' on type 'Microsoft.Dynamics.CRM.${table}'.`);
export const recordNotFound = (table: string, id: string) =>
  new ODataError(404, "0x80040217", `${table} With Id = ${id} Does Not Exist`);

export function errorBody(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

export interface Prefer {
  trackChanges: boolean;
  maxPageSize?: number;
  returnRepresentation: boolean;
  /** The odata.include-annotations value as sent (without quotes), or null. */
  includeAnnotations: string | null;
}

/** Splits a Prefer header on commas outside double quotes (annotation lists are quoted, comma-separated). */
function preferences(text: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === "," && !quoted) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

export function parsePrefer(header: string | string[] | undefined): Prefer {
  const text = Array.isArray(header) ? header.join(",") : header ?? "";
  const p: Prefer = { trackChanges: false, returnRepresentation: false, includeAnnotations: null };
  for (const part of preferences(text)) {
    const eq = part.indexOf("=");
    const name = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? "" : part.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1");
    if (name === "odata.track-changes") p.trackChanges = true;
    else if (name === "return" && value === "representation") p.returnRepresentation = true;
    else if (name === "odata.include-annotations") p.includeAnnotations = value;
    else if (name === "odata.maxpagesize") {
      const n = Number(value);
      if (Number.isInteger(n) && n > 0) p.maxPageSize = n;
    }
  }
  return p;
}

/** A value as the Web API exposes it, e.g. `_parentaccountid_value` for the lookup `parentaccountid`. */
export type FieldGetter = (rec: Rec, property: string) => unknown;

type Expr = (rec: Rec) => boolean;

const TOKEN = /\s*(\(|\)|,|'(?:[^']|'')*'|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[A-Za-z_][\w.]*|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/y;

function tokenize(text: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) {
      if (text.slice(start).trim() === "") break;
      throw badRequest(`Syntax error at position ${start} in '${text}'.`);
    }
    out.push(m[1]);
  }
  return out;
}

function literal(tok: string): unknown {
  if (tok.startsWith("'")) return tok.slice(1, -1).replace(/''/g, "'");
  if (tok === "null") return null;
  if (tok === "true" || tok === "false") return tok === "true";
  if (/^[0-9a-fA-F]{8}-/.test(tok)) return tok.toLowerCase();
  const n = Number(tok);
  if (!Number.isNaN(n)) return n;
  throw badRequest(`Unsupported literal '${tok}' in $filter.`);
}

function norm(v: unknown): unknown {
  return typeof v === "string" ? v.toLowerCase() : v;
}

function compare(op: string, a: unknown, b: unknown): boolean {
  a = norm(a);
  b = norm(b);
  if (op === "eq") return a === b || (a == null && b == null);
  if (op === "ne") return !(a === b || (a == null && b == null));
  if (a == null || b == null) return false;
  const x = a as number | string;
  const y = b as number | string;
  if (op === "gt") return x > y;
  if (op === "ge") return x >= y;
  if (op === "lt") return x < y;
  if (op === "le") return x <= y;
  throw badRequest(`Unsupported operator '${op}' in $filter.`);
}

/** Compiles `a eq 'x' and (b gt 3 or startswith(name,'C'))`; `known` validates property names. */
export function compileFilter(text: string, get: FieldGetter, known: (p: string) => boolean, unknown: (p: string) => ODataError = (p) => badRequest(`Could not find a property named '${p}'.`)): Expr {
  const toks = tokenize(text);
  let i = 0;
  const peek = () => toks[i];
  const next = () => {
    if (i >= toks.length) throw badRequest(`Unexpected end of $filter '${text}'.`);
    return toks[i++];
  };
  const expect = (t: string) => {
    if (next() !== t) throw badRequest(`Expected '${t}' in $filter '${text}'.`);
  };
  const prop = (name: string) => {
    if (!known(name)) throw unknown(name);
    return name;
  };
  const or = (): Expr => {
    let left = and();
    while (peek() === "or") {
      i++;
      const l = left, r = and();
      left = (rec) => l(rec) || r(rec);
    }
    return left;
  };
  const and = (): Expr => {
    let left = unary();
    while (peek() === "and") {
      i++;
      const l = left, r = unary();
      left = (rec) => l(rec) && r(rec);
    }
    return left;
  };
  const unary = (): Expr => {
    const t = next();
    if (t === "not") {
      const e = unary();
      return (rec) => !e(rec);
    }
    if (t === "(") {
      const e = or();
      expect(")");
      return e;
    }
    if (t === "contains" || t === "startswith" || t === "endswith") {
      expect("(");
      const p = prop(next());
      expect(",");
      const v = String(literal(next())).toLowerCase();
      expect(")");
      return (rec) => {
        const s = get(rec, p);
        if (typeof s !== "string") return false;
        const l = s.toLowerCase();
        return t === "contains" ? l.includes(v) : t === "startswith" ? l.startsWith(v) : l.endsWith(v);
      };
    }
    const p = prop(t);
    const op = next();
    const v = literal(next());
    compare(op, 0, 0);
    return (rec) => compare(op, get(rec, p), v);
  };
  const e = or();
  if (i < toks.length) throw badRequest(`Unexpected '${toks[i]}' in $filter '${text}'.`);
  return e;
}

/** Opaque, stateless paging tokens: everything needed to resume is inside. */
export function encodeToken(parts: (string | number)[]): string {
  return Buffer.from(parts.join("|"), "utf8").toString("base64url");
}

export function decodeToken(token: string): string[] | null {
  try {
    const text = Buffer.from(token, "base64url").toString("utf8");
    return text.includes("|") ? text.split("|") : null;
  } catch {
    return null;
  }
}
