// The COPY write path: the conformance suite with every batch forced through COPY, the text
// encoding, NULs, poison records inside a COPY batch and the version guard through the merge.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifyError } from "../sync/retry-policy";
import { usePostgres } from "../testing/postgres";
import { tableSpecFor } from "./columns";
import { destinationSuite } from "./conformance";
import { PostgresDestination } from "./postgres";
import { postgresProbe } from "./postgres-probe";
import { CopyEncoder, copyChunks, copyText } from "./postgres-copy";
import { identityEncoder, makeRowBuilder, RecordValueError } from "./row-values";
import { accountRecord, accountSchema, guid } from "./test-fixtures";
import type { SourceRecord } from "./types";

describe("copyText", () => {
  it("escapes tab, newline, carriage return and backslash; NULL is \\N; NUL is refused by record", () => {
    expect(copyText("a\tb\nc\rd\\e", "id", "c")).toBe("a\\tb\\nc\\rd\\\\e");
    expect(copyText("\\N", "id", "c")).toBe("\\\\N");
    expect(copyText(null, "id", "c")).toBe("\\N");
    expect(copyText(undefined, "id", "c")).toBe("\\N");
    expect(copyText(true, "id", "c")).toBe("t");
    expect(copyText(false, "id", "c")).toBe("f");
    expect(copyText(1.5, "id", "c")).toBe("1.5");
    expect(copyText("12345678901234567890.1234", "id", "c")).toBe("12345678901234567890.1234");
    expect(() => copyText("a\0b", "rec-1", "name")).toThrow(RecordValueError);
    expect(() => copyText("a\0b", "rec-1", "name")).toThrow(/Record rec-1, column name: .*NUL/);
  });
});

describe("CopyEncoder", () => {
  const spec = tableSpecFor(accountSchema(), "enc");
  const hostile = ["a\tb", "line\nbreak\r", "back\\slash", "\\N", "Zürich 東京 😀", "", "x".repeat(30_000)];
  const records = Array.from({ length: 1200 }, (_, n) =>
    accountRecord(n, 100 + n, { name: hostile[n % hostile.length], description: n % 5 === 0 ? null : hostile[(n + 3) % hostile.length] }),
  );
  records[7] = { ...records[7], id: records[7].id.toUpperCase() };

  it("encodes records in one pass to the same bytes as rows through copyChunks, and tracks the longest string per column", () => {
    const now = "2024-05-06T07:08:09.000Z";
    const build = makeRowBuilder(spec, identityEncoder);
    const rows = records.map((r) => build(r, now));
    const expected = Buffer.from([...copyChunks(spec, rows)].join(""), "utf8");
    const encoder = new CopyEncoder(spec);
    const chunks = [...encoder.chunks(records, now)];
    expect(chunks.length).toBeGreaterThan(1);
    expect(Buffer.concat(chunks).equals(expected)).toBe(true);
    const nameAt = spec.columns.findIndex((c) => c.name === "name");
    expect(encoder.longest[nameAt]).toBe(30_000);
    // Values are written where they stand (no line string per row): chunks are filled to the
    // brim, so rows run on into the next chunk — COPY data is a byte stream.
    expect(chunks.slice(0, -1).some((c) => c[c.length - 1] !== 10)).toBe(true);
  });

  it("refuses a NUL by record (lower-cased id) and column", () => {
    const bad = accountRecord(3, 1, { name: "a\0b" });
    expect(() => [...new CopyEncoder(spec).chunks([{ ...bad, id: bad.id.toUpperCase() }], "2024-01-01T00:00:00.000Z")]).toThrow(
      new RecordValueError(bad.id, "name", "contains a NUL character (U+0000), which PostgreSQL cannot store in text"),
    );
  });
});

const pg = await usePostgres();
afterAll(() => pg.cleanup());

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

describe.skipIf(!pg.available)("postgres COPY path", () => {
  // Every batch, even of one row, goes through COPY: straight into the target where its rows are
  // new (postgres-direct.ts), else through staging + merge (postgres-staging.test.ts: staging only).
  destinationSuite("postgres (COPY forced)", async (o) => new PostgresDestination({ connectionString: pg.url }, o, "test", { copyMinRows: 1 }), () => postgresProbe(pg));

  let dest: PostgresDestination;
  beforeAll(async () => {
    dest = new PostgresDestination({ connectionString: pg.url }, { schemaName: "copyx", prefix: "c" }, "test", { copyMinRows: 1 });
    await dest.prepare({ deleteLog: false });
  });
  afterAll(() => dest?.close());

  const rowsOf = async (table: string) =>
    new Map((await pg.admin(`select * from "copyx".${q(table)}`)).map((r) => [String(r.Id), r]));

  /** The pipeline's halving search (lib/sync/table-pipeline.ts isolate), driven by classifyError. */
  async function bisect(write: (b: SourceRecord[]) => Promise<unknown>, batch: SourceRecord[], poison: string[]): Promise<void> {
    try {
      await write(batch);
    } catch (err) {
      expect(classifyError(err)).toBe("record");
      if (batch.length === 1) {
        poison.push(batch[0].id);
        return;
      }
      const mid = batch.length >> 1;
      await bisect(write, batch.slice(0, mid), poison);
      await bisect(write, batch.slice(mid), poison);
    }
  }

  it("round-trips tabs, newlines, CR, backslashes, quotes, \\N-looking text, non-ASCII and nulls", async () => {
    const spec = tableSpecFor(accountSchema("texts"), "c");
    await dest.ensureTable(spec);
    const values = [
      "tab\there", "line\nbreak", "cr\rlf\r\n", "back\\slash\\", "\\N", "\\.", "'single' \"double\"", "ünïcødé 日本語 🚀",
      "", " ", "\\t literal", "end\\",
    ];
    const records = values.map((v, i) => accountRecord(i + 1, 1, { description: v, name: v.slice(0, 20), categories: null }));
    expect((await dest.upsert(spec, records)).written).toBe(values.length);
    const rows = await rowsOf(spec.tableName);
    values.forEach((v, i) => {
      const row = rows.get(guid(i + 1))!;
      expect([row.description, row.categories]).toEqual([v, null]);
    });
    // Exact decimals and bigints, timestamps, GUIDs and booleans.
    await dest.upsert(spec, [accountRecord(99, 1, { revenue: "12345678901234567890123456789012.3456", bignumber: "-9223372036854775808", exchangerate: "0.000001", donotemail: true })]);
    const [r] = await pg.admin(`select revenue::text as rev, bignumber::text as big, exchangerate::text as x, donotemail, createdon, "Id"::text as id from "copyx".${q(spec.tableName)} where "Id" = $1`, [guid(99)]);
    expect(r).toMatchObject({ rev: "12345678901234567890123456789012.3456", big: "-9223372036854775808", x: "0.000001", donotemail: true, id: guid(99) });
    expect((r.createdon as Date).toISOString()).toBe("2024-03-05T10:11:12.000Z");
  });

  it("refuses a value with a NUL as a record error naming record and column, writing nothing", async () => {
    const spec = tableSpecFor(accountSchema("nuls"), "c");
    await dest.ensureTable(spec);
    const err = await dest.upsert(spec, [accountRecord(1, 1), accountRecord(2, 1, { description: "a\0b" })]).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(RecordValueError);
    expect((err as Error).message).toContain(`Record ${guid(2)}, column description`);
    expect(classifyError(err)).toBe("record");
    expect((await rowsOf(spec.tableName)).size).toBe(0);
    // Found mid-stream (after chunks were sent): the COPY is cancelled, the batch rolled back and
    // the pooled connections stay usable.
    const many = Array.from({ length: 600 }, (_, i) => accountRecord(i + 1, 1, i === 550 ? { name: "mid\0stream" } : {}));
    const mid = await dest.upsert(spec, many).then(() => null, (e: unknown) => e);
    expect(mid).toBeInstanceOf(RecordValueError);
    expect((mid as Error).message).toContain(`Record ${guid(551)}, column name`);
    expect((await rowsOf(spec.tableName)).size).toBe(0);
    expect((await dest.upsert(spec, many.filter((_, i) => i !== 550))).written).toBe(599);
    // The parameterised path refuses it the same way.
    const small = new PostgresDestination({ connectionString: pg.url }, { schemaName: "copyx", prefix: "c" }, "test", { copyMinRows: Infinity });
    try {
      await expect(small.upsert(spec, [accountRecord(2, 1, { name: "x\0" })])).rejects.toThrow(RecordValueError);
    } finally {
      await small.close();
    }
  });

  it("isolates a value the column refuses inside a COPY batch; the rest is written", async () => {
    const spec = tableSpecFor(accountSchema("badvalue"), "c");
    await dest.ensureTable(spec);
    // numeric(38,2) holds 36 integer digits: 40 fail the COPY (the stage has the column's numeric
    // type) with 22003 (numeric field overflow).
    const batch = Array.from({ length: 40 }, (_, i) => accountRecord(i + 1, 1, i === 23 ? { revenue: "9".repeat(40) } : {}));
    const poison: string[] = [];
    await bisect((b) => dest.upsert(spec, b), batch, poison);
    expect(poison).toEqual([guid(24)]);
    const rows = await rowsOf(spec.tableName);
    expect(rows.size).toBe(39);
    expect(rows.has(guid(24))).toBe(false);
  });

  it("isolates a record a constraint refuses at the merge; the rest is written", async () => {
    const spec = tableSpecFor(accountSchema("checked"), "c");
    await dest.ensureTable(spec);
    await pg.admin(`alter table "copyx"."c_checked" add constraint no_neg check ("numberofemployees" >= 0)`);
    const batch = Array.from({ length: 30 }, (_, i) => accountRecord(i + 1, 1, { numberofemployees: i === 6 ? -1 : i }));
    const poison: string[] = [];
    await bisect((b) => dest.upsert(spec, b), batch, poison);
    expect(poison).toEqual([guid(7)]);
    expect((await rowsOf(spec.tableName)).size).toBe(29);
  });

  it("keeps one staging table per connection across batches and tables with the same columns, emptied at each commit", async () => {
    const stages = async () =>
      Number((await pg.admin<{ n: string }>(
        "select count(*) as n from pg_class c join pg_namespace s on s.oid = c.relnamespace where s.nspname like 'pg_temp%' and c.relname like 'dvx_stage_%'",
      ))[0].n);
    const a = tableSpecFor(accountSchema("reuse_a"), "c");
    const b = tableSpecFor(accountSchema("reuse_b"), "c");
    // New rows would go straight into the target (postgres-direct.ts): staging only here.
    const staged = new PostgresDestination({ connectionString: pg.url }, { schemaName: "copyx", prefix: "c" }, "test", { copyMinRows: 1, directCopy: false });
    await staged.ensureTable(a);
    await staged.ensureTable(b);
    const before = await stages();
    try {
      for (let k = 0; k < 4; k++) {
        const batch = Array.from({ length: 50 }, (_, i) => accountRecord(k * 50 + i + 1, 1));
        // Each batch writes exactly its own rows: nothing staged by an earlier batch is merged again.
        expect((await staged.upsert(a, batch)).written).toBe(50);
        expect((await staged.upsert(b, batch)).written).toBe(50);
      }
      expect((await rowsOf(a.tableName)).size).toBe(200);
      // Kept (not dropped per batch), and shared by both tables (one column set): at most one per
      // pooled connection (the pool holds at most 4), whatever the number of batches.
      const after = await stages();
      expect(after).toBeGreaterThanOrEqual(1);
      expect(after - before).toBeLessThanOrEqual(4);
    } finally {
      await staged.close();
    }
  });

  it("applies the version guard through the merge: older versions are refused, SinkCreatedOn kept", async () => {
    const spec = tableSpecFor(accountSchema("versions"), "c");
    await dest.ensureTable(spec);
    await dest.upsert(spec, [accountRecord(1, 10, { name: "ten" }), accountRecord(2, 10, { name: "ten" })]);
    const before = await rowsOf(spec.tableName);
    const r = await dest.upsert(spec, [accountRecord(1, 9, { name: "nine" }), accountRecord(2, 11, { name: "eleven" }), accountRecord(3, 1, { name: "new" })]);
    expect(r.written).toBe(2);
    const after = await rowsOf(spec.tableName);
    expect([after.get(guid(1))!.name, after.get(guid(2))!.name, after.get(guid(3))!.name]).toEqual(["ten", "eleven", "new"]);
    expect(after.get(guid(2))!.SinkCreatedOn).toEqual(before.get(guid(2))!.SinkCreatedOn);
    expect((after.get(guid(2))!.SinkModifiedOn as Date).getTime()).toBeGreaterThanOrEqual((before.get(guid(2))!.SinkModifiedOn as Date).getTime());
  });
});
