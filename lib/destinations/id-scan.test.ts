import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { idPageSql, toIdVersions } from "./id-scan";

const KEY = (t: string) =>
  [[25, 12], [20, 4], [17, 2], [15, 2], [12, 2], [10, 2], [7, 2], [5, 2], [3, 2], [1, 2]].map(([a, b]) => `substr(${t}, ${a}, ${b})`).join(" || ");

describe("id scan page queries", () => {
  it("T-SQL: TOP n over the uniqueidentifier Id (SQL Server's own order), keyset after the last Id", () => {
    const first = idPageSql("mssql", sql.id("my]schema", "t"), null, 5000);
    expect(first.sql).toBe("select top (5000) lower(convert(nvarchar(36), [Id])) as [id], [versionnumber] as [v] from [my]]schema].[t] order by [Id]");
    expect(first.parameters).toEqual([]);
    const next = idPageSql("mssql", sql.id("dbo", "t"), "0000000A-0000-0000-0000-000000000001", 10);
    expect(next.sql).toBe("select top (10) lower(convert(nvarchar(36), [Id])) as [id], [versionnumber] as [v] from [dbo].[t] where [Id] > convert(uniqueidentifier, @1) order by [Id]");
    expect(next.parameters).toEqual(["0000000A-0000-0000-0000-000000000001"]);
  });

  it("PostgreSQL and SQLite: order and keyset on the text key of sql-guid-order.ts", () => {
    const pg = idPageSql("postgres", sql.id("dbo", "t"), "0a000000-0000-0000-0000-000000000001", 3);
    expect(pg.sql).toBe(`select "Id"::text as "id", "versionnumber" as "v" from "dbo"."t" where ${KEY(`"Id"::text`)} > $1 order by ${KEY(`"Id"::text`)} limit 3`);
    expect(pg.parameters).toEqual(["0000000000010000000000000000000a"]);
    const lite = idPageSql("sqlite", sql.id("t"), null, 3);
    expect(lite.sql).toBe(`select lower("Id") as "id", "versionnumber" as "v" from "t" order by ${KEY(`lower("Id")`)} limit 3`);
  });

  it("turns driver rows into lower-case ids and decimal-text versions", () => {
    expect(toIdVersions([{ id: "AB", v: 5 }, { id: "cd", v: 9007199254740993n }, { id: "ef", v: null }])).toEqual([
      { id: "ab", version: "5" }, { id: "cd", version: "9007199254740993" }, { id: "ef", version: null },
    ]);
  });
});
