// SQL Server / Azure SQL target (mssql + tedious). Objects live in [schema].[table]; upserts are
// version-guarded UPDATE + INSERT over multi-row VALUES, chunked under the 2100-parameter limit,
// or — for batches of bulkMinRows and more — bulk-loaded (TDS bulk load) into a #staging table and
// merged from there with the same guard, in the batch's transaction.
import mssql from "mssql";
import type { CompiledQuery } from "kysely";
import { DestinationConnectError } from "./errors";
import { identityEncoder } from "./row-values";
import {
  BULK_STAGE,
  createSchemaSql,
  liveColumnsSql,
  liveWidth,
  MSSQL_MAX_PARAMS,
  MY_PERMISSIONS_SQL,
  permissionChecks,
  permissionQuerySql,
  rowsPerUpsert,
  schemaIdSql,
  upsertSql,
  seenInsertSql,
  stageColumn,
  stagedUpsertSql,
  updateColumnsSql,
  widenColumnSql,
} from "./mssql-sql";
import { SqlDestination, type LiveColumn, type Run, type RunResult } from "./sql-destination";
import type { ColumnSpec, ColumnType, DestinationOptions, TargetTableSpec, ValidationCheck } from "./types";

/** Declared parameter types for the upsert's VALUES, so its columns get the target's types. */
function paramType(c: ColumnSpec): mssql.ISqlType | (() => mssql.ISqlType) {
  const t: Record<ColumnType, () => mssql.ISqlType> = {
    guid: () => mssql.UniqueIdentifier(),
    string: () => mssql.NVarChar(mssql.MAX),
    text: () => mssql.NVarChar(mssql.MAX),
    int: () => mssql.Int(),
    bigint: () => mssql.BigInt(),
    bool: () => mssql.Bit(),
    datetime: () => mssql.DateTime2(7),
    date: () => mssql.Date(),
    // Exact decimal text, converted by the server into the column's decimal(38,s): tedious's
    // Decimal parameter goes through a double and would round past ~15 digits.
    decimal: () => mssql.VarChar(64),
    float: () => mssql.Float(),
    money: () => mssql.VarChar(64),
  };
  return t[c.type]();
}

type Requester = () => mssql.Request;

/**
 * What the bulk path needs beyond Run, on the transaction's connection: a parameterless batch
 * (sent as a batch, not through sp_executesql, so a #table it creates outlives it) and the bulk
 * load itself. Both return rows affected.
 */
export interface BulkSession {
  batch(q: CompiledQuery): Promise<number>;
  load(table: mssql.Table): Promise<number>;
}
/** A Run that can also bulk-load (the one inTransaction hands to writeRows). */
export type BulkRun = Run & { bulk?: BulkSession };

/**
 * Batches of at least this many rows are bulk-loaded. Not measured against a server (none runs
 * here): chosen where the parameterised path needs ~10 requests (35 columns: 57 rows a request)
 * while the bulk path needs 3 (create, load, merge) whatever the batch size.
 */
export const DEFAULT_BULK_MIN_ROWS = 500;

export interface MssqlTuning {
  /** Rows from which a batch is bulk-loaded (Infinity: never; 1: always). */
  bulkMinRows?: number;
}

export class MssqlDestination extends SqlDestination {
  readonly kind = "mssql" as const;
  protected readonly encoder = identityEncoder;
  protected readonly maxParams = MSSQL_MAX_PARAMS;
  protected readonly identityKeySql = "bigint identity(1,1) primary key";
  protected override readonly addColumnSql = "add";
  private pool: Promise<mssql.ConnectionPool> | null = null;

  /** `display` is the redacted target (describeTarget) used in error messages. */
  constructor(
    private readonly config: mssql.config,
    options: DestinationOptions,
    private readonly display: string,
    private readonly tuning: MssqlTuning = {},
  ) {
    super(options);
  }

  private get schema(): string {
    return this.options.schemaName || "dbo";
  }

  private connect(): Promise<mssql.ConnectionPool> {
    if (!this.pool) {
      const pool = new mssql.ConnectionPool(this.config);
      pool.on("error", () => undefined);
      this.pool = pool.connect().catch((err: Error) => {
        this.pool = null;
        throw new DestinationConnectError(`Cannot connect to SQL Server at ${this.display}: ${err.message}`, err, "ESOCKET");
      });
    }
    return this.pool;
  }

  private static runner(request: Requester): Run {
    return async (q, types) => {
      const req = request();
      q.parameters.forEach((v, i) =>
        types ? req.input(String(i + 1), types[i] as mssql.ISqlType, v) : req.input(String(i + 1), v),
      );
      const r = await req.query(q.sql);
      const affected = r.rowsAffected.reduce((a, b) => a + b, 0);
      return { rows: (r.recordset ?? []) as Record<string, unknown>[], affected };
    };
  }

  protected async run(q: CompiledQuery): Promise<RunResult> {
    const pool = await this.connect();
    return MssqlDestination.runner(() => pool.request())(q);
  }

  protected async inTransaction<T>(fn: (run: Run) => Promise<T>): Promise<T> {
    const tx = new mssql.Transaction(await this.connect());
    await tx.begin();
    const request = () => new mssql.Request(tx);
    const sum = (counts: number[]) => counts.reduce((a, b) => a + b, 0);
    const bulk: BulkSession = {
      batch: async (q) => sum((await request().batch(q.sql)).rowsAffected),
      load: async (table) => (await request().bulk(table)).rowsAffected,
    };
    const run: BulkRun = Object.assign(MssqlDestination.runner(request), { bulk });
    try {
      const out = await fn(run);
      await tx.commit();
      return out;
    } catch (err) {
      // The server may already have rolled back (XACT_ABORT); the original error is what matters.
      await tx.rollback().catch(() => undefined);
      throw err;
    }
  }

  protected async liveColumns(run: Run, table: string): Promise<LiveColumn[] | null> {
    const { rows } = await run(liveColumnsSql(this.schema, table));
    if (rows.length === 0) return null;
    return rows.map((r) => ({ name: String(r.name), width: liveWidth(String(r.type), r.len === null ? null : Number(r.len)) }));
  }

  protected async createSchemaIfMissing(run: Run): Promise<void> {
    if ((await run(schemaIdSql(this.schema))).rows[0]?.id != null) return;
    try {
      await run(createSchemaSql(this.schema));
    } catch (err) {
      // 2714: created meanwhile by another session — what we wanted.
      if ((err as { number?: number }).number !== 2714) throw err;
    }
  }

  protected widenSql(table: string, col: ColumnSpec, to: number): CompiledQuery {
    return widenColumnSql(this.schema, table, col, to);
  }

  protected override paramTypes(columns: ColumnSpec[]): unknown[] {
    return columns.map(paramType);
  }

  protected writeRows(run: Run, spec: TargetTableSpec, rows: unknown[][]): Promise<number> {
    const bulk = (run as BulkRun).bulk;
    if (bulk && rows.length >= (this.tuning.bulkMinRows ?? DEFAULT_BULK_MIN_ROWS)) return this.bulkUpsert(bulk, spec, rows);
    return this.inChunks(run, spec, rows, upsertSql);
  }

  /** Create #dvx_stage, bulk-load the rows into it, merge with the version guard, drop it. */
  private async bulkUpsert(bulk: BulkSession, spec: TargetTableSpec, rows: unknown[][]): Promise<number> {
    const plan = stagedUpsertSql(this.schema, spec);
    await bulk.batch(plan.create);
    const table = new mssql.Table(BULK_STAGE);
    table.create = false;
    spec.columns.forEach((c, i) => table.columns.add(stageColumn(i), paramType(c), { nullable: true }));
    // The row arrays are handed over as they are (mssql turns date text into Dates in place).
    for (const row of rows) table.rows.push(row as mssql.IRow);
    await bulk.load(table);
    return bulk.batch(plan.merge);
  }

  protected writeColumnUpdates(run: Run, spec: TargetTableSpec, rows: unknown[][]): Promise<number> {
    return this.inChunks(run, spec, rows, updateColumnsSql);
  }

  /** Rows sent in chunks under the parameter limit; returns the rows the server reports affected. */
  private async inChunks(run: Run, spec: TargetTableSpec, rows: unknown[][], build: (schema: string, spec: TargetTableSpec, rows: unknown[][]) => CompiledQuery): Promise<number> {
    const types = spec.columns.map(paramType);
    const per = rowsPerUpsert(types.length);
    let affected = 0;
    for (let start = 0; start < rows.length; start += per) {
      const chunk = rows.slice(start, start + per);
      // Parameters are bound row by row, so parameter i has column i % n's type.
      affected += (await run(build(this.schema, spec, chunk), chunk.flatMap(() => types))).affected;
    }
    return affected;
  }

  protected override seenInsertSql(table: string, ids: string[]): CompiledQuery {
    return seenInsertSql(this.schema, table, ids);
  }

  async validate(): Promise<ValidationCheck[]> {
    let pool: mssql.ConnectionPool;
    try {
      pool = await this.connect();
    } catch (err) {
      return [{
        id: "connect",
        label: `Connect to ${this.display}`,
        ok: false,
        message: (err as Error).message,
        fix: "Check server, port, database, user and password, the firewall (Azure SQL: allow this machine's IP), and the Encrypt/TrustServerCertificate settings.",
      }];
    }
    const checks: ValidationCheck[] = [{ id: "connect", label: `Connect to ${this.display}`, ok: true }];
    try {
      const run = MssqlDestination.runner(() => pool.request());
      const facts = (await run(permissionQuerySql(this.schema))).rows[0];
      const granted = (await pool.request().query(MY_PERMISSIONS_SQL)).recordset.map((r: { permission_name: string }) => r.permission_name);
      checks.push(
        ...permissionChecks({
          user: String(facts.user),
          schema: this.schema,
          schemaExists: Number(facts.schemaExists) === 1,
          alterSchema: Number(facts.alterSchema) === 1,
          granted,
        }),
      );
    } catch (err) {
      checks.push({ id: "query", label: "Read permissions", ok: false, message: (err as Error).message, fix: "Check that the user may query this database." });
    }
    return checks;
  }

  async close(): Promise<void> {
    const p = this.pool;
    this.pool = null;
    if (p) await (await p.catch(() => null))?.close();
  }
}
