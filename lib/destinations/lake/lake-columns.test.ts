import { describe, expect, it } from "vitest";
import { tableSpecFor } from "../columns";
import { RecordValueError } from "../row-values";
import { accountRecord, accountSchema } from "../test-fixtures";
import { ByteChunks } from "../byte-chunks";
import { lakeColumnsFor, rowWriter } from "./lake-columns";

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
    for (const r of records) {
      const values = w.values(r, sink);
      const chunks = new ByteChunks();
      let createdon: unknown = "not asked";
      const version = w.encode(r, sink, (c) => ((createdon = c), chunks));
      expect(Buffer.concat(chunks.take()).toString("utf8")).toBe(w.line(values, columns.length));
      expect(createdon).toBe(values[columns.findIndex((c) => c.name === "createdon")]);
      expect(version).toBe(values[columns.findIndex((c) => c.name === "versionnumber")]);
    }
  });

  it("refuses a bad value with the record's error, as the values path does", () => {
    const bad = accountRecord(4, 13, { numberofemployees: "many" });
    expect(() => w.encode(bad, sink, () => new ByteChunks())).toThrow(RecordValueError);
    expect(() => w.values(bad, sink)).toThrow(RecordValueError);
  });
});
