// Base records are generated on demand from (seed, table, index); nothing is stored per row.
import { MANY_TO_MANY, TABLES, type AttrDef, type GenContext, type LookupRef, type TableDef, type Value } from "./demo-org.ts";
import { Stream, baseId, hash32, int, tablePrefix, type Rng } from "./values.ts";

export type Rec = Record<string, Value>;

const attrSeeds = new WeakMap<AttrDef, number>();
function attrSeed(a: AttrDef): number {
  let v = attrSeeds.get(a);
  if (v === undefined) attrSeeds.set(a, (v = hash32(a.seedFrom ?? a.name)));
  return v;
}

export interface TableRuntime {
  def: TableDef;
  /** Attributes (mutable copy: schema changes add to it). */
  attributes: AttrDef[];
  prefix: string;
  baseCount: number;
  /** Base record i has version versionOffset + i + 1. */
  versionOffset: number;
  streamSeed: number;
}

export class Generator {
  readonly tables = new Map<string, TableRuntime>();
  readonly baseMax: number;
  /** Reused for every row: generation is synchronous and allocation showed up in profiles. */
  private readonly ctx: GenContext;
  private readonly stream = new Stream();

  constructor(readonly seed: number, readonly records: number) {
    let offset = 1000;
    for (const t of TABLES) {
      const def: TableDef = { ...t, attributes: [...t.attributes] };
      const baseCount = t.size(records);
      this.tables.set(t.logicalName, {
        def, attributes: def.attributes, prefix: tablePrefix(seed, t.logicalName), baseCount,
        versionOffset: offset, streamSeed: hash32(t.logicalName, seed),
      });
      offset += baseCount;
    }
    this.baseMax = offset;
    this.ctx = { index: 0, ref: (table, r) => this.ref(table, r) };
  }

  table(name: string): TableRuntime | undefined {
    return this.tables.get(name);
  }

  baseId(table: TableRuntime, index: number): string {
    return baseId(table.prefix, index);
  }

  private ref(tableName: string, r: Rng): LookupRef | null {
    const t = this.tables.get(tableName);
    if (!t || t.baseCount === 0) return null;
    return { id: baseId(t.prefix, int(r, 0, t.baseCount - 1)), type: tableName };
  }

  /**
   * The generated state of base row `index` (primary id included, versionnumber not). With `only`,
   * just those attributes: each attribute has its own stream, so a page of 5 columns does not pay
   * for 20 (serving pages is the hot path).
   */
  generate(t: TableRuntime, index: number, only?: readonly AttrDef[]): Rec {
    const rec: Rec = { [t.def.primaryId]: baseId(t.prefix, index) };
    if (t.def.isIntersect) return this.intersectRow(t, index, rec);
    const rowSeed = (t.streamSeed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
    const ctx = this.ctx;
    ctx.index = index;
    const s = this.stream;
    for (const a of only ?? t.attributes) {
      if (a.gen) {
        s.seed(Math.imul(rowSeed ^ attrSeed(a), 0x85ebca6b));
        rec[a.name] = a.gen(s.next, ctx);
      } else if (a.name !== t.def.primaryId && a.name !== "versionnumber" && !a.attributeOf && a.kind !== "Virtual") {
        rec[a.name] = null;
      }
    }
    return rec;
  }

  /** Intersect row k links account 4k with lead k mod leads, so pairs can be recognised without a table. */
  private intersectRow(t: TableRuntime, k: number, rec: Rec): Rec {
    const rel = MANY_TO_MANY.find((m) => m.intersect === t.def.logicalName)!;
    const e1 = this.tables.get(rel.entity1)!;
    const e2 = this.tables.get(rel.entity2)!;
    rec[rel.entity1Attr] = baseId(e1.prefix, k * 4);
    rec[rel.entity2Attr] = baseId(e2.prefix, e2.baseCount ? k % e2.baseCount : 0);
    return rec;
  }

  /** Base intersect row index for a pair of base ids, or -1. */
  intersectIndex(t: TableRuntime, index1: number, index2: number): number {
    const rel = MANY_TO_MANY.find((m) => m.intersect === t.def.logicalName)!;
    const e2 = this.tables.get(rel.entity2)!;
    if (index1 < 0 || index2 < 0 || index1 % 4 !== 0) return -1;
    const k = index1 / 4;
    return k < t.baseCount && e2.baseCount > 0 && k % e2.baseCount === index2 ? k : -1;
  }
}
