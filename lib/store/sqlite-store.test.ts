// The SQLite store's connections run in WAL with synchronous = NORMAL (sqlite-store.ts: why).
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { makeStore } from "../sync/test-support";

describe("SQLite portal store", () => {
  const store = makeStore({ kind: "sqlite" });
  afterAll(async () => {
    await store.db.$disconnect();
    fs.rmSync(store.dir, { recursive: true, force: true });
  });

  it("opens every connection in WAL with synchronous = NORMAL", async () => {
    const [journal] = await store.db.$queryRawUnsafe<{ journal_mode: string }[]>("PRAGMA journal_mode");
    const [sync] = await store.db.$queryRawUnsafe<{ synchronous: bigint | number }[]>("PRAGMA synchronous");
    expect(journal.journal_mode).toBe("wal");
    expect(Number(sync.synchronous)).toBe(1);
  });

  it("keeps WAL in the file: a writer commits while another process holds a read transaction open", async () => {
    await store.db.user.count();
    const other = new Database(path.join(store.dir, "portal.db"), { timeout: 1000 });
    try {
      expect(other.pragma("journal_mode", { simple: true })).toBe("wal");
      // The web process reading while the worker saves a checkpoint: with a rollback journal the
      // commit waits for the reader to finish (and fails after the busy timeout).
      other.exec("BEGIN");
      other.prepare("SELECT count(*) AS n FROM User").get();
      await store.db.$executeRawUnsafe("CREATE TABLE wal_probe (n INTEGER)");
      other.exec("COMMIT");
      expect(other.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'wal_probe'").get()).toEqual({ n: 1 });
    } finally {
      other.close();
    }
  });
});
