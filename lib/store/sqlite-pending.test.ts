// A SQLite store migrates only when a migration is pending, so a CLI command or a restarted worker
// starts beside a running portal (WAL: the schema engine's exclusive lock cannot be had then).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { createDb } from "../db";
import { makeStore } from "../sync/test-support";
import { migrateStore } from "./migrate";
import { pendingSqliteMigrations } from "./sqlite-pending";

const migrations = path.resolve(import.meta.dirname, "../../prisma/migrations");
const all = fs.readdirSync(migrations).filter((d) => /^\d{14}_/.test(d)).sort();

describe("SQLite store migrations", () => {
  const store = makeStore({ kind: "sqlite" });
  const file = path.join(store.dir, "portal.db");
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-pending-"));
  afterAll(async () => {
    await store.db.$disconnect();
    fs.rmSync(store.dir, { recursive: true, force: true });
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("counts every migration pending for a missing or empty file, none for a migrated store", () => {
    expect(all.length).toBeGreaterThan(3);
    expect(pendingSqliteMigrations(path.join(scratch, "none.db"), migrations)).toEqual(all);
    fs.writeFileSync(path.join(scratch, "empty.db"), "");
    expect(pendingSqliteMigrations(path.join(scratch, "empty.db"), migrations)).toEqual(all);
    expect(pendingSqliteMigrations(file, migrations)).toEqual([]);
  });

  it("counts a migration that failed, was rolled back or is missing as pending", () => {
    const copy = path.join(scratch, "copy.db");
    const src = new Database(file, { readonly: true });
    src.prepare("VACUUM INTO ?").run(copy);
    src.close();
    const db = new Database(copy);
    db.prepare("UPDATE _prisma_migrations SET finished_at = NULL WHERE migration_name = ?").run(all[1]);
    db.prepare("UPDATE _prisma_migrations SET rolled_back_at = finished_at WHERE migration_name = ?").run(all[2]);
    db.prepare("DELETE FROM _prisma_migrations WHERE migration_name = ?").run(all.at(-1));
    db.close();
    expect(pendingSqliteMigrations(copy, migrations)).toEqual([all[1], all[2], all.at(-1)]);
  });

  it("starts beside a process that has the store open when nothing is pending", async () => {
    await store.db.user.count();
    expect(() => migrateStore(store.url)).not.toThrow();
  });

  it("says what to do when migrations are pending and another process has the store open", async () => {
    const copy = path.join(scratch, "behind.db");
    const src = new Database(file, { readonly: true });
    src.prepare("VACUUM INTO ?").run(copy);
    src.close();
    const behind = new Database(copy);
    behind.pragma("journal_mode = WAL");
    behind.prepare("DELETE FROM _prisma_migrations WHERE migration_name = ?").run(all.at(-1));
    behind.close();
    const open = createDb(`file:${copy}`);
    try {
      await open.user.count();
      expect(() => migrateStore(`file:${copy}`)).toThrow(/another process .* has it open: stop them all/);
    } finally {
      await open.$disconnect();
    }
  }, 60_000);
});
