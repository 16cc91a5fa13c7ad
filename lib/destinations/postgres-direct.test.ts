// Direct COPY: new records go straight into the target; a batch meeting a row already there, a
// value too long or a table without an Id key goes through staging + merge, losing nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { usePostgres } from "../testing/postgres";
import { tableSpecFor } from "./columns";
import { PostgresDestination } from "./postgres";
import { DIRECT_PAUSE_BATCHES, DirectCopyPolicy } from "./postgres-direct";
import { accountRecord, accountSchema, guid } from "./test-fixtures";

describe("DirectCopyPolicy", () => {
  it("tries only checked tables whose Id is a key, pauses after a miss, and checks again after forget", () => {
    const p = new DirectCopyPolicy(true);
    expect(p.unchecked("t")).toBe(true);
    expect(p.tryNow("t")).toBe(false);
    p.checked("t", true);
    expect(p.unchecked("t")).toBe(false);
    expect(p.tryNow("t")).toBe(true);
    p.missed("t");
    for (let i = 0; i < DIRECT_PAUSE_BATCHES; i++) expect(p.tryNow("t")).toBe(false);
    expect(p.tryNow("t")).toBe(true);
    p.checked("nokey", false);
    expect(p.unchecked("nokey")).toBe(false);
    expect(p.tryNow("nokey")).toBe(false);
    p.forget("nokey");
    expect(p.unchecked("nokey")).toBe(true);
    const off = new DirectCopyPolicy(false);
    expect(off.unchecked("t")).toBe(false);
    off.checked("t", true);
    expect(off.tryNow("t")).toBe(false);
  });
});

const pg = await usePostgres();
afterAll(() => pg.cleanup());

describe.skipIf(!pg.available)("postgres direct COPY", () => {
  let dest: PostgresDestination;
  beforeAll(async () => {
    dest = new PostgresDestination({ connectionString: pg.url }, { schemaName: "directx", prefix: "d" }, "test", { copyMinRows: 1 });
    await dest.prepare({ deleteLog: false });
    await pg.admin(`create table directx.writes (id serial, tbl text, query text)`);
    // A statement trigger sees the statement that wrote: COPY (direct) or INSERT … SELECT (merge).
    await pg.admin(`create function directx.log_write() returns trigger language plpgsql as $$
      begin insert into directx.writes (tbl, query) values (TG_TABLE_NAME, lower(left(ltrim(current_query()), 4))); return null; end $$`);
  });
  afterAll(() => dest?.close());

  async function table(name: string) {
    const spec = tableSpecFor(accountSchema(name), "d");
    await dest.ensureTable(spec);
    await pg.admin(`create trigger log_write after insert on directx."${spec.tableName}" for each statement execute function directx.log_write()`);
    return spec;
  }
  /** How each write into the table went, oldest first: "copy" or "inse". */
  const writes = async (t: string) => (await pg.admin<{ query: string }>(`select query from directx.writes where tbl = $1 order by id`, [t])).map((r) => r.query);
  const rows = async (t: string) => new Map((await pg.admin(`select * from directx."${t}"`)).map((r) => [String(r.Id), r]));

  it("copies a batch of new records straight into the target", async () => {
    const spec = await table("fresh");
    const batch = Array.from({ length: 40 }, (_, i) => accountRecord(i + 1, 1, { name: `n${i}` }));
    expect(await dest.upsert(spec, batch)).toEqual({ written: 40, widened: [] });
    expect(await writes(spec.tableName)).toEqual(["copy"]);
    const got = await rows(spec.tableName);
    expect(got.size).toBe(40);
    expect(got.get(guid(7))!.name).toBe("n6");
  });

  it("writes a batch meeting rows already there through the version-guarded merge, then pauses direct COPY", async () => {
    const spec = await table("again");
    await dest.upsert(spec, [accountRecord(1, 10, { name: "ten" }), accountRecord(2, 10, { name: "ten" })]);
    const r = await dest.upsert(spec, [accountRecord(1, 9, { name: "nine" }), accountRecord(2, 11, { name: "eleven" }), accountRecord(3, 1, { name: "new" })]);
    // Older version refused, newer applied, new inserted: as the merge always did.
    expect(r.written).toBe(2);
    const got = await rows(spec.tableName);
    expect([got.get(guid(1))!.name, got.get(guid(2))!.name, got.get(guid(3))!.name]).toEqual(["ten", "eleven", "new"]);
    expect(await writes(spec.tableName)).toEqual(["copy", "inse"]);
    // The next batches of new records take the merge too, then direct COPY is tried again.
    for (let k = 0; k <= DIRECT_PAUSE_BATCHES; k++) await dest.upsert(spec, [accountRecord(100 + k, 1)]);
    const after = (await writes(spec.tableName)).slice(2);
    expect(after).toEqual([...Array<string>(DIRECT_PAUSE_BATCHES).fill("inse"), "copy"]);
    expect((await rows(spec.tableName)).size).toBe(3 + DIRECT_PAUSE_BATCHES + 1);
  });

  it("writes the batch through the merge when the direct COPY's COMMIT fails", async () => {
    const spec = await table("commitfail");
    // A deferred constraint trigger raises at COMMIT, once (a sequence is not rolled back).
    await pg.admin(`create sequence directx.commit_once`);
    await pg.admin(`create function directx.fail_once() returns trigger language plpgsql as $$
      begin if nextval('directx.commit_once') = 1 then raise exception 'commit refused'; end if; return null; end $$`);
    await pg.admin(`create constraint trigger fail_once after insert on directx."${spec.tableName}" deferrable initially deferred
      for each row execute function directx.fail_once()`);
    const batch = Array.from({ length: 10 }, (_, i) => accountRecord(i + 1, 1));
    expect((await dest.upsert(spec, batch)).written).toBe(10);
    expect((await rows(spec.tableName)).size).toBe(10);
    // The COPY's statement-trigger log was rolled back with it: only the merge's write remains.
    expect(await writes(spec.tableName)).toEqual(["inse"]);
  });

  it("widens a column for a value too long for it and writes the batch", async () => {
    const spec = await table("wide");
    const long = "x".repeat(50);
    const r = await dest.upsert(spec, [accountRecord(1, 1, { name: long }), accountRecord(2, 1)]);
    expect(r).toEqual({ written: 2, widened: [{ column: "name", from: 20, to: 50 }] });
    expect((await rows(spec.tableName)).get(guid(1))!.name).toBe(long);
    expect(await writes(spec.tableName)).toEqual(["inse"]);
  });

  it("fails the batch, writing nothing, when encoding fails: the other way must not send part of it", async () => {
    const spec = await table("encfail");
    // Cannot come from JSON: stands for any failure inside the encoder that is not a record's NUL.
    const bad = accountRecord(2, 1, { description: { n: 1n } as never });
    await expect(dest.upsert(spec, [accountRecord(1, 1), bad, accountRecord(3, 1)])).rejects.toThrow(/BigInt/);
    expect((await rows(spec.tableName)).size).toBe(0);
    expect(await writes(spec.tableName)).toEqual([]);
  });

  it("never copies into a table whose Id is no key: a second copy of a row must not be made", async () => {
    const spec = tableSpecFor(accountSchema("nokey"), "d");
    await dest.ensureTable(spec);
    await pg.admin(`alter table directx."${spec.tableName}" drop constraint "${spec.tableName}_pkey"`);
    await pg.admin(`insert into directx."${spec.tableName}" ("Id", "versionnumber") values ($1, 1)`, [guid(1)]);
    // The merge needs the key (ON CONFLICT): the batch fails, as it did before direct COPY, and
    // nothing is written; a COPY would have added a second row for guid(1).
    await expect(dest.upsert(spec, [accountRecord(1, 2), accountRecord(2, 1)])).rejects.toThrow(/ON CONFLICT/i);
    const ids = (await pg.admin<{ Id: string }>(`select "Id" from directx."${spec.tableName}"`)).map((r) => r.Id);
    expect(ids).toEqual([guid(1)]);
  });
});
