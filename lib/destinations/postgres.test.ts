import { afterAll, describe, expect, it } from "vitest";
import { usePostgres } from "../testing/postgres";
import { destinationSuite } from "./conformance";
import { PostgresDestination } from "./postgres";
import { postgresProbe } from "./postgres-probe";
import { accountRecord, accountSchema } from "./test-fixtures";
import { tableSpecFor } from "./columns";
import { WidenColumnError } from "./errors";

const pg = await usePostgres();
afterAll(() => pg.cleanup());

const open = (url: string, schemaName = "dbo") => new PostgresDestination({ connectionString: url }, { schemaName, prefix: "t" }, "test");

describe.skipIf(!pg.available)("postgres", () => {
  destinationSuite("postgres", async (o) => new PostgresDestination({ connectionString: pg.url }, o, "test"), () => postgresProbe(pg));

  it("uses the schema name exactly as given (quoted), creating it when missing", async () => {
    const d = open(pg.url, "Export Schema");
    try {
      await d.prepare({ deleteLog: false });
      const spec = tableSpecFor(accountSchema(), "Hatest");
      await d.ensureTable(spec);
      await d.upsert(spec, [accountRecord(1, 1)]);
      expect(await pg.admin(`select count(*)::int as n from "Export Schema"."Hatest_account"`)).toEqual([{ n: 1 }]);
      expect(await pg.admin(`select to_regclass('"Export Schema"."DeleteLog"') as t`)).toEqual([{ t: null }]);
    } finally {
      await d.close();
    }
  });

  it("explains a widening blocked by a dependent view", async () => {
    const d = open(pg.url);
    try {
      const spec = tableSpecFor(accountSchema("viewed"), "t");
      await d.ensureTable(spec);
      await pg.admin(`create view dbo.viewed_names as select "name" from "dbo"."t_viewed"`);
      const err = await d.upsert(spec, [accountRecord(1, 1, { name: "z".repeat(40) })]).then(() => null, (e: Error) => e);
      expect(err).toBeInstanceOf(WidenColumnError);
      expect(err?.message).toMatch(/Cannot widen column name of table t_viewed from 20 to 40 characters: .*view/);
      expect(await pg.admin(`select count(*)::int as n from "dbo"."t_viewed"`)).toEqual([{ n: 0 }]);
    } finally {
      await d.close();
    }
  });

  it("refuses a name PostgreSQL would silently truncate", async () => {
    const d = open(pg.url);
    try {
      const spec = tableSpecFor(accountSchema("x".repeat(62)), "t");
      await expect(d.ensureTable(spec)).rejects.toThrow(/longer than 63 bytes/);
      expect(await pg.admin("select count(*)::int as n from information_schema.tables where table_name like 't_xxxx%'")).toEqual([{ n: 0 }]);
    } finally {
      await d.close();
    }
  });

  it("refuses, with the exact GRANT, a role that may not create the schema", async () => {
    const role = await pg.createRole("dvx_nocreate");
    const d = open(role.url, "newschema");
    try {
      const failed = (await d.validate()).filter((c) => !c.ok);
      expect(failed.map((c) => c.id)).toEqual(["permission:CREATE ON DATABASE"]);
      expect(failed[0].message).toContain(role.name);
      expect(failed[0].fix).toContain(`grant create on database "${pg.database}" to "${role.name}";`);
      await expect(d.prepare({ deleteLog: false })).rejects.toThrow(/permission denied/);
    } finally {
      await d.close();
    }
  });

  it("refuses, with the exact GRANT, a role without USAGE/CREATE on an existing schema", async () => {
    const role = await pg.createRole("dvx_nousage");
    await pg.admin(`create schema "locked"`);
    const d = open(role.url, "locked");
    try {
      const failed = (await d.validate()).filter((c) => !c.ok);
      expect(failed.map((c) => c.id)).toEqual(["permission:USAGE ON SCHEMA", "permission:CREATE ON SCHEMA"]);
      expect(failed[0].fix).toBe(`grant usage, create on schema "locked" to "${role.name}";`);
      await pg.admin(failed[0].fix!);
      expect((await d.validate()).filter((c) => !c.ok)).toEqual([]);
    } finally {
      await d.close();
    }
  });

  it("names host and port, never the password, when the server is unreachable", async () => {
    const d = new PostgresDestination(
      { connectionString: "postgres://u:s3cret@127.0.0.1:1/db", connectionTimeoutMillis: 2000 },
      { schemaName: "dbo", prefix: "" },
      "postgres://u@127.0.0.1:1/db",
    );
    try {
      const checks = await d.validate();
      expect(checks).toHaveLength(1);
      expect(checks[0]).toMatchObject({ id: "connect", ok: false });
      expect(checks[0].message).toContain("127.0.0.1:1");
      expect(checks[0].message).not.toContain("s3cret");
      await expect(d.prepare({ deleteLog: false })).rejects.toThrow(/PostgreSQL at postgres:\/\/u@127\.0\.0\.1:1\/db/);
    } finally {
      await d.close();
    }
  });
});
