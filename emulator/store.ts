// The mutable part of the organization: an overlay of created/updated/deleted rows over the
// generated base, and one org-wide version counter (like SQL rowversion).
import { randomUUID } from "node:crypto";
import { MANY_TO_MANY, type AttrDef, type ManyToManyDef } from "./demo-org.ts";
import { Generator, type Rec, type TableRuntime } from "./record-gen.ts";
import { baseIndex } from "./values.ts";

export interface Entry {
  id: string;
  version: number;
  /** null: deleted (a tombstone, so delta reads can report it). */
  values: Rec | null;
  /** Position in `created` for rows that are not in the base range. */
  createdPos?: number;
}

export interface TableState extends TableRuntime {
  overlay: Map<string, Entry>;
  /** Ids of created rows in creation order (initial exports page over base, then these). */
  created: string[];
  /** Every change in version order: delta reads binary-search it. */
  log: { v: number; id: string }[];
}

export interface Row { id: string; version: number; values: Rec }

export class Store {
  readonly gen: Generator;
  readonly tables = new Map<string, TableState>();
  version: number;
  /** Delta tokens older than this are expired. */
  minValidVersion = 0;
  /** Server start, part of delta tokens: tokens from another run cannot see this run's changes. */
  readonly epoch = new Date();

  constructor(readonly seed: number, readonly records: number) {
    this.gen = new Generator(seed, records);
    for (const [name, t] of this.gen.tables) this.tables.set(name, { ...t, overlay: new Map(), created: [], log: [] });
    this.version = this.gen.baseMax;
  }

  table(name: string): TableState | undefined {
    return this.tables.get(name);
  }

  /** Row `pos` of the paging order (base rows, then created rows); null if deleted/absent. `only` limits generated columns. */
  rowAt(t: TableState, pos: number, only?: readonly AttrDef[]): Row | null {
    if (pos < t.baseCount) {
      const id = this.gen.baseId(t, pos);
      const e = t.overlay.size ? t.overlay.get(id) : undefined;
      if (e) return e.values ? { id, version: e.version, values: e.values } : null;
      return { id, version: t.versionOffset + pos + 1, values: this.gen.generate(t, pos, only) };
    }
    const id = t.created[pos - t.baseCount];
    const e = id ? t.overlay.get(id) : undefined;
    return e?.values ? { id, version: e.version, values: e.values } : null;
  }

  positions(t: TableState): number {
    return t.baseCount + t.created.length;
  }

  get(t: TableState, id: string): Row | null {
    const key = id.toLowerCase();
    const e = t.overlay.get(key);
    if (e) return e.values ? { id: key, version: e.version, values: e.values } : null;
    const i = baseIndex(t.prefix, key);
    return i >= 0 && i < t.baseCount ? this.rowAt(t, i) : null;
  }

  /** Live row count (base minus deleted plus created). */
  count(t: TableState): number {
    let n = t.baseCount;
    for (const e of t.overlay.values()) {
      if (e.createdPos === undefined && !e.values) n--;
      if (e.createdPos !== undefined && e.values) n++;
    }
    return n;
  }

  private stamp(t: TableState, id: string, values: Rec | null, createdPos?: number): Entry {
    const v = ++this.version;
    const prev = t.overlay.get(id);
    const e: Entry = { id, version: v, values, createdPos: createdPos ?? prev?.createdPos };
    t.overlay.set(id, e);
    t.log.push({ v, id });
    return e;
  }

  create(t: TableState, values: Rec, id: string = randomUUID()): Row {
    const key = id.toLowerCase();
    const rec: Rec = { ...this.blank(t), ...values, [t.def.primaryId]: key };
    // A re-created id keeps its paging position (base index or earlier created slot): no duplicates.
    const bi = baseIndex(t.prefix, key);
    let pos = t.overlay.get(key)?.createdPos;
    if (pos === undefined && !(bi >= 0 && bi < t.baseCount)) {
      pos = t.created.length;
      t.created.push(key);
    }
    const e = this.stamp(t, key, rec, pos);
    return { id: key, version: e.version, values: rec };
  }

  update(t: TableState, id: string, values: Rec): Row | null {
    const row = this.get(t, id);
    if (!row) return null;
    const rec: Rec = { ...row.values, ...values, [t.def.primaryId]: row.id };
    const e = this.stamp(t, row.id, rec);
    return { id: row.id, version: e.version, values: rec };
  }

  delete(t: TableState, id: string): boolean {
    const row = this.get(t, id);
    if (!row) return false;
    this.stamp(t, row.id, null);
    return true;
  }

  private blank(t: TableState): Rec {
    const rec: Rec = {};
    for (const a of t.attributes) if (readable(a) && a.name !== "versionnumber") rec[a.name] = null;
    return rec;
  }

  addAttribute(t: TableState, attr: AttrDef): void {
    if (t.attributes.some((a) => a.name === attr.name)) throw new Error(`attribute '${attr.name}' already exists on '${t.def.logicalName}'`);
    t.attributes.push(attr);
  }

  /** Schema change: the attribute is gone from metadata and from every read (stored values are kept, unseen). */
  removeAttribute(t: TableState, name: string): AttrDef {
    const i = t.attributes.findIndex((a) => a.name === name);
    if (i < 0) throw new Error(`attribute '${name}' does not exist on '${t.def.logicalName}'`);
    const a = t.attributes[i];
    if (name === t.def.primaryId || name === "versionnumber" || a.attributeOf) throw new Error(`attribute '${name}' cannot be removed`);
    t.attributes.splice(i, 1);
    return a;
  }

  relationship(name: string): ManyToManyDef | undefined {
    return MANY_TO_MANY.find((m) => m.schemaName === name);
  }

  /** The intersect row linking (id1 of entity1, id2 of entity2), if any. */
  findPair(rel: ManyToManyDef, id1: string, id2: string): Row | null {
    const it = this.tables.get(rel.intersect)!;
    const e1 = this.tables.get(rel.entity1)!;
    const e2 = this.tables.get(rel.entity2)!;
    const k = this.gen.intersectIndex(it, baseIndex(e1.prefix, id1), baseIndex(e2.prefix, id2));
    if (k >= 0) {
      const row = this.rowAt(it, k);
      if (row) return row;
    }
    for (const id of it.created) {
      const e = it.overlay.get(id);
      if (e?.values && e.values[rel.entity1Attr] === id1 && e.values[rel.entity2Attr] === id2) return { id, version: e.version, values: e.values };
    }
    return null;
  }
}

export function readable(a: AttrDef): boolean {
  return !a.attributeOf && a.kind !== "Virtual";
}
