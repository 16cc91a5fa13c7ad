// The SQL Server destination's statements, recorded without a server: the shared base logic
// (create/alter/widen/delete/DeleteLog/label tables) must come out as valid bracket-quoted T-SQL.
import type { CompiledQuery } from "kysely";
import mssql from "mssql";
import { describe, expect, it } from "vitest";
import { tableSpecFor } from "./columns";
import { MssqlDestination, type BulkSession, type MssqlTuning } from "./mssql";
import { FakeSqlServer, parseTsql, TsqlParseError, validateTsql, type BulkColumn } from "./mssql-fake";
import { liveColumnsSql, MY_PERMISSIONS_SQL, permissionChecks, permissionQuerySql, REQUIRED_PERMISSIONS } from "./mssql-sql";
import type { LiveColumn, Run, RunResult } from "./sql-destination";
import { classifyError } from "../sync/retry-policy";
import { accountRecord, accountSchema, guid } from "./test-fixtures";

interface Entry {
  sql: string;
  params: readonly unknown[];
  types?: readonly unknown[];
}

class Recording extends MssqlDestination {
  log: Entry[] = [];
  /** Parses every statement as T-SQL and runs the upserts and deletes on in-memory tables. */
  server = new FakeSqlServer();
  tables = new Map<string, LiveColumn[]>();
  selectRows: Record<string, unknown>[] = [];
  constructor(tuning: MssqlTuning = {}) {
    super({ server: "unused" }, { schemaName: "dbo", prefix: "t" }, "mssql://test", tuning);
  }
  private async fake(q: CompiledQuery, types?: readonly unknown[]): Promise<RunResult> {
    this.log.push({ sql: q.sql, params: q.parameters, types });
    const affected = this.server.execute(q);
    const rows = q.sql.startsWith("select") ? this.selectRows : [];
    return { rows, affected: q.sql.startsWith("select") ? rows.length : affected };
  }
  protected override run(q: CompiledQuery) {
    return this.fake(q);
  }
  protected override async inTransaction<T>(fn: (run: Run) => Promise<T>): Promise<T> {
    this.log.push({ sql: "BEGIN", params: [] });
    const restore = this.server.snapshot();
    // Like the real one: statements, plus a batch (no parameters) and the bulk load for the bulk path.
    const bulk: BulkSession = {
      batch: async (q) => {
        expect(q.parameters).toEqual([]);
        return (await this.fake(q)).affected;
      },
      load: async (table) => {
        this.log.push({ sql: `BULK ${table.path}`, params: [] });
        return this.server.bulk({ name: String(table.name), columns: table.columns as unknown as BulkColumn[], rows: table.rows });
      },
    };
    try {
      const out = await fn(Object.assign((q: CompiledQuery, t?: readonly unknown[]) => this.fake(q, t), { bulk }));
      this.log.push({ sql: "COMMIT", params: [] });
      return out;
    } catch (err) {
      restore();
      this.log.push({ sql: "ROLLBACK", params: [] });
      throw err;
    }
  }
  protected override async liveColumns(_run: Run, table: string) {
    return this.tables.get(table) ?? null;
  }
  sqls() {
    return this.log.map((e) => e.sql);
  }
}

describe("mssql destination statements", () => {
  it("prepare creates the schema via QUOTENAME and unprefixed label tables; DeleteLog gets an identity key", async () => {
    const d = new Recording();
    await d.prepare({ deleteLog: true });
    const s = d.sqls();
    expect(s[0]).toBe("select schema_id(@1) as [id]");
    expect(s[1]).toBe("create schema [dbo]");
    expect(s).toContain(
      "create table [dbo].[OptionSetMetadata] ([EntityName] nvarchar(128) null, [OptionSetName] nvarchar(128) null, [Option] int null, [IsUserLocalizedLabel] bit null, [LocalizedLabelLanguageCode] int null, [LocalizedLabel] nvarchar(max) null)",
    );
    expect(s.at(-1)).toBe(
      "create table [dbo].[DeleteLog] ([Id] bigint identity(1,1) primary key, [EntityName] nvarchar(128) null, [RecordId] uniqueidentifier not null, [SinkDeleteTime] datetime2 not null, [VersionNumber] bigint null)",
    );
    expect(s).toHaveLength(9);
  });

  it("creates a table with DES types, then only adds missing columns", async () => {
    const d = new Recording();
    const spec = tableSpecFor(accountSchema(`we"ird]name`), "t");
    expect(await d.ensureTable(spec)).toEqual({ created: true, addedColumns: [] });
    const create = d.log[0].sql;
    expect(create.startsWith(`create table [dbo].[t_we"ird]]name] ([Id] uniqueidentifier not null, [SinkCreatedOn] datetime2 null, [SinkModifiedOn] datetime2 null, [versionnumber] bigint null, [name] nvarchar(20) null`)).toBe(true);
    for (const part of ["[exchangerate] decimal(38,6) null", "[revenue] decimal(38,4) null", "[donotemail] bit null", "[latitude] float null", "[description] nvarchar(max) null", "[ownerid_entitytype] nvarchar(128) null"]) {
      expect(create).toContain(part);
    }
    expect(create.endsWith("primary key ([Id]))")).toBe(true);
    d.log = [];
    d.tables.set(spec.tableName, spec.columns.filter((c) => c.name !== "name").map((c) => ({ name: c.name.toUpperCase(), width: null })));
    expect(await d.ensureTable(spec)).toEqual({ created: false, addedColumns: ["name"] });
    expect(d.sqls()).toEqual([`alter table [dbo].[t_we"ird]]name] add [name] nvarchar(20) null`]);
  });

  it("widens before the transaction, then MERGEs in chunks under 2100 parameters with typed parameters", async () => {
    const d = new Recording();
    const spec = tableSpecFor(accountSchema(), "t");
    d.tables.set(spec.tableName, spec.columns.map((c) => ({ name: c.name, width: c.type === "string" ? (c.maxLength ?? null) : null })));
    const records = Array.from({ length: 150 }, (_, i) => accountRecord(i, 1, i === 7 ? { name: "n".repeat(33) } : {}));
    const res = await d.upsert(spec, records);
    expect(res.widened).toEqual([{ column: "name", from: 20, to: 33 }]);
    const s = d.sqls();
    expect(s[0]).toBe("alter table [dbo].[t_account] alter column [name] nvarchar(33) null");
    expect(s[1]).toBe("BEGIN");
    expect(s.at(-1)).toBe("COMMIT");
    const upserts = d.log.filter((e) => e.sql.startsWith("update"));
    expect(upserts.length).toBe(Math.ceil(150 / Math.floor(2000 / spec.columns.length)));
    for (const m of upserts) {
      expect(m.params.length).toBeLessThanOrEqual(2100);
      expect(m.types).toHaveLength(m.params.length);
    }
    const types = upserts[0].types as mssql.ISqlType[];
    expect((types[0] as { type: unknown }).type).toBe(mssql.UniqueIdentifier);
    expect(upserts[0].params[0]).toBe(guid(0));
    // What the server did with them: 150 new rows inserted.
    expect(res.written).toBe(150);
    expect(d.server.rows("dbo", "t_account")).toHaveLength(150);
    // The catalog width is remembered: the same value needs no second ALTER.
    d.log = [];
    expect((await d.upsert(spec, [accountRecord(7, 2, { name: "n".repeat(33) })])).widened).toEqual([]);
    expect(d.sqls()[0]).toBe("BEGIN");
  });

  it("binds Decimal and Money as exact text (varchar, converted by the server), never through a double", async () => {
    const d = new Recording();
    const spec = tableSpecFor(accountSchema(), "t");
    d.tables.set(spec.tableName, spec.columns.map((c) => ({ name: c.name, width: c.type === "string" ? (c.maxLength ?? null) : null })));
    await d.upsert(spec, [accountRecord(1, 1, { exchangerate: "12345678901.1234567890", revenue: "922337203685477.5807" })]);
    const m = d.log.find((e) => e.sql.startsWith("update"))!;
    for (const [name, text] of [["exchangerate", "12345678901.1234567890"], ["revenue", "922337203685477.5807"]]) {
      const i = spec.columns.findIndex((c) => c.name === name);
      expect(m.params[i]).toBe(text);
      expect(((m.types as mssql.ISqlType[])[i] as { type: unknown }).type).toBe(mssql.VarChar);
    }
  });

  it.each([
    ["parameterised upsert", { bulkMinRows: Infinity }],
    ["bulk load + staged merge", { bulkMinRows: 1 }],
  ] as const)("applies a row only when its version is not older than the stored one (the guard, executed): %s", async (path, tuning) => {
    const d = new Recording(tuning);
    const spec = tableSpecFor(accountSchema(), "t");
    d.tables.set(spec.tableName, spec.columns.map((c) => ({ name: c.name, width: c.type === "string" ? (c.maxLength ?? null) : null })));
    const stored = () => d.server.rows("dbo", "t_account").map((r) => [r.Id, String(r.versionnumber), r.name]);
    expect((await d.upsert(spec, [accountRecord(1, 5, { name: "v5" }), accountRecord(2, 5, { name: "v5" })])).written).toBe(2);
    // Older: refused. Same version: applied (a replayed page rewrites the same values). Newer: applied.
    expect((await d.upsert(spec, [accountRecord(1, 4, { name: "v4" })])).written).toBe(0);
    expect((await d.upsert(spec, [accountRecord(2, 5, { name: "v5 again" })])).written).toBe(1);
    expect((await d.upsert(spec, [accountRecord(1, 6, { name: "v6" }), accountRecord(3, 1, { name: "new" })])).written).toBe(2);
    expect(stored()).toEqual([[guid(1), "6", "v6"], [guid(2), "5", "v5 again"], [guid(3), "1", "new"]]);
    // SinkCreatedOn is set on insert only.
    const created = d.server.rows("dbo", "t_account").find((r) => r.Id === guid(1))!.SinkCreatedOn;
    expect(created).toBeTruthy();
    await d.upsert(spec, [accountRecord(1, 7)]);
    expect(d.server.rows("dbo", "t_account").find((r) => r.Id === guid(1))!.SinkCreatedOn).toBe(created);
    // Deletes remove exactly the named rows.
    await d.delete(spec, [guid(2).toUpperCase(), guid(9)], false);
    expect(d.server.rows("dbo", "t_account").map((r) => r.Id)).toEqual([guid(1), guid(3)]);
    // The path under test is the one that ran.
    expect(d.server.bulkLog.length > 0).toBe(path.startsWith("bulk"));
  });

  it("deletes by Id and logs the deleted rows to DeleteLog in the same transaction", async () => {
    const d = new Recording();
    const spec = tableSpecFor(accountSchema(), "t");
    d.selectRows = [{ id: guid(1).toUpperCase(), v: "17" }];
    await d.delete(spec, [guid(1).toUpperCase(), guid(1), guid(2)], true);
    expect(d.sqls()).toEqual([
      "BEGIN",
      "select [Id] as [id], [versionnumber] as [v] from [dbo].[t_account] where [Id] in (@1, @2)",
      "delete from [dbo].[t_account] where [Id] in (@1, @2)",
      "insert into [dbo].[DeleteLog] ([EntityName], [RecordId], [SinkDeleteTime], [VersionNumber]) values (@1, @2, @3, @4)",
      "COMMIT",
    ]);
    expect(d.log[1].params).toEqual([guid(1), guid(2)]);
    expect(d.log[3].params).toEqual(["account", guid(1), expect.stringMatching(/Z$/), "17"]);
    // Typed like the columns, so no implicit string conversion decides how a date is read.
    expect((d.log[3].types as { type: unknown }[]).map((t) => t.type)).toEqual([mssql.NVarChar, mssql.UniqueIdentifier, mssql.DateTime2, mssql.BigInt]);
  });

  it("replaces label rows with delete + insert per label table inside one transaction", async () => {
    const d = new Recording();
    await d.writeTableMetadata(accountSchema(), tableSpecFor(accountSchema(), "t"));
    const s = d.sqls();
    expect(s[0]).toBe("BEGIN");
    expect(s[1]).toBe("delete from [dbo].[OptionSetMetadata] where [EntityName] = @1");
    expect(s.filter((x) => x.startsWith("delete"))).toHaveLength(6);
    expect(s.filter((x) => x.startsWith("insert into [dbo].[StatusMetadata]"))).toHaveLength(1);
    expect(s.at(-1)).toBe("COMMIT");
  });
});

describe("mssql bulk path: TDS bulk load into #dvx_stage, then the guarded merge", () => {
  const spec = tableSpecFor(accountSchema(), "t");
  const open = (tuning: MssqlTuning = {}) => {
    const d = new Recording(tuning);
    d.tables.set(spec.tableName, spec.columns.map((c) => ({ name: c.name, width: c.type === "string" ? (c.maxLength ?? null) : null })));
    return d;
  };

  it("sends a batch of 500 rows or more as create #stage, one bulk load, merge + drop, in one transaction", async () => {
    const d = open();
    const records = Array.from({ length: 600 }, (_, i) => accountRecord(i, 1));
    expect((await d.upsert(spec, records)).written).toBe(600);
    const s = d.sqls();
    expect(s[0]).toBe("BEGIN");
    expect(s[1]).toMatch(/^create table \[#dvx_stage\] \(\[c0\] uniqueidentifier null, \[c1\] datetime2\(7\) null, /);
    expect(s[2]).toBe("BULK [#dvx_stage]");
    expect(s[3]).toMatch(/^update \[t\] set .*\sinner join \[#dvx_stage\] as \[s\] on \[t\]\.\[Id\] = \[s\]\.\[c0\]/s);
    expect(s[3].endsWith("drop table [#dvx_stage];")).toBe(true);
    expect(s.slice(4)).toEqual(["COMMIT"]);
    // The fake accepted the load only into the #table created with the same columns and types.
    expect(d.server.bulkLog).toEqual(["create #dvx_stage", "bulk #dvx_stage 600", "drop #dvx_stage"]);
    expect(d.server.rows("dbo", "t_account")).toHaveLength(600);
    // Under the threshold: the parameterised path, no stage.
    d.log = [];
    expect((await d.upsert(spec, records.slice(0, 499).map((_, i) => accountRecord(i, 2)))).written).toBe(499);
    expect(d.sqls().some((x) => x.includes("#dvx_stage"))).toBe(false);
    expect(d.server.bulkLog).toHaveLength(3);
  });

  it("stores exactly what the parameterised path stores (GUID case, exact decimals, bigints, dates, text)", async () => {
    const records = [
      accountRecord(1, 1, { name: "tab\there\nnew 'q' \"dq\" back\\slash", exchangerate: "12345678901.1234567890", revenue: "922337203685477.5807" }),
      accountRecord(2, "9007199254740993", { description: null, donotemail: false }),
      { ...accountRecord(3, 2), id: guid(3).toUpperCase() },
    ];
    const viaParams = open({ bulkMinRows: Infinity });
    const viaBulk = open({ bulkMinRows: 1 });
    await viaParams.upsert(spec, records);
    await viaBulk.upsert(spec, records);
    const strip = (rows: Record<string, unknown>[]) => rows.map(({ SinkCreatedOn: _c, SinkModifiedOn: _m, ...r }) => r);
    // Stage columns are positional (c0, c1, …); the merge maps each back to its target column.
    expect(strip(viaBulk.server.rows("dbo", "t_account"))).toEqual(strip(viaParams.server.rows("dbo", "t_account")));
    const two = viaBulk.server.rows("dbo", "t_account").find((r) => r.Id === guid(2))!;
    expect(String(two.versionnumber)).toBe("9007199254740993");
    expect(viaBulk.server.bulkLog[1]).toBe("bulk #dvx_stage 3");
  });

  it("isolates a poison record inside a bulk batch: the batch rolls back (stage included), halving finds it", async () => {
    const d = open({ bulkMinRows: 1 });
    d.server.poison.add(guid(23));
    const batch = Array.from({ length: 40 }, (_, i) => accountRecord(i + 1, 1));
    const poison: string[] = [];
    const bisect = async (b: typeof batch): Promise<void> => {
      try {
        await d.upsert(spec, b);
      } catch (err) {
        expect(classifyError(err)).toBe("record");
        if (b.length === 1) return void poison.push(b[0].id);
        await bisect(b.slice(0, b.length >> 1));
        await bisect(b.slice(b.length >> 1));
      }
    };
    await bisect(batch);
    expect(poison).toEqual([guid(23)]);
    expect(d.server.rows("dbo", "t_account").map((r) => r.Id).sort()).toEqual(batch.map((r) => r.id).filter((id) => id !== guid(23)).sort());
    // Every failed batch rolled back its #stage, so every later create succeeded.
    expect(d.server.temp.size).toBe(0);
    expect(d.sqls().filter((x) => x === "ROLLBACK").length).toBeGreaterThan(1);
  });

  it("refuses a bulk load whose columns do not match the #table (the fake checks what a server would)", () => {
    const server = new FakeSqlServer();
    server.execute({ sql: "create table [#dvx_stage] ([c0] uniqueidentifier null, [c1] nvarchar(max) null)", parameters: [], query: undefined as never, queryId: undefined as never });
    const t = new mssql.Table("#dvx_stage");
    t.columns.add("c0", mssql.UniqueIdentifier(), { nullable: true });
    t.columns.add("c1", mssql.NVarChar(100), { nullable: true });
    expect(() => server.bulk({ name: String(t.name), columns: t.columns as unknown as BulkColumn[], rows: [] })).toThrow(/do not match/);
    expect(() => server.bulk({ name: "#other", columns: [], rows: [] })).toThrow(/Invalid object name/);
  });
});

describe("mssql target marker, sweep and backfill statements", () => {
  it("writes the marker, records seen ids idempotently, sweeps with DeleteLog, backfills under the version guard", async () => {
    const d = new Recording();
    const s = tableSpecFor(accountSchema(), "t");
    await d.writeMarker({ profileId: "p1", generation: "g1" });
    expect(d.sqls()).toContain("create table [dbo].[DataverseExportMarker] ([ProfileId] nvarchar(64) not null, [Generation] nvarchar(64) not null, [WrittenOn] datetime2 not null)");
    expect(d.sqls()).toContain("delete from [dbo].[DataverseExportMarker] where [ProfileId] = @1");
    d.log = [];
    await d.beginSweep(s);
    expect(d.sqls()).toContain("create table [dbo].[DataverseExportSeen] ([TableName] nvarchar(128) not null, [Id] uniqueidentifier not null, primary key ([TableName], [Id]))");
    expect(d.sqls().at(-1)).toBe("delete from [dbo].[DataverseExportSeen] where [TableName] = @1");
    d.log = [];
    await d.markSeen(s, [guid(1), guid(1).toUpperCase(), guid(2)]);
    const seen = d.log.find((e) => e.sql.startsWith("insert"))!;
    expect(seen.sql).toBe(`insert into [dbo].[DataverseExportSeen] ([TableName], [Id])
select @1, [v].[Id] from (values (@2), (@3)) as [v] ([Id])
where not exists (select 1 from [dbo].[DataverseExportSeen] as [s] with (updlock, holdlock) where [s].[TableName] = @4 and [s].[Id] = [v].[Id]);`);
    expect(seen.params).toEqual(["t_account", guid(1), guid(2), "t_account"]);
    d.log = [];
    await d.sweep(s, true);
    expect(d.sqls()).toEqual([
      "BEGIN",
      `insert into [dbo].[DeleteLog] ([EntityName], [RecordId], [SinkDeleteTime], [VersionNumber])
select cast(@1 as nvarchar(128)), [t].[Id], cast(@2 as datetime2), [t].[versionnumber]
from [dbo].[t_account] [t] where not exists (select 1 from [dbo].[DataverseExportSeen] [s] where [s].[TableName] = @3 and [s].[Id] = [t].[Id])`,
      "delete from [dbo].[t_account] where not exists (select 1 from [dbo].[DataverseExportSeen] [s] where [s].[TableName] = @1 and [s].[Id] = [dbo].[t_account].[Id])",
      "COMMIT",
    ]);
    d.log = [];
    d.tables.set("t_account", s.columns.map((c) => ({ name: c.name, width: c.maxLength ?? null })));
    await d.updateColumns(s, ["name", "numberofemployees"], [accountRecord(1, 9)]);
    const upd = d.log.find((e) => e.sql.startsWith("update"))!;
    expect(upd.sql).toBe(`update [t] set [t].[name] = [s].[name], [t].[numberofemployees] = [s].[numberofemployees]
from [dbo].[t_account] as [t]
inner join (values (@1, @2, @3, @4)) as [s] ([Id], [versionnumber], [name], [numberofemployees]) on [t].[Id] = [s].[Id]
where [t].[versionnumber] is null or [t].[versionnumber] <= [s].[versionnumber];`);
    expect(upd.params).toEqual([guid(1), "9", "Account 1", 1]);
    expect(upd.types).toHaveLength(4);
  });
});

describe("every statement of the SQL Server target is T-SQL", () => {
  it("parses each statement every operation sends (node-sql-parser, transactsql)", async () => {
    const d = new Recording();
    const spec = tableSpecFor(accountSchema(), "t");
    d.tables.set(spec.tableName, spec.columns.map((c) => ({ name: c.name, width: c.type === "string" ? (c.maxLength ?? null) : null })));
    // The Recording parses every request it is given; an unparsable one throws here.
    await d.prepare({ deleteLog: true });
    await d.ensureTable(spec);
    await d.writeTableMetadata(accountSchema(), spec);
    await d.upsert(spec, [accountRecord(1, 1), accountRecord(2, 1)]);
    await d.delete(spec, [guid(1)], true);
    await d.writeMarker({ profileId: "p", generation: "g" });
    await d.readMarker("p");
    await d.tableExists(spec.tableName);
    await d.hasRows(spec);
    await d.existingIds(spec, [guid(1), guid(2)]);
    await d.beginSweep(spec);
    await d.markSeen(spec, [guid(2)]);
    await d.sweep(spec, true);
    await d.endSweep(spec);
    await d.updateColumns(spec, ["name"], [accountRecord(2, 3)]);
    for await (const page of d.scanIdVersions(spec, { pageSize: 10 })) void page;
    // The bulk path's statements too (create #stage, merge + drop).
    const bulk = new Recording({ bulkMinRows: 1 });
    bulk.tables.set(spec.tableName, d.tables.get(spec.tableName)!);
    await bulk.upsert(spec, [accountRecord(1, 1), accountRecord(2, 1)]);
    expect(bulk.server.bulkLog).toEqual(["create #dvx_stage", "bulk #dvx_stage 2", "drop #dvx_stage"]);
    d.log.push(...bulk.log.filter((e) => !e.sql.startsWith("BULK ")));
    const sent = d.log.filter((e) => e.sql !== "BEGIN" && e.sql !== "COMMIT");
    expect(sent.length).toBeGreaterThan(30);
    // The statements validation runs outside the recorded path.
    for (const text of [MY_PERMISSIONS_SQL, permissionQuerySql("dbo").sql, liveColumnsSql("dbo", "t_account").sql]) expect(parseTsql(text).length).toBe(1);
    // And the GRANT / CREATE SCHEMA fixes validation prints, which node-sql-parser cannot read:
    // the narrow permission grammar checks them (mssql-sql.test.ts covers every combination).
    const fixes = [true, false].flatMap((schemaExists) =>
      permissionChecks({ user: "u]ser", schema: "s]chema", schemaExists, alterSchema: false, granted: [] }).flatMap((c) => (c.fix ? c.fix.split(" -- or create it: ") : [])),
    );
    expect(fixes.length).toBe(2 * REQUIRED_PERMISSIONS.length + 3);
    for (const text of fixes) expect(validateTsql(text).via).toBe("permission-grammar");
    // And the parser does refuse what is not T-SQL, so a pass means something.
    expect(() => parseTsql("merge into where")).toThrow(TsqlParseError);
  });
});
