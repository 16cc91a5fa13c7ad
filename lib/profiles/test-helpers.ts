// Shared by the profile and API tests (not a test file): a fresh store, the in-process emulator
// registered as the demo organization, actors, and a worker that syncs fast.
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import type { Actor } from "../auth/actor";
import { DataverseClient } from "../dataverse/client";
import type { Db } from "../db";
import { ensureDemoOrganization } from "../organizations/demo";
import { startWorker, type Worker } from "../sync/supervisor";
import { makeStore } from "../sync/test-support";

export const admin: Actor = { id: "u-admin", email: "admin@example.com", name: "Admin", role: "admin" };
export const viewer: Actor = { id: "u-viewer", email: "viewer@example.com", name: "Viewer", role: "viewer" };

export interface Fixture {
  db: Db;
  dir: string;
  emu: RunningEmulator;
  orgId: string;
  close(): Promise<void>;
}

export async function setUp(records = 40, seed = 5): Promise<Fixture> {
  const { db, dir } = makeStore();
  const emu = await startEmulator({ port: 0, records, seed });
  const orgId = await ensureDemoOrganization(db, { url: emu.url, token: emu.token });
  return {
    db, dir, emu, orgId,
    async close() {
      await db.$disconnect();
      await emu.close();
    },
  };
}

/** The engine as `npm start` runs it, with short intervals so a test sees progress quickly. */
export function fastWorker(db: Db, token: string): Worker {
  const sourceFactory = (org: { url: string }) => new DataverseClient({ url: org.url, token, baseDelayMs: 5, maxRetries: 1 });
  return startWorker({ db, pollMs: 50, sourceFactory, intervalMs: 150, pageSize: 25 });
}
