// The behaviour every Destination must show, run against each real target by its own test file
// (sqlite.test.ts, postgres.test.ts, mssql.integration.test.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TableSchema } from "../dataverse/types";
import { tableSpecFor } from "./columns";
import { UNBOUNDED } from "./row-values";
import { compareSqlGuid as compareGuids } from "../dataverse/sql-guid-order";
import { accountRecord, accountSchema, guid } from "./test-fixtures";
import type { Destination, DestinationOptions, SourceRecord } from "./types";

export interface TargetProbe {
  /** Every row of a table, values as the driver returns them. */
  rows(table: string): Promise<Record<string, unknown>[]>;
  /** Live column names of a table. */
  columns(table: string): Promise<string[]>;
  /** Declared width of a string column; null when unbounded or when the target has no widths. */
  width(table: string, column: string): Promise<number | null>;
  /** Make every write of this Id in this table fail (a trigger that raises). */
  poison(table: string, id: string): Promise<void>;
  /** Whether the target enforces string widths (SQLite does not). */
  hasWidths: boolean;
}

const asNumber = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const asBool = (v: unknown) => (v === null || v === undefined ? null : v === true || Number(v) === 1);
const asIso = (v: unknown) => (v instanceof Date ? v.toISOString() : v === null ? null : new Date(String(v)).toISOString());
const asGuid = (v: unknown) => (v === null || v === undefined ? null : String(v).toLowerCase());

export function destinationSuite(name: string, open: (o: DestinationOptions) => Promise<Destination>, probe: () => TargetProbe): void {
  describe(`${name}: Destination conformance`, () => {
    let dest: Destination;
    let p: TargetProbe;
    const options: DestinationOptions = { schemaName: "dbo", prefix: "t" };
    const spec = (schema: TableSchema = accountSchema()) => tableSpecFor(schema, options.prefix);
    const byId = async (table: string) => new Map((await p.rows(table)).map((r) => [asGuid(r.Id), r]));

    beforeAll(async () => {
      dest = await open(options);
      p = probe();
      await dest.prepare({ deleteLog: true });
    });
    afterAll(async () => {
      await dest?.close();
    });

    it("prepare creates the label tables and DeleteLog, and is idempotent", async () => {
      await dest.prepare({ deleteLog: true });
      expect(await p.columns("OptionSetMetadata")).toEqual(
        ["EntityName", "OptionSetName", "Option", "IsUserLocalizedLabel", "LocalizedLabelLanguageCode", "LocalizedLabel"],
      );
      expect(await p.columns("StatusMetadata")).toEqual(["EntityName", "State", "Status", "IsUserLocalizedLabel", "LocalizedLabelLanguageCode", "LocalizedLabel"]);
      expect(await p.columns("TargetMetadata")).toEqual(["EntityName", "AttributeName", "ReferencedEntity", "ReferencedAttribute"]);
      expect(await p.columns("DeleteLog")).toEqual(["Id", "EntityName", "RecordId", "SinkDeleteTime", "VersionNumber"]);
      for (const t of ["GlobalOptionSetMetadata", "StateMetadata", "AttributeMetadata"]) expect((await p.columns(t)).length).toBeGreaterThan(3);
    });

    it("creates a table with every column type and round-trips every value", async () => {
      const s = spec();
      expect(await dest.ensureTable(s)).toEqual({ created: true, addedColumns: [] });
      expect(await dest.ensureTable(s)).toEqual({ created: false, addedColumns: [] });
      expect(await p.columns(s.tableName)).toEqual(s.columns.map((c) => c.name));
      expect(await dest.upsert(s, [accountRecord(1, 100), accountRecord(2, 100)])).toEqual({ written: 2, widened: [] });
      const row = (await byId(s.tableName)).get(guid(1))!;
      expect({
        name: row.name, description: row.description, numberofemployees: asNumber(row.numberofemployees),
        bignumber: String(row.bignumber), donotemail: asBool(row.donotemail), createdon: asIso(row.createdon),
        birthday: asIso(row.birthday), exchangerate: asNumber(row.exchangerate), latitude: asNumber(row.latitude),
        revenue: asNumber(row.revenue), industrycode: asNumber(row.industrycode), statuscode: asNumber(row.statuscode),
        primarycontactid: asGuid(row.primarycontactid), primarycontactid_entitytype: row.primarycontactid_entitytype,
        customerid: row.customerid, customerid_entitytype: row.customerid_entitytype, processid: asGuid(row.processid),
        categories: row.categories, versionnumber: String(row.versionnumber),
      }).toEqual({
        name: "Account 1", description: "Description of account 1\nsecond line", numberofemployees: 1,
        bignumber: "9007199254740993", donotemail: false, createdon: "2024-03-05T10:11:12.000Z",
        birthday: "1990-07-01T00:00:00.000Z", exchangerate: 1.234567, latitude: 47.6062, revenue: 1234.5,
        industrycode: 2, statuscode: 1, primarycontactid: guid(100001), primarycontactid_entitytype: "contact",
        customerid: null, customerid_entitytype: null, processid: guid(300001), categories: "1,7", versionnumber: "100",
      });
      expect(row.SinkCreatedOn).not.toBeNull();
      expect(row.SinkModifiedOn).not.toBeNull();
    });

    it("adds a missing column on a later ensureTable and never drops one", async () => {
      const schema = accountSchema("evolving");
      const s1 = spec(schema);
      await dest.ensureTable(s1);
      schema.attributes.push({ logicalName: "newcol", kind: "Integer", typeName: "IntegerType", isPrimaryId: false, isValidForRead: true });
      const s2 = spec(schema);
      expect(await dest.ensureTable(s2)).toEqual({ created: false, addedColumns: ["newcol"] });
      const fewer = { ...s2, columns: s2.columns.filter((c) => c.name !== "name" && c.name !== "newcol") };
      expect(await dest.ensureTable(fewer)).toEqual({ created: false, addedColumns: [] });
      expect(await p.columns(s2.tableName)).toEqual(s2.columns.map((c) => c.name));
      expect(await dest.upsert(s2, [accountRecord(1, 1, { newcol: 7 })])).toMatchObject({ written: 1 });
      expect(asNumber((await p.rows(s2.tableName))[0].newcol)).toBe(7);
    });

    it("updates by Id, keeps SinkCreatedOn, and the version guard keeps the newer row", async () => {
      const s = spec(accountSchema("guarded"));
      await dest.ensureTable(s);
      await dest.upsert(s, [accountRecord(1, 5, { name: "v5" })]);
      const created = (await byId(s.tableName)).get(guid(1))!.SinkCreatedOn;
      expect(await dest.upsert(s, [accountRecord(1, 3, { name: "v3" })])).toMatchObject({ written: 0 });
      expect((await byId(s.tableName)).get(guid(1))!.name).toBe("v5");
      expect(await dest.upsert(s, [accountRecord(1, 5, { name: "v5 again" })])).toMatchObject({ written: 1 });
      expect(await dest.upsert(s, [accountRecord(1, 12, { name: "v12" }), accountRecord(2, 1)])).toMatchObject({ written: 2 });
      const row = (await byId(s.tableName)).get(guid(1))!;
      expect([row.name, String(row.versionnumber)]).toEqual(["v12", "12"]);
      expect(asIso(row.SinkCreatedOn)).toBe(asIso(created));
      // Within one batch the newest version of an Id wins, wherever it sits.
      await dest.upsert(s, [accountRecord(3, 9, { name: "nine" }), accountRecord(3, 4, { name: "four" })]);
      expect((await byId(s.tableName)).get(guid(3))!.name).toBe("nine");
    });

    it("widens a string column that is too short and stores the long value intact", async () => {
      const s = spec(accountSchema("widening"));
      await dest.ensureTable(s);
      const long = "é".repeat(25);
      const r1 = await dest.upsert(s, [accountRecord(1, 1, { name: long })]);
      const huge = "x".repeat(4500);
      const r2 = await dest.upsert(s, [accountRecord(2, 1, { owneridtype: huge })]);
      if (p.hasWidths) {
        expect(r1.widened).toEqual([{ column: "name", from: 20, to: 25 }]);
        expect(await p.width(s.tableName, "name")).toBe(25);
        expect(r2.widened).toEqual([{ column: "owneridtype", from: 128, to: UNBOUNDED }]);
        expect(await p.width(s.tableName, "owneridtype")).toBeNull();
        // A fresh connection reads the current width from the catalog.
        const again = await open(options);
        try {
          expect((await again.upsert(s, [accountRecord(3, 1, { name: "y".repeat(30) })])).widened).toEqual([{ column: "name", from: 25, to: 30 }]);
        } finally {
          await again.close();
        }
      } else {
        expect([r1.widened, r2.widened]).toEqual([[], []]);
      }
      const rows = await byId(s.tableName);
      expect(rows.get(guid(1))!.name).toBe(long);
      expect(rows.get(guid(2))!.owneridtype).toBe(huge);
    });

    it("deletes by Id with and without DeleteLog", async () => {
      const s = spec(accountSchema("deleting"));
      await dest.ensureTable(s);
      await dest.upsert(s, [1, 2, 3, 4].map((n) => accountRecord(n, 10 + n)));
      expect(await dest.delete(s, [guid(1)], false)).toBe(1);
      expect(await dest.delete(s, [guid(2).toUpperCase(), guid(3), guid(99)], true)).toBe(2);
      expect([...(await byId(s.tableName)).keys()]).toEqual([guid(4)]);
      const log = (await p.rows("DeleteLog")).filter((r) => r.EntityName === "deleting");
      expect(log.map((r) => [asGuid(r.RecordId), String(r.VersionNumber)]).sort()).toEqual([[guid(2), "12"], [guid(3), "13"]]);
      expect(log.every((r) => r.SinkDeleteTime !== null)).toBe(true);
      expect(await dest.delete(s, [guid(2)], true)).toBe(0);
    });

    it("replaces a table's label rows and leaves other tables' rows alone", async () => {
      const s = spec();
      const other = accountSchema("contact");
      await dest.writeTableMetadata(other, spec(other));
      await dest.writeTableMetadata(accountSchema(), s);
      await dest.writeTableMetadata(accountSchema(), s);
      const opts = (await p.rows("OptionSetMetadata")).filter((r) => r.EntityName === "account");
      expect(opts.map((r) => [r.OptionSetName, asNumber(r.Option), r.LocalizedLabel, asNumber(r.LocalizedLabelLanguageCode), asBool(r.IsUserLocalizedLabel)]).sort()).toEqual([
        ["categories", 7, "Seven", 1033, true],
        ["industrycode", 1, "Accounting", 1033, true],
        ["industrycode", 2, "Agri'culture", 1033, true],
      ]);
      const status = (await p.rows("StatusMetadata")).filter((r) => r.EntityName === "account");
      expect(status.map((r) => [asNumber(r.State), asNumber(r.Status), r.LocalizedLabel]).sort()).toEqual([[0, 1, "Active"], [1, 2, "Inactive"]]);
      const global = (await p.rows("GlobalOptionSetMetadata")).filter((r) => r.EntityName === "account");
      expect(global.map((r) => [r.OptionSetName, r.GlobalOptionSetName, r.LocalizedLabel])).toEqual([["paymenttermscode", "paymentterms", "Net 30"]]);
      const targets = (await p.rows("TargetMetadata")).filter((r) => r.EntityName === "account");
      expect(targets).toHaveLength(5);
      expect((await p.rows("StateMetadata")).filter((r) => r.EntityName === "contact")).toHaveLength(2);
      const attrs = (await p.rows("AttributeMetadata")).filter((r) => r.EntityName === "account" && r.AttributeName === "name");
      expect(attrs.map((r) => [r.AttributeType, asNumber(r.AttributeTypeCode), asNumber(r.MaxLength)])).toEqual([["StringType", 14, 20]]);
    });

    it("quotes hostile identifiers: they round-trip and inject nothing", async () => {
      const nasty = accountSchema(`we"ird]name;--`);
      nasty.attributes.push(
        { logicalName: "O'Brien", kind: "String", typeName: "StringType", maxLength: 10, isPrimaryId: false, isValidForRead: true },
        { logicalName: `x"]);drop table t_account;--`, kind: "Lookup", typeName: "LookupType", targets: ["a'b"], isPrimaryId: false, isValidForRead: true },
      );
      const s = spec(nasty);
      await dest.ensureTable(s);
      await dest.writeTableMetadata(nasty, s);
      const rec = accountRecord(1, 1, { "O'Brien": "it's ok", [`x"]);drop table t_account;--`]: { id: guid(5), entityType: "a'b" } });
      expect((await dest.upsert(s, [rec])).written).toBe(1);
      expect((await dest.upsert(s, [accountRecord(2, 1, { "O'Brien": "much longer than ten" })])).written).toBe(1);
      const row = (await byId(s.tableName)).get(guid(1))!;
      expect([row["O'Brien"], asGuid(row[`x"]);drop table t_account;--`]), row[`x"]);drop table t_account;--_entitytype`]]).toEqual(["it's ok", guid(5), "a'b"]);
      expect(await dest.delete(s, [guid(1)], true)).toBe(1);
      expect((await p.rows("DeleteLog")).some((r) => r.EntityName === `we"ird]name;--`)).toBe(true);
      expect((await p.rows("TargetMetadata")).some((r) => r.EntityName === `we"ird]name;--` && r.ReferencedEntity === "a'b")).toBe(true);
      expect((await p.rows("t_account")).length).toBeGreaterThan(0);
    });

    it("writes a batch all or nothing, so a poison record can be isolated by retrying one by one", async () => {
      const s = spec(accountSchema("atomic"));
      await dest.ensureTable(s);
      await dest.upsert(s, [accountRecord(1, 1, { name: "before" })]);
      await p.poison(s.tableName, guid(3));
      const batch = [accountRecord(1, 2, { name: "after" }), accountRecord(2, 1), accountRecord(3, 1), accountRecord(4, 1)];
      await expect(dest.upsert(s, batch)).rejects.toThrow();
      let rows = await byId(s.tableName);
      expect([...rows.keys()]).toEqual([guid(1)]);
      expect(rows.get(guid(1))!.name).toBe("before");
      const failed: string[] = [];
      for (const r of batch) await dest.upsert(s, [r]).catch(() => failed.push(r.id));
      expect(failed).toEqual([guid(3)]);
      rows = await byId(s.tableName);
      expect([...rows.keys()].sort()).toEqual([guid(1), guid(2), guid(4)]);
    });

    it("writes a batch larger than one statement", async () => {
      const s = spec(accountSchema("bulk"));
      await dest.ensureTable(s);
      const many = Array.from({ length: 5003 }, (_, i) => accountRecord(i, 1));
      expect(await dest.upsert(s, many)).toEqual({ written: 5003, widened: [] });
      expect((await p.rows(s.tableName)).length).toBe(5003);
      expect((await dest.upsert(s, many)).written).toBe(5003);
    });

    it("keeps one marker per profile and reports table existence and emptiness", async () => {
      expect(await dest.readMarker("p-1")).toBeNull();
      await dest.writeMarker({ profileId: "p-1", generation: "g1" });
      await dest.writeMarker({ profileId: "p-2", generation: "other" });
      await dest.writeMarker({ profileId: "p-1", generation: "g2" });
      expect(await dest.readMarker("p-1")).toEqual({ profileId: "p-1", generation: "g2" });
      expect(await dest.readMarker("p-2")).toEqual({ profileId: "p-2", generation: "other" });
      expect((await p.rows("DataverseExportMarker")).length).toBe(2);
      const s = spec(accountSchema("existing"));
      expect(await dest.tableExists(s.tableName)).toBe(false);
      expect(await dest.hasRows(s)).toBe(false);
      await dest.ensureTable(s);
      expect(await dest.tableExists(s.tableName)).toBe(true);
      expect(await dest.hasRows(s)).toBe(false);
      await dest.upsert(s, [accountRecord(1, 1)]);
      expect(await dest.hasRows(s)).toBe(true);
    });

    it("tells which ids have a row (case-insensitive), none when the table does not exist", async () => {
      const s = spec(accountSchema("lookup"));
      const [a, b] = [accountRecord(1, 1), accountRecord(2, 1)];
      expect(await dest.existingIds(s, [a.id])).toEqual(new Set());
      await dest.ensureTable(s);
      await dest.upsert(s, [a]);
      expect(await dest.existingIds(s, [a.id.toUpperCase(), b.id])).toEqual(new Set([a.id.toLowerCase()]));
      expect(await dest.existingIds(s, [])).toEqual(new Set());
    });

    it("sweeps the rows a re-export did not see, logging them, and leaves other tables alone", async () => {
      const s = spec(accountSchema("swept"));
      const other = spec(accountSchema("untouched"));
      await dest.ensureTable(s);
      await dest.ensureTable(other);
      await dest.upsert(s, [1, 2, 3, 4, 5].map((n) => accountRecord(n, 10 + n)));
      await dest.upsert(other, [1, 2].map((n) => accountRecord(n, 1)));
      await dest.beginSweep(s);
      await dest.markSeen(s, [guid(1), guid(2).toUpperCase()]);
      await dest.markSeen(s, [guid(2), guid(4), guid(77)]); // replayed page + an id not in the target
      expect(await dest.sweep(s, true)).toBe(2);
      expect([...(await byId(s.tableName)).keys()].sort()).toEqual([guid(1), guid(2), guid(4)]);
      expect((await p.rows(other.tableName)).length).toBe(2);
      const log = (await p.rows("DeleteLog")).filter((r) => r.EntityName === "swept");
      expect(log.map((r) => [asGuid(r.RecordId), String(r.VersionNumber)]).sort()).toEqual([[guid(3), "13"], [guid(5), "15"]]);
      expect(log.every((r) => r.SinkDeleteTime !== null)).toBe(true);
      // A second sweep with the same seen ids deletes nothing; after endSweep nothing is kept.
      expect(await dest.sweep(s, true)).toBe(0);
      await dest.endSweep(s);
      expect((await p.rows("DataverseExportSeen")).filter((r) => r.TableName === s.tableName)).toEqual([]);
      // beginSweep forgets what an earlier (finished or abandoned) re-export saw.
      await dest.markSeen(s, [guid(1)]);
      await dest.beginSweep(s);
      await dest.markSeen(s, [guid(4)]);
      expect(await dest.sweep(s, false)).toBe(2);
      expect([...(await byId(s.tableName)).keys()]).toEqual([guid(4)]);
    });

    it("updateColumns sets only the given columns of existing rows, under the version guard", async () => {
      const schema = accountSchema("backfill");
      const s = spec(schema);
      await dest.ensureTable(s);
      await dest.upsert(s, [accountRecord(1, 5, { name: "one" }), accountRecord(2, 50, { name: "two" })]);
      schema.attributes.push({ logicalName: "newcol", kind: "Integer", typeName: "IntegerType", isPrimaryId: false, isValidForRead: true });
      schema.attributes.push({ logicalName: "newtext", kind: "String", typeName: "StringType", isPrimaryId: false, isValidForRead: true, maxLength: 3 });
      const s2 = spec(schema);
      await dest.ensureTable(s2);
      const long = "x".repeat(10);
      const rec = (n: number, v: number, values: SourceRecord["values"]): SourceRecord => ({ id: guid(n), version: String(v), values });
      const n = await dest.updateColumns(s2, ["newcol", "newtext"], [
        rec(1, 7, { newcol: 11, newtext: long, name: "must not change" }),
        rec(2, 40, { newcol: 22, newtext: "old" }), // older than the stored row: left alone
        rec(3, 1, { newcol: 33, newtext: "new" }), // not in the target: not inserted
      ]);
      expect(n).toBe(1);
      const rows = await byId(s2.tableName);
      expect([...rows.keys()].sort()).toEqual([guid(1), guid(2)]);
      expect([rows.get(guid(1))!.name, asNumber(rows.get(guid(1))!.newcol), rows.get(guid(1))!.newtext, String(rows.get(guid(1))!.versionnumber)]).toEqual(["one", 11, long, "5"]);
      expect([asNumber(rows.get(guid(2))!.newcol), rows.get(guid(2))!.newtext]).toEqual([null, null]);
      if (p.hasWidths) expect(await p.width(s2.tableName, "newtext")).toBeGreaterThanOrEqual(10);
    });

    it("scanIdVersions pages (Id, versionnumber) in SQL Server's uniqueidentifier order", async () => {
      const s = spec(accountSchema("idscan"));
      await dest.ensureTable(s);
      // Ids that tie on groups 4+5 (only the byte-reversed groups 1-3 decide) and ids that differ
      // only in group 5, in upper and lower case: a plain text sort gets both wrong.
      const ids = [
        "01000000-0000-0000-aaaa-000000000001", "00010000-0000-0000-aaaa-000000000001", "00000000-0001-0000-aaaa-000000000001",
        "00000000-0100-0000-aaaa-000000000001", "00000000-0000-0100-aaaa-000000000001", "00000000-0000-0001-aaaa-000000000001",
        "FFFFFFFF-FFFF-FFFF-0000-000000000002", "00000000-0000-0000-ffff-000000000000", "12345678-9ABC-DEF0-1234-56789ABCDEF0",
        guid(7), guid(70000),
      ];
      await dest.upsert(s, ids.map((id, i) => ({ ...accountRecord(i, 1000 + i), id })));
      const pages: string[][] = [];
      const versions = new Map<string, string | null>();
      for await (const page of dest.scanIdVersions(s, { pageSize: 4 })) {
        pages.push(page.map((r) => r.id));
        for (const r of page) versions.set(r.id, r.version);
      }
      expect(pages.map((p) => p.length)).toEqual([4, 4, 3]);
      const expected = ids.map((id) => id.toLowerCase()).sort(compareGuids);
      expect(pages.flat()).toEqual(expected);
      ids.forEach((id, i) => expect(versions.get(id.toLowerCase())).toBe(String(1000 + i)));
      const none: unknown[] = [];
      for await (const page of dest.scanIdVersions(spec(accountSchema("idscan_missing")))) none.push(page);
      expect(none).toEqual([]);
    });

    it("validates a good target", async () => {
      const checks = await dest.validate();
      expect(checks.filter((c) => !c.ok)).toEqual([]);
      expect(checks.length).toBeGreaterThan(0);
    });
  });
}
