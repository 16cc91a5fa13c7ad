// The two @prisma/adapter-pg 6.19.3 workarounds the PostgreSQL store needs (pg-pool.ts,
// pg-prisma-config.ts), each shown against the stock behaviour it replaces.
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { PrismaPg } from "@prisma/adapter-pg";
import { usePostgres } from "../testing/postgres";
import { createStorePool } from "./pg-pool";
import { StorePrismaPg, withDatabase } from "./pg-prisma-config";

const pgServer = await usePostgres();
afterAll(() => pgServer.cleanup());

// What the schema engine reads: pg_catalog columns of type name (19) and "char" (18).
const catalogQuery = {
  sql: "select c.relname, c.relkind from pg_class c where c.relname = 'pg_class'",
  args: [],
  argTypes: [],
};

describe.skipIf(!pgServer.available)("PostgreSQL store adapter workarounds", () => {
  it("stock adapter-pg cannot read name/\"char\" columns (prisma/prisma#27403): why pg-pool.ts exists", async () => {
    const adapter = await new PrismaPg(new pg.Pool({ connectionString: pgServer.url }), { disposeExternalPool: true }).connect();
    try {
      await expect(adapter.queryRaw(catalogQuery)).rejects.toThrow();
    } finally {
      await adapter.dispose();
    }
  });

  it("reads name/\"char\" catalog columns as text, on the pool and inside a transaction", async () => {
    const adapter = await new PrismaPg(createStorePool(pgServer.url), { disposeExternalPool: true }).connect();
    try {
      // Through the pool: pg's Pool.query calls the client with a callback.
      const r = await adapter.queryRaw(catalogQuery);
      expect(r.rows).toEqual([["pg_class", "r"]]);
      // Inside a transaction: the client's promise form.
      const tx = await adapter.startTransaction();
      const t = await tx.queryRaw(catalogQuery);
      await tx.commit();
      expect(t.rows).toEqual([["pg_class", "r"]]);
    } finally {
      await adapter.dispose();
    }
  });

  it("stock shadow factory runs on the main database when the pool has a connection string: why StorePrismaPg exists", async () => {
    const shadows = async () =>
      (await pgServer.admin<{ datname: string }>("select datname::text from pg_database where datname like 'prisma_migrate_shadow_db_%'")).map((r) => r.datname);
    const before = new Set(await shadows());
    const shadow = await new PrismaPg(new pg.Pool({ connectionString: pgServer.url })).connectToShadowDb();
    try {
      const r = await shadow.queryRaw({ sql: "select current_database()::text", args: [], argTypes: [] });
      expect(r.rows[0][0]).toBe(pgServer.database);
    } finally {
      await shadow.dispose().catch(() => undefined);
      const server = new pg.Client({ connectionString: withDatabase(pgServer.url, "postgres") });
      await server.connect();
      for (const name of (await shadows()).filter((n) => !before.has(n))) await server.query(`drop database if exists "${name}" with (force)`);
      await server.end();
    }
  });

  it("creates its own shadow database, works in it, and drops it after closing its pool", async () => {
    const shadow = await new StorePrismaPg(pgServer.url).connectToShadowDb();
    const r = await shadow.queryRaw({ sql: "select current_database()::text", args: [], argTypes: [] });
    const name = String(r.rows[0][0]);
    expect(name).toMatch(/^dvx_shadow_/);
    await shadow.executeScript("create table t (id int)");
    expect(await pgServer.admin("select 1 from pg_database where datname = $1", [name])).toHaveLength(1);
    await shadow.dispose();
    expect(await pgServer.admin("select 1 from pg_database where datname = $1", [name])).toHaveLength(0);
    // The main database was never touched.
    expect(await pgServer.admin("select 1 from information_schema.tables where table_name = 't'")).toHaveLength(0);
  });
});
