// The later additions to the Destination contract, on the lake (both modes): target marker,
// table existence and emptiness, the re-export sweep and the column backfill — the same
// behaviour conformance.ts asks of the SQL targets, read back with DuckDB.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tableSpecFor } from "../columns";
import { accountRecord, accountSchema, guid } from "../test-fixtures";
import type { SourceRecord } from "../types";
import { FolderStorage } from "./folder-storage";
import { LakeDestination } from "./lake-destination";
import { openLakeReader } from "./reader";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-lake-contract-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

for (const mode of ["appendOnly", "inPlace"] as const) {
  describe(`lake (${mode}): marker, existence, sweep, backfill`, () => {
    const storage = new FolderStorage(path.join(root, mode));
    const dest = new LakeDestination(storage, { schemaName: "dbo", prefix: "t", lake: { mode } });
    const spec = (name: string) => tableSpecFor(accountSchema(name), "t");
    const query = async (sql: string) => {
      const r = await openLakeReader(storage);
      try {
        return await r.query(sql);
      } finally {
        await r.close();
      }
    };

    it("keeps one marker per profile and reports table existence and emptiness", async () => {
      await dest.prepare();
      expect(await dest.readMarker("p-1")).toBeNull();
      await dest.writeMarker({ profileId: "p-1", generation: "g1" });
      await dest.writeMarker({ profileId: "p-2", generation: "other" });
      await dest.writeMarker({ profileId: "p-1", generation: "g2" });
      expect(await dest.readMarker("p-1")).toEqual({ profileId: "p-1", generation: "g2" });
      expect(await dest.readMarker("p-2")).toEqual({ profileId: "p-2", generation: "other" });
      const s = spec("existing");
      expect(await dest.tableExists(s.tableName)).toBe(false);
      expect(await dest.hasRows(s)).toBe(false);
      await dest.ensureTable(s);
      expect(await dest.tableExists(s.tableName)).toBe(true);
      expect(await dest.hasRows(s)).toBe(false);
      await dest.upsert(s, [accountRecord(1, 1), accountRecord(2, 1)]);
      expect(await dest.hasRows(s)).toBe(true);
      await dest.delete(s, [accountRecord(2, 1).id]);
      expect(await dest.existingIds(s, [accountRecord(1, 1).id.toUpperCase(), accountRecord(2, 1).id, accountRecord(3, 1).id])).toEqual(new Set([accountRecord(1, 1).id]));
      expect(await dest.existingIds(spec("nothere"), [accountRecord(1, 1).id])).toEqual(new Set());
    });

    it("sweeps the rows a re-export did not see and leaves other tables alone", async () => {
      const s = spec("swept");
      const other = spec("untouched");
      await dest.ensureTable(s);
      await dest.ensureTable(other);
      await dest.upsert(s, [1, 2, 3, 4, 5].map((n) => accountRecord(n, 10 + n)));
      await dest.upsert(other, [1, 2].map((n) => accountRecord(n, 1)));
      await dest.beginSweep(s);
      await dest.markSeen(s, [guid(1), guid(2).toUpperCase()]);
      await dest.markSeen(s, [guid(2), guid(4), guid(77)]);
      expect(await dest.sweep(s, true)).toBe(2);
      expect((await query(`select Id from t_swept order by Id`)).map((r) => r.Id)).toEqual([guid(1), guid(2), guid(4)]);
      expect(await query(`select count(*)::int n from t_untouched`)).toEqual([{ n: 2 }]);
      expect(await dest.sweep(s, true)).toBe(0);
      await dest.endSweep(s);
      await dest.markSeen(s, [guid(1)]);
      await dest.beginSweep(s);
      await dest.markSeen(s, [guid(4)]);
      expect(await dest.sweep(s, false)).toBe(2);
      expect((await query(`select Id from t_swept`)).map((r) => r.Id)).toEqual([guid(4)]);
    });

    it("scans (Id, versionnumber) of the latest state in SQL Server's GUID order, in pages", async () => {
      const s = spec("scanned");
      await dest.ensureTable(s);
      const ids = ["0e984725-c51c-4bf4-9960-e1c80e27aba0", "6f9619ff-8b86-d011-b42d-00c04fc964ff", "00000000-0000-0000-0000-000000000001", "ffffffff-0000-0000-0000-000000000000"];
      await dest.upsert(s, ids.map((id, i) => ({ ...accountRecord(i, 100 + i), id: id.toUpperCase() })));
      await dest.delete(s, [ids[1]]);
      const pages: { id: string; version: string | null }[][] = [];
      for await (const p of dest.scanIdVersions(s, { pageSize: 2 })) pages.push(p);
      expect(pages.map((p) => p.length)).toEqual([2, 1]);
      const got = pages.flat();
      const { sqlGuidSortKey } = await import("../../dataverse/sql-guid-order");
      const want = [ids[0], ids[2], ids[3]].sort((a, b) => (sqlGuidSortKey(a) < sqlGuidSortKey(b) ? -1 : 1));
      expect(got.map((r) => r.id)).toEqual(want);
      expect(got.find((r) => r.id === ids[2])!.version).toBe("102");
      const none: unknown[] = [];
      for await (const p of dest.scanIdVersions(spec("missing"))) none.push(p);
      expect(none).toEqual([]);
    });

    it("updateColumns sets only the given columns of existing rows, under the version guard", async () => {
      const schema = accountSchema("backfill");
      const s = spec("backfill");
      await dest.ensureTable(s);
      await dest.upsert(s, [accountRecord(1, 5, { name: "one" }), accountRecord(2, 50, { name: "two" })]);
      schema.attributes.push({ logicalName: "newcol", kind: "Integer", typeName: "IntegerType", isPrimaryId: false, isValidForRead: true });
      const s2 = tableSpecFor(schema, "t");
      await dest.ensureTable(s2);
      const rec = (n: number, v: number, values: SourceRecord["values"]): SourceRecord => ({ id: guid(n), version: String(v), values });
      const n = await dest.updateColumns(s2, ["newcol"], [rec(1, 7, { newcol: 11, name: "must not change" }), rec(2, 40, { newcol: 22 }), rec(3, 1, { newcol: 33 })]);
      expect(n).toBe(1);
      expect(await query(`select Id, name, newcol, versionnumber, donotemail from t_backfill order by Id`)).toEqual([
        { Id: guid(1), name: "one", newcol: "11", versionnumber: "5", donotemail: false },
        { Id: guid(2), name: "two", newcol: null, versionnumber: "50", donotemail: true },
      ]);
    });
  });
}
