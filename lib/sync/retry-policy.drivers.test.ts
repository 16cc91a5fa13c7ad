// classifyError table-tested with REAL error objects of every driver the engine meets:
// pg (produced against a real PostgreSQL), better-sqlite3 (real SqliteErrors), mssql/tedious
// (their own error classes, shaped as the drivers raise them), undici fetch (a real refused
// connection), Prisma (a real known-request error from the store). The rule under test: "record"
// only when known to concern the record, a wrong login is "config", anything unknown "transient".
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import mssql from "mssql";
import * as tedious from "tedious";
import pgLib from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataverseClient } from "../dataverse/client";
import { DestinationConnectError } from "../destinations/errors";
import { RecordValueError } from "../destinations/row-values";
import { usePostgres, type TestPostgres } from "../testing/postgres";
import { openTarget } from "./open-target";
import { AZURE_SQL_TRANSIENT_NUMBERS, classifyError, MSSQL_RECORD_NUMBERS, MSSQL_TRANSIENT_NUMBERS } from "./retry-policy";
import { PageRefusedError } from "./table-pipeline";
import { makeStore } from "./test-support";

/** Runs `fn` and returns what it threw (fails the test when it does not throw). */
async function thrown(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected an error");
}

/** A TCP port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

const pg: TestPostgres = await usePostgres();
if (!pg.available) console.warn(`\n*** SKIPPING the PostgreSQL error-classification cases: ${pg.reason} ***\n`);

describe.skipIf(!pg.available)("pg: real errors from a PostgreSQL server", () => {
  let c: pgLib.Client;
  const q = (text: string) => thrown(() => c.query(text));
  beforeAll(async () => {
    c = new pgLib.Client({ connectionString: pg.url });
    await c.connect();
    await c.query(`create table t (id int primary key, name text not null, n numeric(5,2), check (n >= 0));
                   create function reject() returns trigger language plpgsql as $$ begin raise exception 'rejected by trigger'; end $$;
                   create table guarded (id int); create trigger g before insert on guarded for each row execute function reject();
                   insert into t values (1, 'a', 1)`);
  });
  afterAll(async () => {
    await c?.end();
    await pg.cleanup();
  });

  it("data exceptions (22), constraint violations (23) and a trigger's RAISE are record errors", async () => {
    const cases = [
      ["select 1/0", "22012"],
      ["insert into t values (2, 'b', 12345.678)", "22003"],
      ["insert into t values (2, 'b', 'x')", "22P02"],
      ["insert into t values (1, 'dup', 1)", "23505"],
      ["insert into t values (3, null, 1)", "23502"],
      ["insert into t values (4, 'c', -1)", "23514"],
      ["insert into guarded values (1)", "P0001"],
    ] as const;
    for (const [sql, code] of cases) {
      const err = await q(sql);
      expect(err).toBeInstanceOf(pgLib.DatabaseError);
      expect([sql, (err as { code: string }).code, classifyError(err)]).toEqual([sql, code, "record"]);
    }
  });

  it("a read-only database (25006), missing privilege (42501) and a lock not available (55P03) are transient", async () => {
    await c.query("begin read only");
    const ro = await q("insert into t values (5, 'e', 1)");
    await c.query("rollback");
    expect((ro as { code: string }).code).toBe("25006");
    expect(classifyError(ro)).toBe("transient");

    const role = await pg.createRole();
    const other = new pgLib.Client({ connectionString: role.url });
    await other.connect();
    try {
      const denied = await thrown(() => other.query("insert into t values (6, 'f', 1)"));
      expect((denied as { code: string }).code).toBe("42501");
      expect(classifyError(denied)).toBe("transient");
    } finally {
      await other.end();
    }

    const locker = new pgLib.Client({ connectionString: pg.url });
    await locker.connect();
    try {
      await locker.query("begin; select * from t where id = 1 for update");
      const locked = await q("select * from t where id = 1 for update nowait");
      expect((locked as { code: string }).code).toBe("55P03");
      expect(classifyError(locked)).toBe("transient");
    } finally {
      await locker.end();
    }
  });

  it("a terminated session (57P01 / connection lost) is transient; a missing table is table-level", async () => {
    const victim = new pgLib.Client({ connectionString: pg.url });
    await victim.connect();
    victim.on("error", () => undefined);
    const { rows } = await victim.query<{ pid: number }>("select pg_backend_pid() pid");
    const dead = thrown(() => victim.query("select pg_sleep(30)"));
    await c.query("select pg_terminate_backend($1)", [rows[0].pid]);
    const err = await dead;
    expect(classifyError(err)).toBe("transient");
    await victim.end().catch(() => undefined);

    const missing = await q("select * from nope");
    expect((missing as { code: string }).code).toBe("42P01");
    expect(classifyError(missing)).toBe("table");
  });

  it("an unknown login role (28000), a missing database (3D000) and a wrong password (28P01) are configuration", async () => {
    const badRole = new URL(pg.url);
    badRole.username = "no_such_role_dvx";
    const e1 = await thrown(async () => {
      const x = new pgLib.Client({ connectionString: badRole.toString() });
      try {
        await x.connect();
      } finally {
        await x.end().catch(() => undefined);
      }
    });
    expect((e1 as { code: string }).code).toBe("28000");
    expect(classifyError(e1)).toBe("config");

    // Through the destination, as the engine meets it (wrapped in DestinationConnectError).
    const dest = await openTarget(badRole.toString(), { schemaName: "dbo", prefix: "" });
    const e2 = await thrown(() => dest.prepare({ deleteLog: false }));
    await dest.close();
    expect(e2).toBeInstanceOf(DestinationConnectError);
    expect(classifyError(e2)).toBe("config");

    const noDb = new URL(pg.url);
    noDb.pathname = "/no_such_database_dvx";
    const e3 = await thrown(async () => {
      const x = new pgLib.Client({ connectionString: noDb.toString() });
      try {
        await x.connect();
      } finally {
        await x.end().catch(() => undefined);
      }
    });
    expect((e3 as { code: string }).code).toBe("3D000");
    expect(classifyError(e3)).toBe("config");

    // The local server trusts every login, so 28P01 cannot be produced here: pg's own class.
    const wrongPassword = Object.assign(new pgLib.DatabaseError('password authentication failed for user "x"', 0, "error"), { code: "28P01" });
    expect(classifyError(wrongPassword)).toBe("config");
  });
});

describe("pg and undici: refused connections", () => {
  it("a PostgreSQL target on a closed port is transient (direct and through the destination)", async () => {
    const port = await closedPort();
    const url = `postgres://postgres@127.0.0.1:${port}/x`;
    const direct = await thrown(async () => {
      const x = new pgLib.Client({ connectionString: url });
      await x.connect();
    });
    expect((direct as { code: string }).code).toBe("ECONNREFUSED");
    expect(classifyError(direct)).toBe("transient");
    const dest = await openTarget(url, { schemaName: "dbo", prefix: "" });
    const wrapped = await thrown(() => dest.prepare({ deleteLog: false }));
    await dest.close();
    expect(classifyError(wrapped)).toBe("transient");
  });

  it("fetch to a closed port (TypeError 'fetch failed' with an ECONNREFUSED cause) is transient, also through the client", async () => {
    const port = await closedPort();
    const err = await thrown(() => fetch(`http://127.0.0.1:${port}/`));
    expect(err).toBeInstanceOf(TypeError);
    expect((err as { cause: { code: string } }).cause.code).toBe("ECONNREFUSED");
    expect(classifyError(err)).toBe("transient");
    const client = new DataverseClient({ url: `http://127.0.0.1:${port}`, token: "t", baseDelayMs: 1, maxRetries: 0 });
    expect(classifyError(await thrown(() => client.whoAmI()))).toBe("transient");
  });
});

describe("better-sqlite3: real SqliteErrors", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-classify-"));
  const file = path.join(dir, "t.db");
  const d = new Database(file);
  d.exec(`create table t (id integer primary key, name text not null unique);
          create table guarded (id int);
          create trigger g before insert on guarded begin select raise(abort, 'rejected by trigger'); end;
          insert into t values (1, 'a')`);
  afterAll(() => {
    d.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const run = (sql: string, db = d) => thrown(() => db.exec(sql));

  it("constraint violations of every kind, a type mismatch and a too-big value are record errors", async () => {
    const cases = [
      ["insert into t values (2, null)", "SQLITE_CONSTRAINT_NOTNULL"],
      ["insert into t values (2, 'a')", "SQLITE_CONSTRAINT_UNIQUE"],
      ["insert into t values (1, 'z')", "SQLITE_CONSTRAINT_PRIMARYKEY"],
      ["insert into guarded values (1)", "SQLITE_CONSTRAINT_TRIGGER"],
      ["insert into t values ('not a rowid', 'q')", "SQLITE_MISMATCH"],
    ] as const;
    for (const [sql, code] of cases) {
      const err = await run(sql);
      expect(err).toBeInstanceOf(Database.SqliteError);
      expect([sql, (err as { code: string }).code, classifyError(err)]).toEqual([sql, code, "record"]);
    }
    // SQLITE_TOOBIG needs a value over the 1 GB limit: the driver's own class with that code.
    expect(classifyError(new Database.SqliteError("string or blob too big", "SQLITE_TOOBIG"))).toBe("record");
  });

  it("a busy or read-only database, a moved file and I/O errors are transient; a missing table is table-level", async () => {
    const other = new Database(file, { timeout: 0 });
    d.exec("begin exclusive");
    const busy = await run("insert into t values (9, 'busy')", other);
    d.exec("rollback");
    other.close();
    expect((busy as { code: string }).code).toBe("SQLITE_BUSY");
    expect(classifyError(busy)).toBe("transient");

    const ro = new Database(file, { readonly: true });
    const readonly = await run("insert into t values (9, 'ro')", ro);
    ro.close();
    expect((readonly as { code: string }).code).toBe("SQLITE_READONLY");
    expect(classifyError(readonly)).toBe("transient");

    const movedFile = path.join(dir, "moved.db");
    const moved = new Database(movedFile);
    moved.exec("create table m (id int)");
    fs.renameSync(movedFile, path.join(dir, "elsewhere.db"));
    const dbmoved = await run("insert into m values (1)", moved);
    moved.close();
    expect((dbmoved as { code: string }).code).toBe("SQLITE_READONLY_DBMOVED");
    expect(classifyError(dbmoved)).toBe("transient");

    for (const code of ["SQLITE_IOERR", "SQLITE_IOERR_WRITE", "SQLITE_IOERR_FSYNC", "SQLITE_FULL"]) {
      expect([code, classifyError(new Database.SqliteError("disk I/O error", code))]).toEqual([code, "transient"]);
    }
    const target = await openTarget(`sqlite:${path.join(dir, "no", "such", "dir.db")}`, { schemaName: "dbo", prefix: "" });
    const cantOpen = await thrown(() => target.prepare({ deleteLog: false }));
    await target.close();
    expect((cantOpen as { code: string }).code).toBe("SQLITE_CANTOPEN");
    expect(classifyError(cantOpen)).toBe("transient");

    const missing = await run("insert into nope values (1)");
    expect(classifyError(missing)).toBe("table");
  });
});

describe("mssql / tedious: their error classes as the drivers raise them", () => {
  /** A request error as tedious raises it (number on the error) wrapped by mssql, which copies the number. */
  const request = (number: number, message = `error ${number}`) => {
    const t = Object.assign(new tedious.RequestError(message, "EREQUEST"), { number });
    return new mssql.RequestError(t as unknown as Error, "EREQUEST");
  };
  /** mssql's own path: an `info` object from the errorMessage event. */
  const requestInfo = (number: number) => new mssql.RequestError(Object.assign(new Error(`error ${number}`), { info: { number } }), "EREQUEST");

  it("every documented record-level number is a record error, in both shapes", () => {
    for (const n of [2627, 2601, 547, 515, 8152, 2628, 245, 8114, 8115, 220, 241, 242, 8169, 3609, 50000, 51234]) {
      expect([n, classifyError(request(n))]).toEqual([n, "record"]);
      expect([n, classifyError(requestInfo(n))]).toEqual([n, "record"]);
    }
    expect(MSSQL_RECORD_NUMBERS.has(2627)).toBe(true);
    // A trigger's THROW arrives as precedingErrors of 3609, and mssql keeps the last one on top.
    const top = request(3609);
    (top as unknown as { precedingErrors: unknown[] }).precedingErrors = [request(50001, "rejected by trigger")];
    expect(classifyError(top)).toBe("record");
  });

  it("log full, filegroup full, size quota, read-only database, Azure throttling, aborts and unknown numbers are transient", () => {
    for (const n of [9002, 1105, 40544, 3906, 1205, 1222, 40501, 40613, 40197, 10928, 10929, 49918, 40549, 40552, 4060, 12345]) {
      expect([n, classifyError(request(n))]).toEqual([n, "transient"]);
    }
    expect([...MSSQL_TRANSIENT_NUMBERS].every((n) => !MSSQL_RECORD_NUMBERS.has(n))).toBe(true);
    expect(classifyError(new mssql.RequestError("Canceled.", "EABORT"))).toBe("transient");
    expect(classifyError(new mssql.RequestError("Canceled.", "ECANCEL"))).toBe("transient");
    expect(classifyError(new mssql.ConnectionError(new tedious.ConnectionError("Connection lost - read ECONNRESET", "ESOCKET")))).toBe("transient");
    expect(classifyError(new mssql.TransactionError("Transaction has been aborted.", "EABORT"))).toBe("transient");
    expect(classifyError(request(208, "Invalid object name 'dbo.x'."))).toBe("table");
  });

  it.each(AZURE_SQL_TRANSIENT_NUMBERS.map((n) => [n]))("Azure SQL %i is transient: alone, over a record error in the same batch, and at login", (n) => {
    expect(classifyError(request(n))).toBe("transient");
    expect(classifyError(requestInfo(n))).toBe("transient");
    // The batch also reported a duplicate key: the throttling error decides (retry the page, do
    // not log a healthy record as failed). Only the listed numbers do this: 12345 would not.
    const both = request(2627);
    (both as unknown as { precedingErrors: unknown[] }).precedingErrors = [request(n)];
    expect(classifyError(both)).toBe("transient");
    // A login refused with it (tedious sets no isTransient here) is not "wrong credentials".
    const login = Object.assign(new tedious.ConnectionError(`Login failed for user 'sa'. (${n})`, "ELOGIN"), { number: n });
    expect(classifyError(new mssql.ConnectionError(login))).toBe("transient");
  });

  it("a record error reported together with an unlisted number stays a record error (so the table above can fail)", () => {
    const both = request(2627);
    (both as unknown as { precedingErrors: unknown[] }).precedingErrors = [request(12345)];
    expect(classifyError(both)).toBe("record");
    expect(classifyError(new mssql.ConnectionError(new tedious.ConnectionError("Login failed for user 'sa'.", "ELOGIN")))).toBe("config");
  });

  it("a wrong password (ELOGIN 'Login failed for user') is configuration; a login error tedious marks transient is not", () => {
    const wrong = new mssql.ConnectionError(new tedious.ConnectionError("Login failed for user 'sa'.", "ELOGIN"));
    expect(wrong.code).toBe("ELOGIN");
    expect(classifyError(wrong)).toBe("config");
    expect(classifyError(new DestinationConnectError("Cannot connect to SQL Server at x: Login failed for user 'sa'.", wrong, "ESOCKET"))).toBe("config");
    const busy = Object.assign(new tedious.ConnectionError("Database 'x' on server 'y' is not currently available.", "ELOGIN"), { isTransient: true });
    expect(classifyError(new mssql.ConnectionError(busy))).toBe("transient");
  });

  it("a SQL Server target on a closed port is transient", async () => {
    const port = await closedPort();
    const dest = await openTarget(`mssql://sa:x@127.0.0.1:${port}/db?encrypt=false`, { schemaName: "dbo", prefix: "" });
    const err = await thrown(() => dest.prepare({ deleteLog: false }));
    await dest.close();
    expect(classifyError(err)).toBe("transient");
  });
});

describe("Prisma and the engine's own errors", () => {
  it("a store error (real P2002 unique violation) is never the record's fault", async () => {
    const { db } = makeStore();
    try {
      await db.organization.create({ data: { name: "a", url: "http://dup.example" } });
      const err = await thrown(() => db.organization.create({ data: { name: "b", url: "http://dup.example" } }));
      expect((err as { name: string; code: string }).name).toBe("PrismaClientKnownRequestError");
      expect((err as { code: string }).code).toBe("P2002");
      expect(classifyError(err)).toBe("transient");
    } finally {
      await db.$disconnect();
    }
  });

  it("RecordValueError is a record error; the breaker's PageRefusedError and an unknown Error are transient", () => {
    expect(classifyError(new RecordValueError("id", "col", "not a GUID"))).toBe("record");
    expect(classifyError(new PageRefusedError("account", 9, 10, new Error("x")))).toBe("transient");
    expect(classifyError(new Error("something nobody expected"))).toBe("transient");
  });
});
