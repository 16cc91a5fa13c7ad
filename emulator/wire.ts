// Records in the Web API's JSON shape, built as strings: serving pages is the hot path.
import { FORMATTED, LOGICAL_NAME, NAVIGATION, NO_ANNOTATIONS, formattedValue, navigationProperty, type AnnotationPrefs } from "./annotations.ts";
import type { AttrDef, LookupRef } from "./demo-org.ts";
import type { Row, Store, TableState } from "./store.ts";
import { noProperty } from "./odata.ts";
import type { Rec } from "./record-gen.ts";
import { readable } from "./store.ts";

const LOOKUP_KINDS = new Set(["Lookup", "Owner", "Customer"]);
export const isLookup = (a: AttrDef): boolean => LOOKUP_KINDS.has(a.kind);
/** The property name the Web API uses for an attribute. */
export const propertyName = (a: AttrDef): string => (isLookup(a) ? `_${a.name}_value` : a.name);

interface Field {
  attr: string;
  lookup: boolean;
  /** `,"name":` prebuilt. */
  key: string;
  annotationKey: string;
  version: boolean;
  def: AttrDef;
  prop: string;
}

export interface Selection {
  fields: Field[];
  /** Property names, for @odata.context. */
  names: string[];
  /** The selected attributes (to generate only those). */
  attrs: AttrDef[];
  /** Compiled serializer for this selection (see compileSerializer). */
  write: (row: Row) => string;
}

const serializers = new Map<string, (row: Row) => string>();

/**
 * One straight-line function per selection: about 1.5x faster than looping over fields, and
 * serving pages is the hot path. Property names come from metadata and are JSON-escaped.
 */
function compileSerializer(fields: Field[], logical: boolean): (row: Row) => string {
  const key = `${logical ? "L" : "-"}${fields.map((f) => f.key).join("")}`;
  let fn = serializers.get(key);
  if (fn) return fn;
  const parts = fields.map((f) => {
    const a = JSON.stringify(f.attr);
    if (f.version) return `${JSON.stringify(f.key)} + row.version`;
    if (f.lookup && logical) return `((r = v[${a}]) ? ${JSON.stringify(f.annotationKey)} + str(r.type) + ${JSON.stringify(f.key)} + str(r.id) : ${JSON.stringify(f.key + "null")})`;
    if (f.lookup) return `((r = v[${a}]) ? ${JSON.stringify(f.key)} + str(r.id) : ${JSON.stringify(f.key + "null")})`;
    return `${JSON.stringify(f.key)} + ((x = v[${a}]) === null || x === undefined ? "null" : typeof x === "string" ? str(x) : String(x))`;
  });
  const body = `let r, x; const v = row.values; return '{"@odata.etag":"W/\\\\"' + row.version + '\\\\""' + ${parts.join(" + ") || '""'} + "}";`;
  fn = (new Function("str", "row", body) as (str: (s: unknown) => string, row: Row) => string).bind(null, JSON.stringify);
  if (serializers.size > 1000) serializers.clear();
  serializers.set(key, fn);
  return fn;
}

/**
 * Resolves $select (Web API property names) against the table; no $select means every readable
 * column. Annotations are written only as requested; formatted values need the store (lookup names).
 */
export function compileSelect(t: TableState, select: string | null, ann: AnnotationPrefs = NO_ANNOTATIONS, store?: Store): Selection {
  const props = new Map<string, AttrDef>();
  for (const a of t.attributes) if (readable(a)) props.set(propertyName(a), a);
  let chosen: AttrDef[];
  if (select) {
    chosen = [];
    for (const raw of select.split(",")) {
      const name = raw.trim();
      const a = props.get(name);
      if (!a) throw noProperty(name, t.def.logicalName);
      if (!chosen.includes(a)) chosen.push(a);
    }
    // The service always returns the primary key.
    const pk = props.get(t.def.primaryId)!;
    if (!chosen.includes(pk)) chosen.push(pk);
  } else {
    chosen = [...props.values()];
  }
  const fields = chosen.map((a): Field => {
      const p = propertyName(a);
      return {
        attr: a.name, lookup: isLookup(a), key: `,${JSON.stringify(p)}:`,
        annotationKey: `,${JSON.stringify(`${p}@${LOGICAL_NAME}`)}:`,
        version: a.name === "versionnumber", def: a, prop: p,
      };
  });
  // The hot path (our client: lookuplogicalname only) stays compiled; other annotations are rarer.
  const write = ann.formatted || ann.nav ? (row: Row) => annotatedJson(row, fields, ann, store) : compileSerializer(fields, ann.logical);
  return { names: chosen.map(propertyName), attrs: chosen, fields, write };
}

function scalar(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  return String(v);
}

export function recordJson(row: Row, sel: Selection): string {
  return sel.write(row);
}

/** A record with formatted values and/or navigation annotations, in the service's order (annotations first). */
function annotatedJson(row: Row, fields: Field[], ann: AnnotationPrefs, store: Store | undefined): string {
  let out = `{"@odata.etag":"W/\\"${row.version}\\""`;
  const ak = (f: Field, name: string) => `,${JSON.stringify(`${f.prop}@${name}`)}:`;
  for (const f of fields) {
    if (f.version) {
      out += f.key + row.version;
      continue;
    }
    const v = row.values[f.attr] ?? null;
    if (ann.formatted && store && v !== null) {
      const text = formattedValue(store, f.def, v);
      if (text !== null) out += ak(f, FORMATTED) + JSON.stringify(text);
    }
    if (f.lookup) {
      const ref = v as LookupRef | null;
      if (ref && ann.nav) out += ak(f, NAVIGATION) + JSON.stringify(navigationProperty(f.def, ref));
      if (ref && ann.logical) out += f.annotationKey + JSON.stringify(ref.type);
      out += f.key + (ref ? JSON.stringify(ref.id) : "null");
    } else {
      out += f.key + scalar(v);
    }
  }
  return out + "}";
}

/** Reference implementation of the compiled serializer with lookuplogicalname (tests compare the two). */
export function recordJsonSlow(row: Row, sel: Selection): string {
  let out = `{"@odata.etag":"W/\\"${row.version}\\""`;
  const values = row.values;
  for (const f of sel.fields) {
    if (f.version) {
      out += f.key + row.version;
    } else if (f.lookup) {
      const ref = values[f.attr] as LookupRef | null | undefined;
      // The annotation comes before the value, as the service orders it.
      if (ref) out += f.annotationKey + JSON.stringify(ref.type) + f.key + JSON.stringify(ref.id);
      else out += f.key + "null";
    } else {
      out += f.key + scalar(values[f.attr]);
    }
  }
  return out + "}";
}

/** Value of a Web API property on a stored record (for $filter). */
export function propertyValue(t: TableState, rec: Rec, prop: string, version: number): unknown {
  if (prop === "versionnumber") return version;
  const m = /^_(.+)_value$/.exec(prop);
  if (m) return (rec[m[1]] as LookupRef | null)?.id ?? null;
  return rec[prop];
}

export function deletedJson(base: string, set: string, id: string): string {
  return `{"@odata.context":"${base}$metadata#${set}/$deletedEntity","id":"${id}","reason":"deleted"}`;
}
