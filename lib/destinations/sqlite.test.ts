import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { destinationSuite } from "./conformance";
import { SqliteDestination } from "./sqlite";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-sqlite-"));
const file = path.join(dir, "target.db");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;
let reader: Database.Database | null = null;
const db = () => (reader ??= new Database(file));
afterAll(() => reader?.close());

destinationSuite(
  "sqlite",
  async (o) => new SqliteDestination(file, o),
  () => ({
    hasWidths: false,
    // safeIntegers: a bigint above 2^53 must come back exact to prove it was stored exact.
    rows: async (t) => db().prepare(`select * from ${q(t)}`).safeIntegers(true).all() as Record<string, unknown>[],
    columns: async (t) => (db().prepare("select name from pragma_table_info(?)").all(t) as { name: string }[]).map((r) => r.name),
    width: async () => null,
    poison: async (t, id) => {
      for (const when of ["insert", "update"]) {
        db().exec(`create trigger ${q(`poison_${when}_${t}`)} before ${when} on ${q(t)} when new."Id" = '${id}'
          begin select raise(abort, 'poison record'); end`);
      }
    },
  }),
);

describe("sqlite: validate() on bad targets", () => {
  const failed = async (target: string) => {
    const d = new SqliteDestination(target, { schemaName: "dbo", prefix: "" });
    try {
      return (await d.validate()).filter((c) => !c.ok);
    } finally {
      await d.close();
    }
  };

  it("names a missing folder", async () => {
    const bad = await failed(path.join(dir, "missing", "x.db"));
    expect(bad.map((c) => c.id)).toEqual(["folder"]);
    expect(bad[0].message).toContain(path.join(dir, "missing"));
    expect(bad[0].fix).toContain("mkdir -p");
  });

  it("names a folder that cannot be written", async () => {
    const bad = await failed("/proc/dvx-test.db");
    expect(bad.map((c) => c.id)).toEqual(["folder"]);
    expect(bad[0].message).toMatch(/not writable/);
  });

  it("names a path whose folder is a file", async () => {
    const f = path.join(dir, "plain-file");
    fs.writeFileSync(f, "x");
    const bad = await failed(path.join(f, "x.db"));
    expect(bad[0].message).toMatch(/is a file/);
  });

  it("refuses a file that is not a SQLite database", async () => {
    const f = path.join(dir, "notes.txt");
    fs.writeFileSync(f, "these are my notes, not a database\n");
    const bad = await failed(f);
    expect(bad.map((c) => c.id)).toEqual(["format"]);
    expect(fs.readFileSync(f, "utf8")).toBe("these are my notes, not a database\n");
  });

  it("accepts a new file in a writable folder without creating it", async () => {
    expect(await failed(path.join(dir, "fresh.db"))).toEqual([]);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith("fresh") || f.startsWith(".dataverse"))).toEqual([]);
  });

  it("accepts an existing SQLite database and proves it writable", async () => {
    const f = path.join(dir, "existing.db");
    new Database(f).exec("create table x (a)").close();
    const d = new SqliteDestination(f, { schemaName: "dbo", prefix: "" });
    try {
      expect((await d.validate()).map((c) => [c.id, c.ok])).toEqual([["folder", true], ["format", true], ["connect", true]]);
    } finally {
      await d.close();
    }
  });
});
