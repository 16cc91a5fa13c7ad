// The faults the chaos run injects, one function each. A fault with a duration (slow responses,
// a read-only target, refused connections) heals itself after a random few seconds; `healAll`
// waits for those and puts everything back to normal before the catch-up phase.
import type { EmulatorControl } from "../../emulator/control.ts";
import type { Rng } from "../../emulator/values.ts";
import type { EngineProcess } from "./engine-process.ts";
import type { ChaosTarget } from "./pg-target.ts";
import type { TcpProxy } from "../../lib/testing/tcp-proxy.ts";

export interface FaultContext {
  control: EmulatorControl;
  proxy: TcpProxy;
  target: ChaosTarget;
  engine: EngineProcess;
  rng: Rng;
  /** Target schema and the target table of every synced table (dropping one is a fault). */
  schema: string;
  targetTables: string[];
  /** Tables the churn writes to (columns are added to / removed from these). */
  churnTables: string[];
  say(line: string): void;
}

export interface Fault {
  kind: string;
  run(ctx: FaultContext): Promise<void>;
}

const between = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let added = 0;

export function faultCatalogue(): Fault[] {
  const faults: Fault[] = [
    {
      kind: "engine kill -9",
      async run(c) {
        await c.engine.kill9();
        await sleep(between(c.rng, 200, 2500));
        c.engine.start();
      },
    },
    {
      kind: "source 429 storm",
      run: (c) => c.control.injectFaults({ status: 429, count: between(c.rng, 5, 20), retryAfterSeconds: between(c.rng, 1, 2) }),
    },
    {
      kind: "source 5xx",
      run: (c) => c.control.injectFaults({ status: pick(c.rng, [500, 502, 503, 504] as const), count: between(c.rng, 2, 12) }),
    },
    {
      kind: "source dropped connections",
      run: (c) => c.control.injectFaults({ status: 0, count: between(c.rng, 1, 8) }),
    },
    {
      kind: "source slow responses",
      async run(c) {
        await c.control.slow({ ms: between(c.rng, 200, 2000) });
        await sleep(between(c.rng, 2000, 8000));
        await c.control.slow({ ms: 0 });
      },
    },
    {
      kind: "source delta tokens expired",
      run: (c) => c.control.expireDeltaTokens(),
    },
    {
      kind: "source column added",
      async run(c) {
        const table = pick(c.rng, c.churnTables);
        const kind = pick(c.rng, ["Integer", "String", "Decimal", "Boolean"] as const);
        const name = `cr0a1_chaos${++added}`;
        await c.control.addAttribute(table, { logicalName: name, kind, ...(kind === "String" ? { maxLength: 40 } : {}) });
        addedColumns.set(table, [...(addedColumns.get(table) ?? []), name]);
        c.say(`           ${table}.${name} (${kind})`);
      },
    },
    {
      kind: "target connections cut",
      async run(c) {
        c.proxy.refuse(true);
        c.proxy.cutAll();
        await sleep(between(c.rng, 500, 5000));
        c.proxy.refuse(false);
      },
    },
    {
      kind: "target slow",
      async run(c) {
        c.proxy.delay(between(c.rng, 50, 500));
        await sleep(between(c.rng, 2000, 6000));
        c.proxy.delay(0);
      },
    },
    {
      kind: "target read-only",
      async run(c) {
        await c.target.readOnly(true);
        await sleep(between(c.rng, 2000, 10_000));
        await c.target.readOnly(false);
      },
    },
    {
      kind: "target table dropped",
      async run(c) {
        const table = pick(c.rng, c.targetTables);
        c.say(`           ${c.schema}.${table}`);
        if (!(await c.target.dropTable(c.schema, table))) {
          const there = (await c.target.pg.admin<{ t: string }>("select table_schema || '.' || table_name as t from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema')")).map((x) => x.t);
          c.say(`  (table ${c.schema}.${table} was not there to drop; there: ${there.join(", ")})`);
        }
      },
    },
    {
      kind: "source column removed",
      async run(c) {
        // A column the engine exports: one the run added earlier, else one of the demo's own.
        const candidates = c.churnTables.flatMap((t) => [...(addedColumns.get(t) ?? []), ...(REMOVABLE[t] ?? [])].map((a) => [t, a] as const));
        const left = candidates.filter(([t, a]) => !removedColumns.has(`${t}.${a}`));
        if (!left.length) return c.say("           (no column left to remove)");
        const [table, attr] = pick(c.rng, left);
        removedColumns.add(`${table}.${attr}`);
        await c.control.removeAttribute(table, attr);
        c.say(`           ${table}.${attr}`);
      },
    },
  ];
  return faults;
}

/** Columns of the demo tables that can go without touching ids, versions or the primary name. */
const REMOVABLE: Record<string, string[]> = {
  account: ["description", "numberofemployees", "exchangerate"],
  contact: ["emailaddress1", "creditlimit"],
  lead: ["companyname", "estimatedamount"],
  cr0a1_project: ["cr0a1_budget", "cr0a1_hours"],
};
const addedColumns = new Map<string, string[]>();
const removedColumns = new Set<string>();

/**
 * Picks faults as a shuffled bag: every kind once per round in a seeded random order, so even a
 * short run meets each kind and the same seed gives the same sequence.
 */
export function faultBag(faults: Fault[], rng: Rng): () => Fault {
  let bag: Fault[] = [];
  return () => {
    if (!bag.length) {
      bag = [...faults];
      for (let i = bag.length - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        [bag[i], bag[j]] = [bag[j], bag[i]];
      }
    }
    return bag.pop()!;
  };
}
