// How a SourceRecord becomes one row of values for a TargetTableSpec, and which string
// columns must be widened first. Shared by every dialect; a dialect only supplies an Encoder
// for the few types its driver wants in another shape.
import type { FieldValue, LookupValue, SourceRecord } from "../dataverse/types";
import { ENTITY_TYPE_SUFFIX, MAX_BOUNDED_STRING, SYSTEM_COLUMNS } from "./columns";
import type { ColumnSpec, TargetTableSpec, UpsertResult } from "./types";

/** `UpsertResult.widened[].to` for a column that became unbounded (nvarchar(max) / text). */
export const UNBOUNDED = -1;

/** Driver-specific shapes. Inputs are already normalized (see below). */
export interface Encoder {
  /** `true`/`false`. */
  bool(v: boolean): unknown;
  /** "YYYY-MM-DDTHH:MM:SS.sssZ" (UTC). */
  datetime(iso: string): unknown;
  /** "YYYY-MM-DD". */
  date(day: string): unknown;
  /** A decimal integer string. */
  bigint(v: string): unknown;
}

export const identityEncoder: Encoder = {
  bool: (v) => v,
  datetime: (v) => v,
  date: (v) => v,
  bigint: (v) => v,
};

/** A record whose value cannot be stored in its column: the engine treats it as a poison record. */
export class RecordValueError extends Error {
  constructor(
    readonly recordId: string,
    readonly column: string,
    detail: string,
  ) {
    super(`Record ${recordId}, column ${column}: ${detail}`);
    this.name = "RecordValueError";
  }
}

const ISO_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const ISO_DAY = /^\d{4}-\d\d-\d\d$/;
const INTEGER_TEXT = /^-?\d+$/;

/** Dataverse sends "2024-01-02T03:04:05Z"; one fixed width keeps text dates (SQLite) sortable. */
export function normalizeDateTime(v: string): string | null {
  if (ISO_SECONDS.test(v)) return `${v.slice(0, 19)}.000Z`;
  if (ISO_DAY.test(v)) return `${v}T00:00:00.000Z`;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

function isLookup(v: FieldValue): v is LookupValue {
  return typeof v === "object" && v !== null;
}

export type Getter = (r: SourceRecord, now: unknown) => unknown;

function convert(col: ColumnSpec, enc: Encoder): (v: FieldValue | undefined, id: string) => unknown {
  const bad = (id: string, v: unknown, what: string): never => {
    throw new RecordValueError(id, col.name, `${JSON.stringify(v)} is not ${what}`);
  };
  switch (col.type) {
    case "guid":
      return (v, id) => {
        if (v === null || v === undefined) return null;
        const g = isLookup(v) ? v.id : v;
        return typeof g === "string" ? g.toLowerCase() : bad(id, v, "a GUID");
      };
    case "string":
    case "text":
      return (v) => {
        if (v === null || v === undefined) return null;
        if (typeof v === "string") return v;
        return typeof v === "object" ? JSON.stringify(v) : String(v);
      };
    case "int":
      return (v, id) => {
        if (v === null || v === undefined) return null;
        if (typeof v === "number" && Number.isInteger(v)) return v;
        if (typeof v === "string" && INTEGER_TEXT.test(v)) return Number(v);
        if (typeof v === "boolean") return v ? 1 : 0;
        return bad(id, v, "an integer");
      };
    case "bigint":
      return (v, id) => {
        if (v === null || v === undefined) return null;
        if (typeof v === "number" && Number.isInteger(v)) return enc.bigint(String(v));
        if (typeof v === "string" && INTEGER_TEXT.test(v)) return enc.bigint(v);
        return bad(id, v, "an integer");
      };
    case "bool":
      return (v, id) => {
        if (v === null || v === undefined) return null;
        if (typeof v === "boolean") return enc.bool(v);
        if (v === 0 || v === 1) return enc.bool(v === 1);
        return bad(id, v, "a boolean");
      };
    case "datetime":
    case "date":
      return (v, id) => {
        if (v === null || v === undefined || v === "") return null;
        const iso = typeof v === "string" ? normalizeDateTime(v) : null;
        if (iso === null) return bad(id, v, "a date");
        return col.type === "date" ? enc.date(iso.slice(0, 10)) : enc.datetime(iso);
      };
    case "float":
      return (v, id) => {
        if (v === null || v === undefined) return null;
        if (typeof v === "number" && Number.isFinite(v)) return v;
        if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
        return bad(id, v, "a number");
      };
    case "decimal":
    case "money":
      // Exact decimal text (the client keeps long numbers as text): bound as a string, so no
      // target rounds it through a double.
      return (v, id) => {
        if (v === null || v === undefined) return null;
        return plainDecimal(v) ?? bad(id, v, "a number");
      };
  }
}

/** Where a column's value comes from: the optional spec fields, else DES name rules. */
function sourceOf(col: ColumnSpec): { attribute: string; part: "value" | "entityType" } {
  if (col.attribute) {
    return { attribute: col.attribute, part: col.lookupPart === "entityType" ? "entityType" : "value" };
  }
  if (col.name.endsWith(ENTITY_TYPE_SUFFIX)) {
    return { attribute: col.name.slice(0, -ENTITY_TYPE_SUFFIX.length), part: "entityType" };
  }
  return { attribute: col.name, part: "value" };
}

/**
 * A function turning a record into row values in `spec.columns` order. Built once per batch so the
 * per-column decisions are not repeated per record. `now` fills SinkCreatedOn/SinkModifiedOn.
 */
export function makeRowBuilder(spec: TargetTableSpec, enc: Encoder): (r: SourceRecord, now: unknown) => unknown[] {
  const getters = makeValueGetters(spec, enc);
  const n = getters.length;
  return (r, now) => {
    const row = new Array<unknown>(n);
    for (let i = 0; i < n; i++) row[i] = getters[i](r, now);
    return row;
  };
}

/**
 * Per column of `spec`, the function giving a record's value for it (what makeRowBuilder puts in
 * the row): for writers that consume values one by one without building a row (the PostgreSQL
 * COPY encoder), with the same conversions and RecordValueErrors.
 */
export function makeValueGetters(spec: TargetTableSpec, enc: Encoder): Getter[] {
  return spec.columns.map((col): Getter => {
    if (col.name === SYSTEM_COLUMNS.id) return (r) => r.id.toLowerCase();
    if (col.name === SYSTEM_COLUMNS.createdOn || col.name === SYSTEM_COLUMNS.modifiedOn) return (_r, now) => now;
    const conv = convert(col, enc);
    if (col.name === SYSTEM_COLUMNS.version) return (r) => conv(r.version, r.id);
    const { attribute, part } = sourceOf(col);
    if (part === "entityType") {
      return (r) => {
        const v = r.values[attribute];
        return isLookup(v) ? v.entityType : (r.values[col.name] ?? null);
      };
    }
    return (r) => conv(r.values[attribute], r.id);
  });
}

function versionLess(a: string, b: string): boolean {
  return a.length !== b.length ? a.length < b.length : a < b;
}

/**
 * One record per Id (case-insensitively), keeping the newest version (the later one on a tie).
 * Both `ON CONFLICT DO UPDATE` and `MERGE` refuse to touch one row twice in a statement.
 */
export function latestById(records: SourceRecord[]): SourceRecord[] {
  const byId = new Map<string, SourceRecord>();
  let dup = false;
  for (const r of records) {
    const key = r.id.toLowerCase();
    const prev = byId.get(key);
    if (prev) dup = true;
    if (!prev || !versionLess(r.version ?? "", prev.version ?? "")) byId.set(key, r);
  }
  return dup ? [...byId.values()] : records;
}

/**
 * The string columns whose current width (`widths`, keyed by column name as the dialect keys it)
 * is too small for a value in `rows`. Beyond 4000 characters a column goes unbounded.
 */
export function planWidening(
  spec: TargetTableSpec,
  widths: Map<string, number | null>,
  rows: unknown[][],
  key: (name: string) => string = (n) => n,
): UpsertResult["widened"] {
  const longest = spec.columns.map((col, i) => {
    let max = 0;
    if (widths.get(key(col.name)) == null) return max;
    for (const row of rows) {
      const v = row[i];
      if (typeof v === "string" && v.length > max) max = v.length;
    }
    return max;
  });
  return wideningFor(spec, widths, longest, key);
}

/** planWidening from the longest string value per column (index in spec.columns; 0 = none). */
export function wideningFor(
  spec: TargetTableSpec,
  widths: Map<string, number | null>,
  longest: readonly number[],
  key: (name: string) => string = (n) => n,
): UpsertResult["widened"] {
  const out: UpsertResult["widened"] = [];
  spec.columns.forEach((col, i) => {
    const width = widths.get(key(col.name));
    if (width === undefined || width === null) return;
    if (longest[i] > width) {
      out.push({ column: col.name, from: width, to: longest[i] > MAX_BOUNDED_STRING ? UNBOUNDED : longest[i] });
    }
  });
  return out;
}

const PLAIN = /^[+-]?\d+(\.\d+)?$/;
const EXPONENT = /^([+-]?)(\d*)(?:\.(\d*))?[eE]([+-]?\d+)$/;

/**
 * A number or numeric text as plain decimal text without exponent ("1e-7" → "0.0000001"),
 * digit for digit; null when it is not a finite number. A JS number prints as its shortest
 * round-trip form, which is the source's text for values of up to 15 significant digits.
 */
export function plainDecimal(v: unknown): string | null {
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return null;
    // Most numbers print without an exponent: no regex for them (a hot path of every row build).
    const t = String(v);
    return t.includes("e") ? expand(t) : t;
  }
  if (typeof v !== "string") return null;
  const t = v.trim();
  if (PLAIN.test(t)) return t.startsWith("+") ? t.slice(1) : t;
  if (EXPONENT.test(t)) return expand(t);
  return t !== "" && Number.isFinite(Number(t)) ? expand(String(Number(t))) : null;
}

function expand(text: string): string {
  const m = EXPONENT.exec(text);
  if (!m) return text;
  const [, sign, int, frac = "", exp] = m;
  const all = int + frac;
  const digits = all.replace(/^0+/, "");
  if (digits === "") return "0";
  // Where the decimal point falls within `digits` once the exponent is applied.
  const at = int.length - (all.length - digits.length) + Number(exp);
  let out: string;
  if (at <= 0) out = `0.${"0".repeat(-at)}${digits}`;
  else if (at >= digits.length) out = digits + "0".repeat(at - digits.length);
  else out = `${digits.slice(0, at)}.${digits.slice(at)}`;
  if (out.includes(".")) out = out.replace(/0+$/, "").replace(/\.$/, "");
  return (sign === "-" ? "-" : "") + out;
}
