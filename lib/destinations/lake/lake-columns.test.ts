import { describe, expect, it } from "vitest";
import { tableSpecFor } from "../columns";
import { RecordValueError } from "../row-values";
import { accountRecord, accountSchema } from "../test-fixtures";
import { lakeColumnsFor, rowWriter, type EncodedRow } from "./lake-columns";

describe("lake row writer", () => {
  const spec = tableSpecFor(accountSchema(), "");
  const columns = lakeColumnsFor(spec);
  const w = rowWriter(spec, columns);
  const sink = "5/21/2024 8:07:17 AM";

  it("encodes a record to the same line as building its values and then the line, hostile values included", () => {
    const records = [
      accountRecord(1, 10),
      accountRecord(2, "9007199254740993", { name: 'say "hi",\n ok', description: "日本 ✓ 🙂\r\nx", exchangerate: 1e-7, createdon: null, donotemail: false }),
      accountRecord(3, 12, { name: "", description: null, numberofemployees: null, revenue: "12345678901234567.1234" }),
    ];
    const row: EncodedRow = { line: "", createdon: null, version: null };
    for (const r of records) {
      const values = w.values(r, sink);
      w.encode(r, sink, row);
      expect(row.line).toBe(w.line(values, columns.length));
      expect(row.createdon).toBe(values[columns.findIndex((c) => c.name === "createdon")]);
      expect(row.version).toBe(values[columns.findIndex((c) => c.name === "versionnumber")]);
    }
    expect(row.createdon).toBe("2024-03-05T10:11:12.0000000Z");
  });

  it("refuses a bad value with the record's error, as the values path does", () => {
    const bad = accountRecord(4, 13, { numberofemployees: "many" });
    const row: EncodedRow = { line: "", createdon: null, version: null };
    expect(() => w.encode(bad, sink, row)).toThrow(RecordValueError);
    expect(() => w.values(bad, sink)).toThrow(RecordValueError);
  });
});
