// What the three SQL targets share: label tables, create-or-add-columns, metadata replacement,
// delete + DeleteLog, and the upsert pipeline (dedupe → rows → widen → write in one transaction).
// A dialect supplies execution, the catalog read, types and its fast bulk write.
import { sql, type CompiledQuery, type RawBuilder } from "kysely";
import type { TableSchema } from "../dataverse/types";
import { SYSTEM_COLUMNS } from "./columns";
import { compilerFor, type Compiler } from "./compilers";
import { DELETE_LOG, LABEL_TABLES, MARKER_TABLE, SEEN_TABLE, labelRowsFor, type FixedTable } from "./label-tables";
import { WidenColumnError } from "./errors";
import { assertNameFits } from "./names";
import { DEFAULT_ID_PAGE, idPageSql, toIdVersions } from "./id-scan";
import { latestById, makeRowBuilder, planWidening, wideningFor, type Encoder } from "./row-values";
import { sqlTypeFor } from "./sql-types";
import type {
  ColumnSpec,
  Destination,
  SqlDestinationKind,
  DestinationOptions,
  EnsureTableResult,
  IdScanOptions,
  IdVersion,
  SourceRecord,
  TargetMarker,
  TargetTableSpec,
  UpsertResult,
  ValidationCheck,
} from "./types";

export interface RunResult {
  rows: Record<string, unknown>[];
  affected: number;
}
/** Runs one statement; `paramTypes` are driver type hints per parameter (only mssql uses them). */
export type Run = (q: CompiledQuery, paramTypes?: readonly unknown[]) => Promise<RunResult>;

export interface LiveColumn {
  name: string;
  /** Current width of a bounded string column; null for every other column. */
  width: number | null;
}

type PrimaryKey = "guid" | "identity" | "none";

export abstract class SqlDestination implements Destination {
  abstract readonly kind: SqlDestinationKind;
  protected abstract readonly encoder: Encoder;
  /** Bind-parameter limit per statement (SQL Server 2100, PostgreSQL 65535). */
  protected abstract readonly maxParams: number;
  /** Column definition of DeleteLog's auto-numbered key. */
  protected abstract readonly identityKeySql: string;
  /** Keyword after ALTER TABLE … to add a column ("add column" / "add"). */
  protected readonly addColumnSql: string = "add column";

  /** Per table: bounded string columns → current width (keyed by colKey). */
  private widths = new Map<string, Map<string, number>>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly options: DestinationOptions) {}

  protected get db(): Compiler {
    return compilerFor(this.kind);
  }

  abstract validate(): Promise<ValidationCheck[]>;
  abstract close(): Promise<void>;
  /** Run one statement outside any transaction. */
  protected abstract run(q: CompiledQuery): Promise<RunResult>;
  /** All or nothing; `fn` runs every statement through the Run it is given. */
  protected abstract inTransaction<T>(fn: (run: Run) => Promise<T>): Promise<T>;
  /** The table's columns from the catalog, or null when it does not exist. */
  protected abstract liveColumns(run: Run, table: string): Promise<LiveColumn[] | null>;
  protected abstract createSchemaIfMissing(run: Run): Promise<void>;
  /** The dialect's bulk upsert with the version guard; returns rows written. */
  protected abstract writeRows(run: Run, spec: TargetTableSpec, rows: unknown[][], now: unknown): Promise<number>;
  /** ALTER statement giving `col` the width `to` (UNBOUNDED = max). */
  protected abstract widenSql(table: string, col: ColumnSpec, to: number): CompiledQuery;
  /**
   * Sets the columns of `spec` after Id and versionnumber (its first two) on existing rows whose
   * stored version is not newer than the row's; returns rows updated.
   */
  protected abstract writeColumnUpdates(run: Run, spec: TargetTableSpec, rows: unknown[][]): Promise<number>;

  /** Driver type hints for a row of these columns (SQL Server only). */
  protected paramTypes(_columns: ColumnSpec[]): unknown[] | undefined {
    return undefined;
  }

  /** How the target compares identifiers: SQL Server and SQLite ignore case. */
  protected colKey(name: string): string {
    return name.toLowerCase();
  }

  /** Serialize operations when the target has one connection (SQLite). */
  protected readonly serialized: boolean = false;
  protected exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.serialized) return fn();
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Schema-qualified, quoted table reference. */
  protected table(name: string): RawBuilder<unknown> {
    return sql.id(this.options.schemaName || "dbo", name);
  }

  protected compile(q: RawBuilder<unknown>): CompiledQuery {
    return q.compile(this.db);
  }

  protected columnDef(col: ColumnSpec, notNull = !col.nullable): RawBuilder<unknown> {
    const type = sql.raw(sqlTypeFor(this.kind, col));
    return notNull ? sql`${sql.id(col.name)} ${type} not null` : sql`${sql.id(col.name)} ${type} null`;
  }

  protected async ensure(run: Run, name: string, columns: ColumnSpec[], pk: PrimaryKey): Promise<EnsureTableResult> {
    for (const n of [name, ...columns.map((c) => c.name)]) assertNameFits(this.kind, n);
    const live = await this.liveColumns(run, name);
    if (live === null) {
      const defs = columns.map((c) => this.columnDef(c, !c.nullable || (pk === "guid" && c.name === SYSTEM_COLUMNS.id)));
      if (pk === "identity") defs.unshift(sql`${sql.id("Id")} ${sql.raw(this.identityKeySql)}`);
      if (pk === "guid") defs.push(sql`primary key (${sql.id(SYSTEM_COLUMNS.id)})`);
      await run(this.compile(sql`create table ${this.table(name)} (${sql.join(defs)})`));
      this.widths.delete(name); // read back from the catalog on first upsert
      return { created: true, addedColumns: [] };
    }
    const have = new Set(live.map((c) => this.colKey(c.name)));
    const added: string[] = [];
    for (const col of columns) {
      if (have.has(this.colKey(col.name))) continue;
      // Added columns are always nullable: existing rows have no value for them.
      await run(this.compile(sql`alter table ${this.table(name)} ${sql.raw(this.addColumnSql)} ${this.columnDef(col, false)}`));
      added.push(col.name);
    }
    this.widths.delete(name);
    return { created: false, addedColumns: added };
  }

  private rememberWidths(table: string, live: LiveColumn[]): Map<string, number> {
    const m = new Map<string, number>();
    for (const c of live) if (c.width !== null) m.set(this.colKey(c.name), c.width);
    this.widths.set(table, m);
    return m;
  }

  private async widthsFor(run: Run, table: string): Promise<Map<string, number>> {
    const known = this.widths.get(table);
    if (known) return known;
    return this.rememberWidths(table, (await this.liveColumns(run, table)) ?? []);
  }

  prepare(opts: { deleteLog: boolean }): Promise<void> {
    return this.exclusive(async () => {
      const run: Run = (q) => this.run(q);
      await this.createSchemaIfMissing(run);
      for (const t of LABEL_TABLES) await this.ensure(run, t.name, t.columns, "none");
      if (opts.deleteLog) await this.ensure(run, DELETE_LOG.name, DELETE_LOG.columns, "identity");
    });
  }

  ensureTable(spec: TargetTableSpec): Promise<EnsureTableResult> {
    return this.exclusive(() => this.ensure((q) => this.run(q), spec.tableName, spec.columns, "guid"));
  }

  writeTableMetadata(schema: TableSchema, spec: TargetTableSpec): Promise<void> {
    const rows = labelRowsFor(schema, spec);
    return this.exclusive(() =>
      this.inTransaction(async (run) => {
        for (const t of LABEL_TABLES) {
          await run(this.compile(sql`delete from ${this.table(t.name)} where ${sql.id("EntityName")} = ${spec.entity}`));
          await this.insertRows(run, t, rows.get(t.name) ?? []);
        }
      }),
    );
  }

  /** Plain multi-row INSERTs, chunked under the parameter limit. */
  protected async insertRows(run: Run, t: FixedTable, rows: Record<string, unknown>[]): Promise<void> {
    const perRow = t.columns.length;
    const chunk = Math.max(1, Math.min(1000, Math.floor(this.maxParams / perRow)));
    const cols = sql.join(t.columns.map((c) => sql.id(c.name)));
    for (let i = 0; i < rows.length; i += chunk) {
      const values = rows.slice(i, i + chunk).map((r) => sql`(${sql.join(t.columns.map((c) => this.encodeValue(c, r[c.name])))})`);
      const types = this.paramTypes(t.columns);
      const q = this.compile(sql`insert into ${this.table(t.name)} (${cols}) values ${sql.join(values)}`);
      await run(q, types && values.flatMap(() => types));
    }
  }

  private encodeValue(col: ColumnSpec, v: unknown): unknown {
    if (v === null || v === undefined) return null;
    if (col.type === "bool") return this.encoder.bool(Boolean(v));
    if (col.type === "bigint") return this.encoder.bigint(String(v));
    if (col.type === "datetime") return this.encoder.datetime(String(v));
    if (col.type === "guid") return String(v).toLowerCase();
    return v;
  }

  upsert(spec: TargetTableSpec, records: SourceRecord[]): Promise<UpsertResult> {
    if (records.length === 0) return Promise.resolve({ written: 0, widened: [] });
    return this.exclusive(() => this.upsertBatch(spec, latestById(records)));
  }

  /**
   * One batch of records (one per Id): rows → widen → writeBatch. A dialect may override it to
   * write records without building rows first (PostgreSQL's COPY path encodes them directly).
   */
  protected async upsertBatch(spec: TargetTableSpec, records: SourceRecord[]): Promise<UpsertResult> {
    const build = makeRowBuilder(spec, this.encoder);
    const now = this.encoder.datetime(new Date().toISOString());
    const rows = records.map((r) => build(r, now));
    const widened = await this.widen(spec, rows);
    const written = await this.writeBatch(spec, rows, now);
    return { written, widened };
  }

  /**
   * One upsert batch, all or nothing: writeRows in a transaction. A dialect may override it to
   * own the transaction itself (PostgreSQL's COPY path sends BEGIN and COMMIT with its first and
   * last statements: fewer round trips per batch).
   */
  protected writeBatch(spec: TargetTableSpec, rows: unknown[][], now: unknown): Promise<number> {
    return this.inTransaction((run) => this.writeRows(run, spec, rows, now));
  }

  /** Widens the string columns too narrow for `rows` (values in spec.columns order). */
  private widen(spec: TargetTableSpec, rows: unknown[][]): Promise<UpsertResult["widened"]> {
    return this.applyWidening(spec, (widths) => planWidening(spec, widths, rows, (n) => this.colKey(n)));
  }

  /** Widens the string columns too narrow for the longest value per column (spec.columns order). */
  protected widenForLongest(spec: TargetTableSpec, longest: readonly number[]): Promise<UpsertResult["widened"]> {
    return this.applyWidening(spec, (widths) => wideningFor(spec, widths, longest, (n) => this.colKey(n)));
  }

  private async applyWidening(
    spec: TargetTableSpec,
    plan: (widths: Map<string, number | null>) => UpsertResult["widened"],
  ): Promise<UpsertResult["widened"]> {
    const widths = await this.widthsFor((q) => this.run(q), spec.tableName);
    const widened = plan(widths as Map<string, number | null>);
    for (const w of widened) {
      const col = spec.columns.find((c) => c.name === w.column)!;
      // Outside the data transaction on purpose: a wider column is harmless if the batch fails.
      await this.run(this.widenSql(spec.tableName, col, w.to)).catch((err: unknown) => {
        throw new WidenColumnError(spec.tableName, w.column, w.from, w.to, err);
      });
      if (w.to < 0) widths.delete(this.colKey(w.column));
      else widths.set(this.colKey(w.column), w.to);
    }
    return widened;
  }

  updateColumns(spec: TargetTableSpec, columns: string[], records: SourceRecord[]): Promise<number> {
    if (records.length === 0 || columns.length === 0) return Promise.resolve(0);
    const wanted = new Set(columns.map((c) => this.colKey(c)));
    const keys = [SYSTEM_COLUMNS.id, SYSTEM_COLUMNS.version].map((n) => spec.columns.find((c) => c.name === n)!);
    const sub: TargetTableSpec = { ...spec, columns: [...keys, ...spec.columns.filter((c) => wanted.has(this.colKey(c.name)) && !keys.includes(c))] };
    return this.exclusive(async () => {
      const build = makeRowBuilder(sub, this.encoder);
      const rows = latestById(records).map((r) => build(r, null));
      await this.widen(sub, rows);
      return this.inTransaction((run) => this.writeColumnUpdates(run, sub, rows));
    });
  }

  delete(spec: TargetTableSpec, ids: string[], deleteLog: boolean): Promise<number> {
    const unique = [...new Set(ids.map((id) => id.toLowerCase()))];
    if (unique.length === 0) return Promise.resolve(0);
    return this.exclusive(() =>
      this.inTransaction(async (run) => {
        let deleted = 0;
        const idCol = sql.id(SYSTEM_COLUMNS.id);
        const chunk = Math.min(1000, this.maxParams - 10);
        for (let i = 0; i < unique.length; i += chunk) {
          const part = sql.join(unique.slice(i, i + chunk));
          const where = sql`where ${idCol} in (${part})`;
          // Only rows that were really there are logged, so a retried batch logs nothing twice.
          const gone = deleteLog
            ? (await run(this.compile(sql`select ${idCol} as ${sql.id("id")}, ${sql.id(SYSTEM_COLUMNS.version)} as ${sql.id("v")} from ${this.table(spec.tableName)} ${where}`))).rows
            : [];
          deleted += (await run(this.compile(sql`delete from ${this.table(spec.tableName)} ${where}`))).affected;
          if (gone.length) {
            const at = new Date().toISOString();
            await this.insertRows(
              run,
              DELETE_LOG,
              gone.map((r) => ({ EntityName: spec.entity, RecordId: r.id, SinkDeleteTime: at, VersionNumber: r.v })),
            );
          }
        }
        return deleted;
      }),
    );
  }

  // ---- target marker and re-export sweep (see Destination in types.ts) ----------------------

  /** Appended to SEEN_TABLE's CREATE TABLE (SQLite: without rowid — the key is the row). */
  protected readonly seenTableOptions: string = "";

  /** Idempotent insert of (table, id) pairs into SEEN_TABLE: ON CONFLICT DO NOTHING (SQLite, PostgreSQL). */
  protected seenInsertSql(table: string, ids: string[]): CompiledQuery {
    const values = ids.map((id) => sql`(${table}, ${id})`);
    return this.compile(sql`insert into ${this.table(SEEN_TABLE.name)} (${sql.id("TableName")}, ${sql.id("Id")}) values ${sql.join(values)} on conflict do nothing`);
  }

  readMarker(profileId: string): Promise<TargetMarker | null> {
    return this.exclusive(async () => {
      const run: Run = (q) => this.run(q);
      if ((await this.liveColumns(run, MARKER_TABLE.name)) === null) return null;
      const { rows } = await run(this.compile(sql`select ${sql.id("Generation")} as ${sql.id("g")} from ${this.table(MARKER_TABLE.name)} where ${sql.id("ProfileId")} = ${profileId}`));
      return rows.length ? { profileId, generation: String(rows[0].g) } : null;
    });
  }

  writeMarker(marker: TargetMarker): Promise<void> {
    return this.exclusive(async () => {
      const run: Run = (q) => this.run(q);
      await this.createSchemaIfMissing(run);
      await this.ensure(run, MARKER_TABLE.name, MARKER_TABLE.columns, "none");
      await this.inTransaction(async (tx) => {
        await tx(this.compile(sql`delete from ${this.table(MARKER_TABLE.name)} where ${sql.id("ProfileId")} = ${marker.profileId}`));
        await this.insertRows(tx, MARKER_TABLE, [{ ProfileId: marker.profileId, Generation: marker.generation, WrittenOn: new Date().toISOString() }]);
      });
    });
  }

  tableExists(tableName: string): Promise<boolean> {
    return this.exclusive(async () => (await this.liveColumns((q) => this.run(q), tableName)) !== null);
  }

  hasRows(spec: TargetTableSpec): Promise<boolean> {
    return this.exclusive(async () => {
      const run: Run = (q) => this.run(q);
      if ((await this.liveColumns(run, spec.tableName)) === null) return false;
      const { rows } = await run(this.compile(sql`select case when exists (select 1 from ${this.table(spec.tableName)}) then 1 else 0 end as ${sql.id("n")}`));
      return Number(rows[0]?.n) === 1;
    });
  }

  existingIds(spec: TargetTableSpec, ids: string[]): Promise<Set<string>> {
    const unique = [...new Set(ids.map((id) => id.toLowerCase()))];
    if (unique.length === 0) return Promise.resolve(new Set());
    return this.exclusive(async () => {
      const run: Run = (q) => this.run(q);
      const found = new Set<string>();
      if ((await this.liveColumns(run, spec.tableName)) === null) return found;
      const idCol = sql.id(SYSTEM_COLUMNS.id);
      const chunk = Math.min(1000, this.maxParams - 10);
      for (let i = 0; i < unique.length; i += chunk) {
        const part = sql.join(unique.slice(i, i + chunk));
        const { rows } = await run(this.compile(sql`select ${idCol} as ${sql.id("id")} from ${this.table(spec.tableName)} where ${idCol} in (${part})`));
        for (const r of rows) found.add(String(r.id).toLowerCase());
      }
      return found;
    });
  }

  beginSweep(spec: TargetTableSpec): Promise<void> {
    return this.exclusive(async () => {
      const run: Run = (q) => this.run(q);
      await this.createSchemaIfMissing(run);
      if ((await this.liveColumns(run, SEEN_TABLE.name)) === null) {
        // The composite key makes markSeen idempotent and the sweep's NOT EXISTS an index lookup.
        const defs = SEEN_TABLE.columns.map((c) => this.columnDef(c));
        await run(this.compile(sql`create table ${this.table(SEEN_TABLE.name)} (${sql.join(defs)}, primary key (${sql.id("TableName")}, ${sql.id("Id")}))${sql.raw(this.seenTableOptions)}`));
      }
      await run(this.compile(sql`delete from ${this.table(SEEN_TABLE.name)} where ${sql.id("TableName")} = ${spec.tableName}`));
    });
  }

  markSeen(spec: TargetTableSpec, ids: string[]): Promise<void> {
    const unique = [...new Set(ids.map((id) => id.toLowerCase()))];
    if (unique.length === 0) return Promise.resolve();
    const chunk = Math.max(1, Math.min(1000, Math.floor((this.maxParams - 10) / 2)));
    return this.exclusive(() =>
      this.inTransaction(async (run) => {
        for (let i = 0; i < unique.length; i += chunk) await run(this.seenInsertSql(spec.tableName, unique.slice(i, i + chunk)));
      }),
    );
  }

  sweep(spec: TargetTableSpec, deleteLog: boolean): Promise<number> {
    const s = sql.id("s");
    const unseen = (id: RawBuilder<unknown>) =>
      sql`not exists (select 1 from ${this.table(SEEN_TABLE.name)} ${s} where ${s}.${sql.id("TableName")} = ${spec.tableName} and ${s}.${sql.id("Id")} = ${id})`;
    return this.exclusive(() =>
      this.inTransaction(async (run) => {
        if (deleteLog) {
          const t = sql.id("t");
          const cast = (v: unknown, col: ColumnSpec) => sql`cast(${v} as ${sql.raw(sqlTypeFor(this.kind, col))})`;
          const [entity, , at] = DELETE_LOG.columns;
          const now = this.encoder.datetime(new Date().toISOString());
          await run(this.compile(sql`insert into ${this.table(DELETE_LOG.name)} (${sql.join(DELETE_LOG.columns.map((c) => sql.id(c.name)))})
select ${cast(spec.entity, entity)}, ${t}.${sql.id(SYSTEM_COLUMNS.id)}, ${cast(now, at)}, ${t}.${sql.id(SYSTEM_COLUMNS.version)}
from ${this.table(spec.tableName)} ${t} where ${unseen(sql`${t}.${sql.id(SYSTEM_COLUMNS.id)}`)}`));
        }
        const own = sql`${this.table(spec.tableName)}.${sql.id(SYSTEM_COLUMNS.id)}`;
        return (await run(this.compile(sql`delete from ${this.table(spec.tableName)} where ${unseen(own)}`))).affected;
      }),
    );
  }

  endSweep(spec: TargetTableSpec): Promise<void> {
    return this.exclusive(async () => {
      const run: Run = (q) => this.run(q);
      if ((await this.liveColumns(run, SEEN_TABLE.name)) === null) return;
      await run(this.compile(sql`delete from ${this.table(SEEN_TABLE.name)} where ${sql.id("TableName")} = ${spec.tableName}`));
    });
  }

  async *scanIdVersions(spec: TargetTableSpec, opts: IdScanOptions = {}): AsyncIterable<IdVersion[]> {
    const pageSize = opts.pageSize ?? DEFAULT_ID_PAGE;
    const exists = await this.exclusive(async () => (await this.liveColumns((q) => this.run(q), spec.tableName)) !== null);
    if (!exists) return;
    let after: string | null = null;
    for (;;) {
      opts.signal?.throwIfAborted();
      // One statement per page, queued like any other operation: a long scan never holds the
      // connection (SQLite has one) or a snapshot while the delta loop writes.
      const q = idPageSql(this.kind, this.table(spec.tableName), after, pageSize);
      const page = toIdVersions((await this.exclusive(() => this.run(q))).rows);
      if (page.length === 0) return;
      yield page;
      if (page.length < pageSize) return;
      after = page[page.length - 1].id;
    }
  }
}
