// PostgreSQL target (pg). Identifiers are always quoted and kept exactly as DES named them
// ("dbo"."hatest_account"."SinkCreatedOn"), so the schema, prefix and column names a user knows
// from SQL Server work unchanged — with double quotes.
import pg from "pg";
import { sql, type CompiledQuery } from "kysely";
import { SYSTEM_COLUMNS } from "./columns";
import { DestinationConnectError } from "./errors";
import { assertNoNul, copyMerge, CopyEncoder } from "./postgres-copy";
import { copyDirect, DirectCopyPolicy, idIsKey } from "./postgres-direct";
import { identityEncoder, UNBOUNDED } from "./row-values";
import { SqlDestination, type LiveColumn, type Run, type RunResult } from "./sql-destination";
import { sqlTypeFor } from "./sql-types";
import type { ColumnSpec, ColumnType, DestinationOptions, EnsureTableResult, SourceRecord, TargetTableSpec, UpsertResult, ValidationCheck } from "./types";

/** Array element types for unnest(): unbounded so an over-long value errors instead of being cut. */
const ARRAY_TYPE: Record<ColumnType, string> = {
  guid: "uuid[]", string: "text[]", text: "text[]", int: "integer[]", bigint: "bigint[]",
  bool: "boolean[]", datetime: "timestamptz[]", date: "date[]", decimal: "numeric[]",
  float: "double precision[]", money: "numeric[]",
};
/** Rows per INSERT … SELECT FROM unnest(): one parameter per column, so only memory bounds it. */
const ROWS_PER_STATEMENT = 5000;
/**
 * Batches of at least this many rows go through COPY into a staging table + one merge; smaller
 * ones through the parameterised upsert (bench/write.ts measures both: see the README).
 */
export const DEFAULT_COPY_MIN_ROWS = 500;

export interface PostgresTuning {
  /** Rows from which a batch is written with COPY (Infinity: never; 1: always). */
  copyMinRows?: number;
  /** Try COPY-sized batches straight into the target first (postgres-direct.ts); default true. */
  directCopy?: boolean;
}

/** A Run bound to one pooled client, which COPY needs directly. */
type ClientRun = Run & { client: pg.PoolClient };

export class PostgresDestination extends SqlDestination {
  readonly kind = "postgres" as const;
  protected readonly encoder = identityEncoder;
  protected readonly maxParams = 65535;
  protected readonly identityKeySql = "bigint generated always as identity primary key";
  private pool: pg.Pool | null = null;
  private readonly direct: DirectCopyPolicy;

  /** `display` is the redacted target (describeTarget) used in error messages. */
  constructor(
    private readonly config: pg.PoolConfig,
    options: DestinationOptions,
    private readonly display: string,
    private readonly tuning: PostgresTuning = {},
  ) {
    super(options);
    this.direct = new DirectCopyPolicy(tuning.directCopy ?? true);
  }

  private get schema(): string {
    return this.options.schemaName || "dbo";
  }

  private getPool(): pg.Pool {
    if (!this.pool) {
      this.pool = new pg.Pool({ connectionTimeoutMillis: 10_000, ...this.config, max: this.config.max ?? 4 });
      // An idle client dropped by the server must not crash the process; the next query reconnects.
      this.pool.on("error", () => undefined);
      // Nor one dropped while checked out (the pool listens only to idle ones): pg rejects the
      // running query AND re-emits the socket error on the client, unhandled = process exit.
      this.pool.on("connect", (c) => c.on("error", () => undefined));
    }
    return this.pool;
  }

  private async client(): Promise<pg.PoolClient> {
    try {
      return await this.getPool().connect();
    } catch (err) {
      throw new DestinationConnectError(`Cannot connect to PostgreSQL at ${this.display}: ${(err as Error).message}`, err, "ECONNREFUSED");
    }
  }

  protected override colKey(name: string): string {
    return name;
  }

  private static runner(c: pg.PoolClient): ClientRun {
    const run = async (q: CompiledQuery) => {
      const r = await c.query(q.sql, q.parameters as unknown[]);
      return { rows: r.rows, affected: r.rowCount ?? 0 };
    };
    return Object.assign(run, { client: c });
  }

  protected async run(q: CompiledQuery): Promise<RunResult> {
    const c = await this.client();
    try {
      return await PostgresDestination.runner(c)(q);
    } finally {
      c.release();
    }
  }

  protected inTransaction<T>(fn: (run: Run) => Promise<T>): Promise<T> {
    return this.withTransactionClient(async (c) => {
      await c.query("begin");
      const out = await fn(PostgresDestination.runner(c));
      await c.query("commit");
      return out;
    });
  }

  /**
   * A pooled client for `fn`, which opens (and commits) a transaction on it: on any error it is
   * rolled back, and a client that cannot even roll back is dropped from the pool.
   */
  private async withTransactionClient<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.client();
    let broken = false;
    try {
      return await fn(c);
    } catch (err) {
      await c.query("rollback").catch(() => {
        broken = true;
      });
      throw err;
    } finally {
      c.release(broken);
    }
  }

  protected async liveColumns(run: Run, table: string): Promise<LiveColumn[] | null> {
    const { rows } = await run(
      this.compile(sql`select column_name, data_type, character_maximum_length from information_schema.columns
        where table_schema = ${this.schema} and table_name = ${table} order by ordinal_position`),
    );
    if (rows.length === 0) return null;
    return rows.map((r) => ({
      name: String(r.column_name),
      width: r.data_type === "character varying" && r.character_maximum_length != null ? Number(r.character_maximum_length) : null,
    }));
  }

  protected async createSchemaIfMissing(run: Run): Promise<void> {
    // Checked first: CREATE SCHEMA IF NOT EXISTS still demands CREATE on the database.
    const { rows } = await run(this.compile(sql`select 1 from pg_namespace where nspname = ${this.schema}`));
    if (rows.length === 0) await run(this.compile(sql`create schema if not exists ${sql.id(this.schema)}`));
  }

  protected widenSql(table: string, col: ColumnSpec, to: number): CompiledQuery {
    const type = to === UNBOUNDED ? "text" : sqlTypeFor("postgres", col, to);
    return this.compile(sql`alter table ${this.table(table)} alter column ${sql.id(col.name)} type ${sql.raw(type)}`);
  }

  private useCopy(rows: unknown[][]): boolean {
    return rows.length >= this.copyMinRows;
  }

  /**
   * COPY-sized batches: records encoded straight into COPY text (no rows built) while the server
   * parses the previous chunk, then merged — one transaction of three round trips (copyMerge).
   * The widening check needs every value's length, known only once the COPY has run: in the rare
   * batch that needs a wider column, the transaction is rolled back, the column widened outside
   * it (as on the row path) and the already-encoded bytes sent again.
   */
  protected override async upsertBatch(spec: TargetTableSpec, records: SourceRecord[]): Promise<UpsertResult> {
    if (records.length < this.copyMinRows) return super.upsertBatch(spec, records);
    const target = this.compile(sql`${this.table(spec.tableName)}`).sql;
    const encoder = new CopyEncoder(spec);
    const sent: Buffer[] = [];
    const source = encoder.chunks(records, new Date().toISOString());
    let encodeFailed = false;
    // Pulled by hand, not with for…of: a COPY that stops early (a failed direct COPY) closes this
    // generator, not the encoder, whose rest is then sent after what `sent` holds.
    const pull = function* () {
      for (;;) {
        let n: IteratorResult<Buffer>;
        try {
          n = source.next();
        } catch (err) {
          encodeFailed = true;
          throw err;
        }
        if (n.done) return;
        sent.push(n.value);
        yield n.value;
      }
    };
    // Loads the column widths (cached after the first batch) before the COPY's transaction.
    await this.widenForLongest(spec, []);
    let encoded: Iterable<Buffer> = pull();
    if (await this.tryDirect(spec)) {
      const copied = await this.withTransactionClient((c) => copyDirect(c, target, spec, encoded)).catch((err: unknown) => {
        // The encoder failed (a NUL: RecordValueError, the record's fault whichever way the batch
        // goes): it is done, so the other way would send only part of the batch.
        if (encodeFailed) throw err;
        this.direct.missed(spec.tableName);
        return -1;
      });
      if (copied >= 0) return { written: copied, widened: [] };
      const before = sent.slice();
      encoded = (function* () {
        yield* before;
        yield* pull();
      })();
    }
    return this.withTransactionClient(async (c) => {
      let widened: UpsertResult["widened"] = [];
      let written = await copyMerge(c, target, spec, { bytes: encoded }, "own", async () => {
        widened = await this.widenForLongest(spec, encoder.longest);
        if (widened.length === 0) return true;
        await c.query("rollback");
        return false;
      });
      if (written < 0) written = await copyMerge(c, target, spec, { bytes: sent }, "own");
      return { written, widened };
    });
  }

  /** Whether this COPY batch goes straight into the target (the key is checked once per table). */
  private async tryDirect(spec: TargetTableSpec): Promise<boolean> {
    const table = spec.tableName;
    if (this.direct.unchecked(table)) {
      const c = await this.client();
      try {
        this.direct.checked(table, await idIsKey(c, this.schema, table));
      } finally {
        c.release();
      }
    }
    return this.direct.tryNow(table);
  }

  override async ensureTable(spec: TargetTableSpec): Promise<EnsureTableResult> {
    const out = await super.ensureTable(spec);
    this.direct.forget(spec.tableName);
    return out;
  }

  private get copyMinRows(): number {
    return this.tuning.copyMinRows ?? DEFAULT_COPY_MIN_ROWS;
  }

  /** COPY-sized batches own their transaction (see copyMerge); smaller ones take writeRows. */
  protected override async writeBatch(spec: TargetTableSpec, rows: unknown[][], now: unknown): Promise<number> {
    if (!this.useCopy(rows)) return super.writeBatch(spec, rows, now);
    return this.withTransactionClient((c) => copyMerge(c, this.compile(sql`${this.table(spec.tableName)}`).sql, spec, rows, "own"));
  }

  protected async writeRows(run: Run, spec: TargetTableSpec, rows: unknown[][]): Promise<number> {
    const client = (run as Partial<ClientRun>).client;
    if (client && this.useCopy(rows)) {
      return copyMerge(client, this.compile(sql`${this.table(spec.tableName)}`).sql, spec, rows);
    }
    assertNoNul(spec, rows);
    const cols = spec.columns;
    const version = sql`${sql.id("t")}.${sql.id(SYSTEM_COLUMNS.version)}`;
    const updates = cols
      .filter((c) => c.name !== SYSTEM_COLUMNS.id && c.name !== SYSTEM_COLUMNS.createdOn)
      .map((c) => sql`${sql.id(c.name)} = excluded.${sql.id(c.name)}`);
    let written = 0;
    for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
      const part = rows.slice(start, start + ROWS_PER_STATEMENT);
      const arrays = cols.map((c, i) => sql`${part.map((r) => r[i])}::${sql.raw(ARRAY_TYPE[c.type])}`);
      const q = sql`insert into ${this.table(spec.tableName)} as ${sql.id("t")} (${sql.join(cols.map((c) => sql.id(c.name)))})
        select * from unnest(${sql.join(arrays)})
        on conflict (${sql.id(SYSTEM_COLUMNS.id)}) do update set ${sql.join(updates)}
        where ${version} is null or excluded.${sql.id(SYSTEM_COLUMNS.version)} >= ${version}`;
      written += (await run(this.compile(q))).affected;
    }
    return written;
  }

  protected async writeColumnUpdates(run: Run, spec: TargetTableSpec, rows: unknown[][]): Promise<number> {
    const cols = spec.columns;
    const [id, version, ...set] = cols.map((c) => c.name);
    const t = sql.id("t");
    const v = sql.id("v");
    let updated = 0;
    for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
      const part = rows.slice(start, start + ROWS_PER_STATEMENT);
      const arrays = cols.map((c, i) => sql`${part.map((r) => r[i])}::${sql.raw(ARRAY_TYPE[c.type])}`);
      const q = sql`update ${this.table(spec.tableName)} as ${t} set ${sql.join(set.map((c) => sql`${sql.id(c)} = ${v}.${sql.id(c)}`))}
        from unnest(${sql.join(arrays)}) as ${v} (${sql.join(cols.map((c) => sql.id(c.name)))})
        where ${t}.${sql.id(id)} = ${v}.${sql.id(id)} and (${t}.${sql.id(version)} is null or ${t}.${sql.id(version)} <= ${v}.${sql.id(version)})`;
      updated += (await run(this.compile(q))).affected;
    }
    return updated;
  }

  async validate(): Promise<ValidationCheck[]> {
    const checks: ValidationCheck[] = [];
    let c: pg.PoolClient;
    try {
      c = await this.client();
    } catch (err) {
      return [{
        id: "connect",
        label: `Connect to ${this.display}`,
        ok: false,
        message: (err as Error).message,
        fix: "Check host, port, database, user and password, and that the server accepts connections from this machine (listen_addresses, pg_hba.conf, firewall).",
      }];
    }
    try {
      checks.push({ id: "connect", label: `Connect to ${this.display}`, ok: true });
      const run = PostgresDestination.runner(c);
      const info = (await run(this.compile(sql`select current_user as "user", current_database() as "db",
          current_setting('server_version_num')::int as "version",
          (select count(*) from pg_namespace where nspname = ${this.schema})::int as "schemaExists",
          has_database_privilege(current_database(), 'CREATE') as "dbCreate"`))).rows[0];
      const user = String(info.user);
      const grant = (what: RawSql) => this.compile(what).sql + ";";
      checks.push(
        Number(info.version) >= 90500
          ? { id: "version", label: "PostgreSQL 9.5 or later", ok: true }
          : { id: "version", label: "PostgreSQL 9.5 or later", ok: false, message: `Server version ${info.version} has no INSERT … ON CONFLICT.`, fix: "Upgrade PostgreSQL to 9.5 or later." },
      );
      if (Number(info.schemaExists) === 0) {
        const ok = info.dbCreate === true;
        checks.push({
          id: "permission:CREATE ON DATABASE",
          label: `Create schema "${this.schema}" (CREATE on database ${info.db})`,
          ok,
          ...(ok ? {} : {
            message: `Schema "${this.schema}" does not exist and ${user} may not create schemas in database ${info.db}.`,
            fix: `${grant(sql`grant create on database ${sql.id(String(info.db))} to ${sql.id(user)}`)} -- or: ${grant(sql`create schema ${sql.id(this.schema)} authorization ${sql.id(user)}`)}`,
          }),
        });
      } else {
        const privs = (await run(this.compile(sql`select has_schema_privilege(${this.schema}, 'USAGE') as "usage",
            has_schema_privilege(${this.schema}, 'CREATE') as "create"`))).rows[0];
        for (const p of ["USAGE", "CREATE"] as const) {
          const ok = privs[p.toLowerCase()] === true;
          checks.push({
            id: `permission:${p} ON SCHEMA`,
            label: `${p} on schema "${this.schema}"`,
            ok,
            ...(ok ? {} : {
              message: `${user} lacks ${p} on schema "${this.schema}".`,
              fix: grant(sql`grant usage, create on schema ${sql.id(this.schema)} to ${sql.id(user)}`),
            }),
          });
        }
      }
    } catch (err) {
      checks.push({ id: "query", label: "Read privileges", ok: false, message: (err as Error).message, fix: "Check that the user may connect to and query this database." });
    } finally {
      c.release();
    }
    return checks;
  }

  async close(): Promise<void> {
    const p = this.pool;
    this.pool = null;
    await p?.end();
  }
}

type RawSql = ReturnType<typeof sql>;
