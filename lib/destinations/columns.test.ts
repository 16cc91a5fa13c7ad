import { describe, expect, it } from "vitest";
import { tableNameFor, tableSpecFor } from "./columns";
import { latestById, makeRowBuilder, normalizeDateTime, planWidening, RecordValueError, identityEncoder, UNBOUNDED } from "./row-values";
import { labelRowsFor } from "./label-tables";
import { accountRecord, accountSchema, guid } from "./test-fixtures";

describe("tableSpecFor (DES mapping)", () => {
  const spec = tableSpecFor(accountSchema(), "hatest201");
  const col = (n: string) => spec.columns.find((c) => c.name === n);

  it("names the table <prefix>_<logicalname>, or the bare name without a prefix", () => {
    expect(spec.tableName).toBe("hatest201_account");
    expect(tableNameFor("account", "")).toBe("account");
    expect(spec.entity).toBe("account");
    expect(spec.kind).toBe("entity");
  });

  it("starts with the DES system columns and does not repeat the primary id or versionnumber", () => {
    expect(spec.columns.slice(0, 4).map((c) => [c.name, c.type, c.nullable])).toEqual([
      ["Id", "guid", false],
      ["SinkCreatedOn", "datetime", true],
      ["SinkModifiedOn", "datetime", true],
      ["versionnumber", "bigint", true],
    ]);
    expect(col("accountid")).toBeUndefined();
    expect(spec.columns.filter((c) => c.name.toLowerCase() === "versionnumber")).toHaveLength(1);
  });

  it("maps every attribute kind", () => {
    const types = Object.fromEntries(spec.columns.map((c) => [c.name, [c.type, c.maxLength ?? c.precision ?? null]]));
    expect(types).toMatchObject({
      name: ["string", 20],
      description: ["text", null],
      numberofemployees: ["int", null],
      bignumber: ["bigint", null],
      donotemail: ["bool", null],
      createdon: ["datetime", null],
      birthday: ["datetime", null],
      exchangerate: ["decimal", 6],
      latitude: ["float", null],
      revenue: ["money", 4],
      industrycode: ["int", null],
      statecode: ["int", null],
      statuscode: ["int", null],
      primarycontactid: ["guid", null],
      primarycontactid_entitytype: ["string", 128],
      ownerid: ["guid", null],
      ownerid_entitytype: ["string", 128],
      customerid: ["guid", null],
      customerid_entitytype: ["string", 128],
      processid: ["guid", null],
      categories: ["text", null],
      owneridtype: ["string", 128],
    });
    expect(col("entityimage")).toBeUndefined();
    expect(col("hidden")).toBeUndefined();
  });

  it("treats an intersect table as a relationship table", () => {
    const s = accountSchema("accountleads");
    s.table.isIntersect = true;
    expect(tableSpecFor(s, "").kind).toBe("relationship");
  });
});

describe("row values", () => {
  const spec = tableSpecFor(accountSchema(), "");
  const build = makeRowBuilder(spec, identityEncoder);
  const rowOf = (r: ReturnType<typeof accountRecord>) => {
    const row = build(r, "NOW");
    return Object.fromEntries(spec.columns.map((c, i) => [c.name, row[i]]));
  };

  it("splits lookups, normalizes guids and dates, keeps multi-select text", () => {
    const row = rowOf(accountRecord(5, 42));
    expect(row).toMatchObject({
      Id: guid(5),
      SinkCreatedOn: "NOW",
      SinkModifiedOn: "NOW",
      versionnumber: "42",
      primarycontactid: guid(100005),
      primarycontactid_entitytype: "contact",
      customerid: null,
      customerid_entitytype: null,
      createdon: "2024-03-05T10:11:12.000Z",
      birthday: "1990-07-01T00:00:00.000Z",
      categories: "1,7",
      donotemail: false,
      bignumber: "9007199254740993",
    });
  });

  it("writes NULL for attributes the record does not carry", () => {
    const r = accountRecord(1, 1);
    delete r.values.name;
    expect(rowOf(r).name).toBeNull();
  });

  it("rejects a value that does not fit its column type, naming record and column", () => {
    expect(() => rowOf(accountRecord(1, 1, { numberofemployees: "many" }))).toThrow(RecordValueError);
    expect(() => rowOf(accountRecord(1, 1, { createdon: "not a date" }))).toThrow(/createdon/);
  });

  it("normalizes other ISO forms", () => {
    expect(normalizeDateTime("2024-03-05T10:11:12.5+01:00")).toBe("2024-03-05T09:11:12.500Z");
  });

  it("keeps the newest version of a duplicated Id", () => {
    const out = latestById([accountRecord(1, 9), accountRecord(2, 1), accountRecord(1, 10), accountRecord(1, 3)]);
    expect(out.map((r) => [r.id, r.version])).toEqual([
      [guid(1), "10"],
      [guid(2), "1"],
    ]);
  });

  it("plans widening only for bounded string columns that are too short", () => {
    const rows = [build(accountRecord(1, 1, { name: "x".repeat(25) }), "NOW"), build(accountRecord(2, 1, { owneridtype: "y".repeat(5000) }), "NOW")];
    const widths = new Map<string, number | null>([["name", 20], ["owneridtype", 128], ["description", null]]);
    expect(planWidening(spec, widths, rows)).toEqual([
      { column: "name", from: 20, to: 25 },
      { column: "owneridtype", from: 128, to: UNBOUNDED },
    ]);
  });
});

describe("label rows", () => {
  it("splits option sets into the DES label tables", () => {
    const spec = tableSpecFor(accountSchema(), "p");
    const rows = labelRowsFor(accountSchema(), spec);
    expect(rows.get("OptionSetMetadata")).toContainEqual({
      EntityName: "account", OptionSetName: "industrycode", Option: 2,
      IsUserLocalizedLabel: true, LocalizedLabelLanguageCode: 1033, LocalizedLabel: "Agri'culture",
    });
    expect(rows.get("GlobalOptionSetMetadata")).toEqual([
      expect.objectContaining({ OptionSetName: "paymenttermscode", GlobalOptionSetName: "paymentterms", Option: 1, EntityName: "account" }),
    ]);
    expect(rows.get("StatusMetadata")).toContainEqual(expect.objectContaining({ State: 1, Status: 2, LocalizedLabel: "Inactive" }));
    expect(rows.get("StateMetadata")).toHaveLength(2);
    expect(rows.get("TargetMetadata")).toContainEqual({ EntityName: "account", AttributeName: "ownerid", ReferencedEntity: "team", ReferencedAttribute: "teamid" });
    const attrs = rows.get("AttributeMetadata")!.map((r) => r.AttributeName);
    expect(attrs).toContain("name");
    expect(attrs).not.toContain("entityimage");
  });
});
