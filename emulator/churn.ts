// A steady stream of creates/updates/deletes, so delta sync can be watched and benchmarked live.
import type { Rec } from "./record-gen.ts";
import type { Store, TableState } from "./store.ts";
import { rng, type Rng } from "./values.ts";

export interface ChurnStatus { ratePerSecond: number; tables: string[]; operations: number }

export class Churn {
  private timer: NodeJS.Timeout | null = null;
  private status: ChurnStatus | null = null;
  private readonly r: Rng;

  constructor(private readonly store: Store) {
    this.r = rng(store.seed ^ 0x2545f491);
  }

  start(ratePerSecond: number, tables: string[]): void {
    this.stop();
    const states = tables.map((name) => {
      const t = this.store.table(name);
      if (!t) throw new Error(`unknown table '${name}'`);
      if (t.def.isIntersect) throw new Error(`churn on intersect table '${name}' is not supported; use associate/disassociate`);
      return t;
    });
    const status: ChurnStatus = { ratePerSecond, tables, operations: 0 };
    this.status = status;
    const tickMs = 50;
    let due = 0;
    let last = Date.now();
    this.timer = setInterval(() => {
      const now = Date.now();
      due += ((now - last) / 1000) * ratePerSecond;
      last = now;
      for (; due >= 1; due--) {
        this.once(states[Math.floor(this.r() * states.length)]);
        status.operations++;
      }
    }, tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.status = null;
  }

  current(): ChurnStatus | null {
    return this.status ? { ...this.status } : null;
  }

  private randomRowId(t: TableState): string | null {
    const pos = Math.floor(this.r() * this.store.positions(t));
    return this.store.rowAt(t, pos)?.id ?? null;
  }

  private once(t: TableState): void {
    const roll = this.r();
    if (roll < 0.4 || this.store.positions(t) === 0) {
      const template = this.store.gen.generate(t, Math.floor(this.r() * Math.max(1, t.baseCount)));
      const values: Rec = { ...template };
      delete values[t.def.primaryId];
      this.store.create(t, values);
    } else if (roll < 0.85) {
      const id = this.randomRowId(t);
      const attr = t.attributes.find((a) => a.kind === "String" && a.name === t.def.primaryName);
      if (id) this.store.update(t, id, attr ? { [attr.name]: `Updated at v${this.store.version + 1}` } : {});
    } else {
      const id = this.randomRowId(t);
      if (id) this.store.delete(t, id);
    }
  }
}
