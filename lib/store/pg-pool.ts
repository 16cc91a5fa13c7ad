// The pg pool behind the PostgreSQL store (runtime client and Prisma CLI alike).
//
// @prisma/adapter-pg 6.19.3 maps each result column's type OID to a Prisma column type and throws
// "Unsupported column type" for `name` (OID 19) and `"char"` (OID 18) — the types of most
// pg_catalog columns, which the schema engine reads for `migrate deploy|status`, `db push` and
// `db pull` (prisma/prisma#27403). pg already parses both as strings; the client below only
// reports them as `text` (OID 25) so the adapter accepts them.
import pg from "pg";

const TEXT_OID = 25;
const AS_TEXT = new Set([18, 19]);

type FieldLike = { dataTypeID: number };
type ResultLike = { fields?: FieldLike[] } | undefined;

/** Rewrites `name`/`"char"` column types to `text` in a pg result (or array of results). */
export function reportCatalogTypesAsText<R>(result: R): R {
  const results = Array.isArray(result) ? (result as ResultLike[]) : [result as ResultLike];
  for (const r of results) {
    for (const f of r?.fields ?? []) if (AS_TEXT.has(f.dataTypeID)) f.dataTypeID = TEXT_OID;
  }
  return result;
}

type Callback = (err: Error | null, res?: unknown) => void;

/** pg.Client whose results never report OIDs 18/19: both the promise and the callback forms. */
export class CatalogTextClient extends pg.Client {
  // pg's overloads are many; the override forwards whatever it gets.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query(...args: any[]): any {
    const last = args[args.length - 1];
    if (typeof last === "function") {
      const cb = last as Callback;
      args[args.length - 1] = (err: Error | null, res?: unknown) => cb(err, err ? res : reportCatalogTypesAsText(res));
      return (super.query as (...a: unknown[]) => unknown)(...args);
    }
    const ret = (super.query as (...a: unknown[]) => unknown)(...args);
    if (ret && typeof (ret as Promise<unknown>).then === "function") return (ret as Promise<unknown>).then(reportCatalogTypesAsText);
    return ret;
  }
}

export interface StorePoolOptions {
  /** Connections at most (pg's default is 10). */
  max?: number;
}

export function createStorePool(url: string, opts: StorePoolOptions = {}): pg.Pool {
  return new pg.Pool({ connectionString: url, Client: CatalogTextClient, max: opts.max ?? 10 });
}
