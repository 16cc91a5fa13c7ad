// The harness's own comparison of target and source, independent of the product's code paths
// for writing: every live id + versionnumber (+ primary name) read from the emulator's Web API,
// every row read from PostgreSQL directly (not through the proxy).
import { DataverseClient } from "../../lib/dataverse/client.ts";
import { tableNameFor } from "../../lib/destinations/columns.ts";
import type { ChaosTarget } from "./pg-target.ts";

export interface TableDiff {
  table: string;
  source: number;
  target: number;
  missing: number;
  extra: number;
  stale: number;
  /** A few ids of each kind, to look them up in the engine's log. */
  samples: string[];
}

export interface Comparison {
  tables: TableDiff[];
  missing: number;
  extra: number;
  stale: number;
}

export async function compareDirect(
  source: { url: string; token: string },
  target: ChaosTarget,
  schema: string,
  prefix: string,
  tables: string[],
): Promise<Comparison> {
  const client = new DataverseClient({ url: source.url, token: source.token });
  const out: TableDiff[] = [];
  for (const logical of tables) {
    const info = (await client.getTableSchema(logical)).table;
    const nameAttr = info.primaryNameAttribute || null;
    const src = new Map<string, { version: string; name: string | null }>();
    for await (const page of client.readChanges(info, { select: nameAttr ? [nameAttr] : [], pageSize: 5000 })) {
      for (const r of page.upserts) src.set(r.id.toLowerCase(), { version: r.version, name: nameAttr ? ((r.values[nameAttr] as string | null) ?? null) : null });
    }
    const got = (await target.rows(schema, tableNameFor(logical, prefix), nameAttr)) ?? new Map();
    const d: TableDiff = { table: logical, source: src.size, target: got.size, missing: 0, extra: 0, stale: 0, samples: [] };
    const sample = (what: string, id: string) => void (d.samples.length < 6 && d.samples.push(`${what} ${id}`));
    for (const [id, s] of src) {
      const t = got.get(id);
      if (!t) {
        d.missing++;
        sample("missing", id);
      } else if (t.version !== s.version || (nameAttr && t.name !== s.name)) {
        d.stale++;
        sample(`stale (target v${t.version}, source v${s.version})`, id);
      }
    }
    for (const id of got.keys()) {
      if (!src.has(id)) {
        d.extra++;
        sample("extra", id);
      }
    }
    out.push(d);
  }
  return {
    tables: out,
    missing: out.reduce((n, d) => n + d.missing, 0),
    extra: out.reduce((n, d) => n + d.extra, 0),
    stale: out.reduce((n, d) => n + d.stale, 0),
  };
}
