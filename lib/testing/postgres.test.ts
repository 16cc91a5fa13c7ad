import pgLib from "pg";
import { afterEach, describe, expect, it, vi } from "vitest";
import { usePostgres } from "./postgres";

describe("usePostgres", () => {
  const saved = process.env.PG_URL;
  afterEach(() => {
    if (saved === undefined) delete process.env.PG_URL;
    else process.env.PG_URL = saved;
    vi.restoreAllMocks();
  });

  it("reports an unreachable server as unavailable, loudly", async () => {
    process.env.PG_URL = "postgres://nobody@127.0.0.1:1/none";
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const pg = await usePostgres();
    expect(pg.available).toBe(false);
    expect(pg.reason).toMatch(/PG_URL is set but unreachable/);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^SKIPPED: PostgreSQL not available: /));
    await pg.cleanup();
  });

  it("gives each caller a fresh database and drops it in cleanup()", async (ctx) => {
    delete process.env.PG_URL;
    const pg = await usePostgres();
    // Counted as skipped, not passed, when there is no server (usePostgres also warned why).
    if (!pg.available) return ctx.skip(`PostgreSQL not available: ${pg.reason}`);
    const other = await usePostgres();
    expect(other.database).not.toBe(pg.database);
    const c = new pgLib.Client({ connectionString: pg.url });
    await c.connect();
    expect((await c.query("select current_database() as d")).rows[0].d).toBe(pg.database);
    await c.end();
    await other.cleanup();
    await pg.cleanup();
    const admin = new pgLib.Client({ connectionString: "postgres://postgres@127.0.0.1:5432/postgres" });
    await admin.connect();
    const left = await admin.query("select datname from pg_database where datname = any($1)", [[pg.database, other.database]]);
    await admin.end();
    expect(left.rows).toEqual([]);
  });
});
