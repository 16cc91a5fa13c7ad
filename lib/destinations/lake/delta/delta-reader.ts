// Reads the lake's Delta tables with DuckDB (no delta extension offline): the log is replayed
// (newest checkpoint + later commits, adds minus removes) and the live Parquet files are read with
// read_parquet. `<table>` is the latest state without deleted rows; `raw.<table>` has the
// IsDelete rows too. `version` reads every table as of that version (time travel; it must be
// within the vacuum retention).
import type { LakeReader } from "../reader";
import type { LakeStorage } from "../storage";
import { DELTA_ROOT, DeltaTable } from "./delta-table";
import { Duck } from "./duck";
import { quoteId } from "./schema";

export interface DeltaReaderOptions {
  tables?: string[];
  version?: number;
}

/** Table names of the lake's Delta tables (folders deltalake/<table>_partitioned with a log). */
export async function deltaTables(storage: LakeStorage): Promise<string[]> {
  const names = new Set<string>();
  for (const f of await storage.list(`${DELTA_ROOT}/`)) {
    const m = /^deltalake\/(.+)_partitioned\/_delta_log\/\d{20}\.json$/.exec(f.path);
    if (m) names.add(m[1]);
  }
  return [...names].sort();
}

export async function openDeltaReader(storage: LakeStorage, opts: DeltaReaderOptions = {}): Promise<LakeReader> {
  const duck = new Duck({ memoryLimit: "512MB" });
  const tables = (await deltaTables(storage)).filter((t) => !opts.tables || opts.tables.includes(t));
  const open: DeltaTable[] = [];
  try {
    const conn = await duck.connect();
    await conn.run("CREATE SCHEMA raw");
    for (const name of tables) {
      const t = new DeltaTable(storage, name, duck, { granularity: "Year", targetFileBytes: 0, retentionHours: 0, checkpointEvery: 10 });
      open.push(t);
      t.snapshot = await t.replay(opts.version ?? Number.POSITIVE_INFINITY);
      const files = await t.liveFiles();
      // The view is built on this connection (temp views belong to one connection).
      await t.fileView(conn, `__${open.length}`, files, false);
      await conn.run(`CREATE VIEW raw.${quoteId(name)} AS SELECT * FROM __${open.length}`);
      await conn.run(`CREATE VIEW ${quoteId(name)} AS SELECT * FROM __${open.length} WHERE NOT coalesce("IsDelete", false)`);
    }
    return {
      tables,
      query: (sql) => conn.all(sql),
      async close() {
        for (const t of open) t.close();
        conn.close();
        await duck.close();
      },
    };
  } catch (err) {
    for (const t of open) t.close();
    await duck.close();
    throw err;
  }
}
