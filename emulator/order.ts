// $orderby as the service applies it (Web API "Order rows"): any column, asc/desc, several keys;
// lookups sort by the related row's primary name, choices by their integer value; NULL is the
// smallest value (SQL Server), so nulls come first ascending and last descending; strings compare
// case- and accent-insensitively (Dataverse's default collation is *_CI_AI). The primary key is
// always the last key (ascending), so the order is total and keyset paging is deterministic —
// the docs' "add an order on a unique column" made implicit, as the service adds the primary key.
import { sqlGuidSortKey } from "../lib/dataverse/sql-guid-order.ts";
import { lookupName } from "./annotations.ts";
import type { AttrDef, LookupRef } from "./demo-org.ts";
import { badRequest, noProperty } from "./odata.ts";
import { readable, type Row, type Store, type TableState } from "./store.ts";
import { isLookup, propertyName } from "./wire.ts";

export interface OrderKey {
  attr: AttrDef;
  desc: boolean;
}

export type SortValue = string | number | null;

/**
 * Case- and accent-insensitive text key (what a *_CI_AI collation compares), computed once per row:
 * a collator call per comparison made ordering a million rows by name several times slower.
 */
function textKey(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(s) ? s.toLowerCase() : s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

/** Parses `$orderby` ("revenue asc,name desc"); unknown properties answer the service's 400. */
export function parseOrderBy(t: TableState, text: string | null): OrderKey[] {
  if (text === null) return [];
  const props = new Map<string, AttrDef>();
  for (const a of t.attributes) if (readable(a)) props.set(propertyName(a), a);
  const keys: OrderKey[] = [];
  for (const part of text.split(",")) {
    const m = /^\s*([A-Za-z_][\w]*)(?:\s+(asc|desc))?\s*$/i.exec(part);
    if (!m) throw badRequest(`Syntax error in $orderby '${text}'.`);
    const attr = props.get(m[1]);
    if (!attr) throw noProperty(m[1], t.def.logicalName);
    keys.push({ attr, desc: (m[2] ?? "asc").toLowerCase() === "desc" });
  }
  return keys;
}

/** True when the order is just the primary key (or nothing): served from the id order, no sorting. */
export function primaryKeyOrder(t: TableState, keys: OrderKey[]): { desc: boolean } | null {
  if (keys.length === 0) return { desc: false };
  if (keys[0].attr.name === t.def.primaryId) return { desc: keys[0].desc };
  return null;
}

const isText = (a: AttrDef) => isLookup(a) || a.kind === "String" || a.kind === "Memo" || a.kind === "EntityName" || a.kind === "MultiSelectPicklist";

/** What a row is compared on for one key. */
export function sortValue(store: Store, key: OrderKey, row: Row): SortValue {
  const a = key.attr;
  if (a.name === "versionnumber") return row.version;
  const v = row.values[a.name];
  if (v === null || v === undefined) return null;
  if (isLookup(a)) {
    const name = lookupName(store, v as LookupRef);
    return name === null ? null : textKey(name);
  }
  if (typeof v === "boolean") return v ? 1 : 0;
  if (a.kind === "Uniqueidentifier" && typeof v === "string") return sqlGuidSortKey(v);
  if (a.kind === "DateTime" && typeof v === "string") {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? v : ms;
  }
  return typeof v === "string" && isText(a) ? textKey(v) : (v as string | number);
}

function compareValues(a: SortValue, b: SortValue): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a) < String(b) ? -1 : 1;
}


/** A row's position in the total order: its sort values and its primary key (SQL Server order). */
export interface SortKey {
  values: SortValue[];
  id: string;
  /** sqlGuidSortKey(id), computed only when the values tie (regex work per row showed in profiles). */
  idKey?: string;
}

export function sortKeyOf(store: Store, keys: OrderKey[], row: Row): SortKey {
  return { values: keys.map((k) => sortValue(store, k, row)), id: row.id };
}

const idKeyOf = (k: SortKey) => (k.idKey ??= sqlGuidSortKey(k.id));

export function compareSortKeys(keys: OrderKey[], x: SortKey, y: SortKey): number {
  for (let i = 0; i < keys.length; i++) {
    const c = compareValues(x.values[i], y.values[i]);
    if (c !== 0) return keys[i].desc ? -c : c;
  }
  const a = idKeyOf(x), b = idKeyOf(y);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Keeps the `limit` smallest items seen (a bounded max-heap): memory stays O(limit), not O(rows). */
export class SmallestN<T> {
  private readonly heap: T[] = [];
  constructor(private readonly limit: number, private readonly cmp: (a: T, b: T) => number) {}

  offer(item: T): void {
    const h = this.heap;
    if (this.limit === 0) return;
    if (h.length < this.limit) {
      h.push(item);
      for (let i = h.length - 1; i > 0; ) {
        const p = (i - 1) >> 1;
        if (this.cmp(h[i], h[p]) <= 0) break;
        [h[i], h[p]] = [h[p], h[i]];
        i = p;
      }
      return;
    }
    if (this.cmp(item, h[0]) >= 0) return;
    h[0] = item;
    for (let i = 0; ; ) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < h.length && this.cmp(h[l], h[m]) > 0) m = l;
      if (r < h.length && this.cmp(h[r], h[m]) > 0) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }

  sorted(): T[] {
    return [...this.heap].sort(this.cmp);
  }
}

/** Created rows' positions in SQL Server id order, cached per table (created ids only ever get appended). */
const createdOrder = new WeakMap<TableState, { n: number; last: string | undefined; items: { key: string; pos: number }[] }>();

function sortedCreated(t: TableState): { key: string; pos: number }[] {
  let c = createdOrder.get(t);
  const last = t.created[t.created.length - 1];
  // A rolled-back change set shortens `created`: start over unless the cached prefix is intact.
  if (c && (c.n > t.created.length || (c.n > 0 && t.created[c.n - 1] !== c.last))) c = undefined;
  if (!c || c.n !== t.created.length) {
    const items = c ? c.items : [];
    for (let j = c ? c.n : 0; j < t.created.length; j++) items.push({ key: sqlGuidSortKey(t.created[j]), pos: t.baseCount + j });
    items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    c = { n: t.created.length, last, items };
    createdOrder.set(t, c);
  }
  return c.items;
}

/**
 * Positions of a table's rows in primary-key order (SQL Server's uniqueidentifier order), strictly
 * after `afterKey` (a sqlGuidSortKey). Base ids share a prefix and carry their index in the last 12
 * hex digits — the most significant part of that order — so base rows are already sorted by index:
 * only created rows (in memory anyway) need sorting. A page costs O(page + log rows).
 */
export function* positionsInIdOrder(t: TableState, desc: boolean, afterKey: string | null): Generator<number> {
  const tail = t.baseCount > 0 ? sqlGuidSortKey(`${t.prefix}000000000000`).slice(12) : "";
  const baseKey = (i: number) => i.toString(16).padStart(12, "0") + tail;
  const created = sortedCreated(t);
  const n = t.baseCount;
  if (!desc) {
    let i = afterKey === null ? 0 : lastAtOrBelow(n, baseKey, afterKey) + 1;
    let j = afterKey === null ? 0 : lastAtOrBelow(created.length, (x) => created[x].key, afterKey) + 1;
    while (i < n || j < created.length) {
      if (j >= created.length || (i < n && baseKey(i) < created[j].key)) yield i++;
      else yield created[j++].pos;
    }
  } else {
    // Walking down: the last index whose key is below afterKey.
    let i = afterKey === null ? n - 1 : lastBelow(n, baseKey, afterKey);
    let j = afterKey === null ? created.length - 1 : lastBelow(created.length, (x) => created[x].key, afterKey);
    while (i >= 0 || j >= 0) {
      if (j < 0 || (i >= 0 && baseKey(i) > created[j].key)) yield i--;
      else yield created[j--].pos;
    }
  }
}

/** Binary searches over a sorted run of keys: the last index below (or at or below) `key`, or -1. */
function lastBelow(len: number, keyAt: (i: number) => string, key: string, orEqual = false): number {
  let lo = 0, hi = len;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const k = keyAt(mid);
    if (k < key || (orEqual && k === key)) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
const lastAtOrBelow = (len: number, keyAt: (i: number) => string, key: string) => lastBelow(len, keyAt, key, true);

/** Attributes a sort needs generated (lookups need the lookup value itself). */
export function sortAttributes(keys: OrderKey[]): AttrDef[] {
  return keys.map((k) => k.attr).filter((a) => a.name !== "versionnumber");
}
