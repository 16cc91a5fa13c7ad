// The portal's files hold password hashes, secrets and exported CRM data: owner-only on disk.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteDestination } from "../destinations/sqlite";
import { migrateStore } from "../store/migrate";
import { ensureDataDir } from "./paths";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-modes-"));
const mode = (p: string) => fs.statSync(p).mode & 0o777;
const saved = process.env.DATA_DIR;
afterAll(() => {
  process.env.DATA_DIR = saved;
  fs.rmSync(root, { recursive: true, force: true });
});

describe("file modes", () => {
  it("creates DATA_DIR 0700 and tightens an existing 0755 one", () => {
    process.env.DATA_DIR = path.join(root, "new");
    expect(mode(ensureDataDir())).toBe(0o700);
    const old = path.join(root, "old");
    fs.mkdirSync(old, { mode: 0o755 });
    fs.chmodSync(old, 0o755);
    process.env.DATA_DIR = old;
    expect(mode(ensureDataDir())).toBe(0o700);
  });

  it("makes the SQLite portal store 0600, and its WAL files follow", () => {
    const file = path.join(root, "store", "portal.db");
    migrateStore(`file:${file}`);
    expect(mode(file)).toBe(0o600);
    for (const side of [`${file}-wal`, `${file}-shm`]) if (fs.existsSync(side)) expect(mode(side)).toBe(0o600);
  }, 120_000);

  it("creates a new SQLite export target 0600", async () => {
    const file = path.join(root, "export.db");
    const dest = new SqliteDestination(file, { schemaName: "dbo", prefix: "" });
    await dest.prepare({ deleteLog: true });
    await dest.close();
    expect(mode(file)).toBe(0o600);
  });
});
