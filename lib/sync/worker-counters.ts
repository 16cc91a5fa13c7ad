// In-process counters of a sync process that the store does not hold (pages read, 429s, lease
// takeovers, fenced runners). Published with each heartbeat (Worker.counters) so the web
// process's /api/metrics can export them per worker.
import type { ChangeSource } from "../dataverse/types";
import { dataverseClientFor, type SourceFactory } from "./source-factory";

export interface CounterSnapshot {
  pages: { profile: string; table: string; n: number }[];
  throttled: { profile: string; n: number }[];
  takeovers: number;
  acquisitions: number;
  fenced: number;
}

export class WorkerCounters {
  private readonly pages = new Map<string, number>();
  private readonly throttled = new Map<string, number>();
  takeovers = 0;
  acquisitions = 0;
  fenced = 0;

  page(profile: string, table: string): void {
    const k = `${profile}\u0000${table}`;
    this.pages.set(k, (this.pages.get(k) ?? 0) + 1);
  }

  throttle(profile: string): void {
    this.throttled.set(profile, (this.throttled.get(profile) ?? 0) + 1);
  }

  snapshot(): CounterSnapshot {
    return {
      pages: [...this.pages].map(([k, n]) => {
        const [profile, table] = k.split("\u0000");
        return { profile, table, n };
      }),
      throttled: [...this.throttled].map(([profile, n]) => ({ profile, n })),
      takeovers: this.takeovers,
      acquisitions: this.acquisitions,
      fenced: this.fenced,
    };
  }
}

/**
 * The source factory of one profile's runner, counting the pages it reads and the 429 answers
 * it gets (the default Dataverse client is built with a counting fetch; an injected factory
 * — tests — only has its pages counted).
 */
export function countingSourceFactory(base: SourceFactory | undefined, profile: string, counters: WorkerCounters): SourceFactory {
  return (org) => {
    const countingFetch: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (res.status === 429) counters.throttle(profile);
      return res;
    };
    const source: ChangeSource = base ? base(org) : dataverseClientFor(org, { fetch: countingFetch });
    return new Proxy(source, {
      get(target, prop) {
        const v = Reflect.get(target, prop);
        if (typeof v !== "function") return v;
        if (prop !== "readChanges") return v.bind(target);
        return (info: { logicalName: string }, ...rest: unknown[]) => {
          const inner = (v as (...a: unknown[]) => AsyncIterable<unknown>).call(target, info, ...rest);
          return (async function* () {
            for await (const page of inner) {
              counters.page(profile, info.logicalName);
              yield page;
            }
          })();
        };
      },
    });
  };
}
