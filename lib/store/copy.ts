// Copies one portal store into another (SQLite → PostgreSQL to move an install; any direction
// works): every model in prisma/schema.prisma, rows as they are — encrypted secrets stay
// encrypted with the same key, checkpoints and counters unchanged — so the copied install
// resumes where the source stopped. The target must be empty; it is written in one transaction
// (a failed copy leaves it empty) and its sequences continue after the copied ids.
import type { Db } from "../db";
import { createDb } from "../db";
import { migrateStore } from "./migrate";
import { storeProvider } from "./provider";
import { storeModels, type StoreModel } from "./schema-models";

export interface CopyResult {
  /** Rows copied per model, in copy order. */
  counts: Record<string, number>;
}

export class TargetNotEmptyError extends Error {}

/**
 * Process state of the old install, not data (lib/sync/ownership): its worker rows name processes
 * of the old hosts (and PostgreSQL backend pids a peer might terminate), so they are not copied;
 * profile leases are copied released, keeping their fencing epochs, so the new install's workers
 * take them at once. Every other model is copied row for row.
 */
export const PROCESS_STATE: Record<string, "skip" | ((row: Row) => Row)> = {
  Worker: "skip",
  ProfileLease: (row) => ({ ...row, ownerId: null, expiresAt: new Date(0) }),
};

// Rows per page: as many as fit in ~30,000 bind parameters (PostgreSQL allows 65,535, SQLite
// 32,766), at most 5,000 — big pages cut the round trips that dominate a copy.
const MAX_PARAMS = 30_000;
const MAX_BATCH = 5_000;
type Row = Record<string, unknown>;
// Delegates are reached by name: the models come from the schema file, not from code.
type Delegate = {
  count(): Promise<number>;
  findMany(args: object): Promise<Row[]>;
  createMany(args: { data: Row[] }): Promise<{ count: number }>;
};
const delegate = (db: unknown, m: StoreModel) => (db as Record<string, Delegate>)[m.delegate];

async function* rowsOf(db: Db, m: StoreModel): AsyncGenerator<Row[]> {
  const orderBy = m.id.map((f) => ({ [f]: "asc" }));
  const first = await delegate(db, m).findMany({ orderBy, take: 1 });
  if (!first.length) return;
  const BATCH = Math.max(1, Math.min(MAX_BATCH, Math.floor(MAX_PARAMS / Object.keys(first[0]).length)));
  if (m.id.length === 1) {
    // Keyset pages: constant cost per page on big tables (the failure log).
    const [key] = m.id;
    let last: unknown;
    for (;;) {
      const page = await delegate(db, m).findMany({ where: last === undefined ? {} : { [key]: { gt: last } }, orderBy, take: BATCH });
      if (page.length) yield page;
      if (page.length < BATCH) return;
      last = page[page.length - 1][key];
    }
  }
  for (let skip = 0; ; skip += BATCH) {
    const page = await delegate(db, m).findMany({ orderBy, skip, take: BATCH });
    if (page.length) yield page;
    if (page.length < BATCH) return;
  }
}

/** Tables of the target that hold rows (an empty list: the target may receive a copy). */
export async function nonEmptyModels(db: Db, models = storeModels()): Promise<string[]> {
  const out: string[] = [];
  for (const m of models) if ((await delegate(db, m).count()) > 0) out.push(m.name);
  return out;
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Writes one page. PostgreSQL: one statement with the page as a single JSON parameter, expanded
 * to the table's row type by json_populate_recordset — Prisma's createMany through adapter-pg
 * binds every value separately and manages about 1,000 rows/s here. Rows from findMany carry
 * every column, so no column falls back to NULL; DateTimes travel as UTC ISO strings, which is
 * how Prisma stores them in timestamp(3). SQLite: createMany.
 */
async function writePage(tx: unknown, m: StoreModel, provider: string, page: Row[]): Promise<number> {
  if (provider !== "postgresql") return (await delegate(tx, m).createMany({ data: page })).count;
  const table = quoteIdent(m.table);
  const run = (tx as { $executeRawUnsafe(sql: string, ...values: unknown[]): Promise<number> }).$executeRawUnsafe.bind(tx);
  const renamed = Object.keys(m.columns).length
    ? page.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [m.columns[k] ?? k, v])))
    : page;
  return run(`INSERT INTO ${table} SELECT * FROM json_populate_recordset(NULL::${table}, $1::json)`, JSON.stringify(renamed));
}

/** PostgreSQL sequences do not move when ids are inserted explicitly; SQLite's do. */
async function continueSequences(tx: unknown, m: StoreModel, provider: string): Promise<void> {
  if (provider !== "postgresql") return;
  const run = (tx as { $executeRawUnsafe(sql: string): Promise<number> }).$executeRawUnsafe.bind(tx);
  for (const f of m.autoincrement) {
    const table = `"${m.table.replace(/"/g, '""')}"`;
    const column = m.columns[f] ?? f;
    const col = `"${column.replace(/"/g, '""')}"`;
    await run(
      `SELECT setval(pg_get_serial_sequence('${table.replace(/'/g, "''")}', '${column.replace(/'/g, "''")}'), COALESCE((SELECT MAX(${col}) FROM ${table}), 0) + 1, false)`,
    );
  }
}

export async function copyStore(fromUrl: string, toUrl: string, log: (line: string) => void = () => {}): Promise<CopyResult> {
  const models = storeModels();
  // Both at the current schema: an older source is upgraded the way a start would upgrade it.
  migrateStore(fromUrl);
  migrateStore(toUrl);
  const from = createDb(fromUrl);
  const to = createDb(toUrl);
  try {
    const busy = await nonEmptyModels(to, models);
    if (busy.length) throw new TargetNotEmptyError(`the target store is not empty (rows in ${busy.join(", ")}): copy only into a new, empty store`);
    const counts: Record<string, number> = {};
    const provider = storeProvider(toUrl);
    await to.$transaction(
      async (tx) => {
        for (const m of models) {
          const policy = PROCESS_STATE[m.name];
          let n = 0;
          if (policy !== "skip") {
            for await (const page of rowsOf(from, m)) n += await writePage(tx, m, provider, policy ? page.map(policy) : page);
          }
          await continueSequences(tx, m, provider);
          counts[m.name] = n;
          log(`${m.name}: ${n}`);
        }
      },
      // A big failure log takes a while; the default 5 s would abort the copy.
      { timeout: 6 * 3600_000, maxWait: 60_000 },
    );
    // Count again outside the transaction: what a reader of the new store sees.
    for (const m of models) {
      if (PROCESS_STATE[m.name] === "skip") continue;
      const [a, b] = [await delegate(from, m).count(), await delegate(to, m).count()];
      if (a !== b) throw new Error(`${m.name}: ${a} rows in the source, ${b} in the target after the copy (was the source in use?)`);
    }
    return { counts };
  } finally {
    await from.$disconnect();
    await to.$disconnect();
  }
}
