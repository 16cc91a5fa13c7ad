// For server-action tests: a fresh store in its own DATA_DIR (set before lib/db is first imported,
// which reads it) with one admin, one contributor and one viewer to act as. The next-auth session mock itself must
// stay in each test file: vi.mock is hoisted per file.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Db } from "../db";
import { createTestPostgresStore, testStoreKind } from "./test-store";

export interface ActionStore {
  dir: string;
  db: Db;
  adminId: string;
  viewerId: string;
  contributorId: string;
  close(): Promise<void>;
}

export async function freshActionStore(prefix: string): Promise<ActionStore> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `dvx-${prefix}-`));
  process.env.DATA_DIR = dir;
  // STORE=postgres: the same suites on a fresh PostgreSQL store (lib/testing/test-store.ts).
  if (testStoreKind() === "postgres") process.env.DATABASE_URL = createTestPostgresStore();
  else delete process.env.DATABASE_URL;
  const { migrateStore } = await import("../store/migrate");
  migrateStore();
  const { db } = await import("../db");
  const adminId = (await db.user.create({ data: { email: "admin@t.test", role: "admin" } })).id;
  const viewerId = (await db.user.create({ data: { email: "viewer@t.test", role: "viewer" } })).id;
  const contributorId = (await db.user.create({ data: { email: "contributor@t.test", role: "contributor" } })).id;
  return {
    dir, db, adminId, viewerId, contributorId,
    close: async () => {
      await db.$disconnect();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
