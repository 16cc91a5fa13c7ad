// The portal's worker: picks up active profiles from the store, keeps them in delta sync,
// serves a table re-export request, stops on deactivation, marks a failing profile and retries.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import type { Db } from "../db";
import { DataverseClient } from "../dataverse/client";
import { deactivateProfile, activateProfile, getProfileStatus, requestTableResync } from "./profile-store";
import { startWorker, type Worker } from "./supervisor";
import { createProfile, makeStore, sqliteRows, waitFor, webApi } from "./test-support";

let emu: RunningEmulator;
let db: Db;
let dir: string;
let worker: Worker;
const fastSource = (org: { url: string }) => new DataverseClient({ url: org.url, token: "emulator-token", baseDelayMs: 5, maxRetries: 1 });

beforeAll(async () => {
  ({ db, dir } = makeStore());
  emu = await startEmulator({ port: 0, records: 60, seed: 4 });
});
afterAll(async () => {
  await worker?.stop();
  await db.$disconnect();
  await emu.close();
});

describe("startWorker", () => {
  it("runs active profiles continuously, re-exports a table on request, stops on deactivate", async () => {
    const target = path.join(dir, "w.db");
    const id = await createProfile(db, { name: "worker-1", source: emu.url, target: `sqlite:${target}`, tables: ["account", "team"] });
    worker = startWorker({ db, pollMs: 50, sourceFactory: fastSource, intervalMs: 100, pageSize: 25 });
    await waitFor(async () => (await getProfileStatus(db, id))?.tables.every((t) => t.initialSyncState === "Completed"), "initial export");
    expect(worker.running()).toEqual([id]);
    expect((await getProfileStatus(db, id))!.state).toBe("active");

    const api = webApi(emu.url);
    const [a] = await api.firstIds("accounts", "accountid", 1);
    await api.update("accounts", a, { name: "seen by the delta loop" });
    await waitFor(() => sqliteRows(target, "account").some((r) => r.Id === a && r.name === "seen by the delta loop"), "delta applied");

    const before = (await getProfileStatus(db, id))!.tables.find((t) => t.logicalName === "team")!;
    await requestTableResync(db, id, "team");
    await waitFor(async () => {
      const t = (await getProfileStatus(db, id))!.tables.find((x) => x.logicalName === "team")!;
      return !t.resyncRequested && t.initialSyncState === "Completed" && t.totalNotifications >= before.totalNotifications + 6;
    }, "team re-exported");
    expect(sqliteRows(target, "team")).toHaveLength(6);

    await deactivateProfile(db, id);
    await waitFor(() => worker.running().length === 0, "runner stopped");
    expect((await getProfileStatus(db, id))!.state).toBe("inactive");
  });

  it("marks a profile failed with the reason and keeps retrying it", async () => {
    const id = await createProfile(db, { name: "worker-2", source: emu.url, target: `sqlite:${path.join(dir, "w2.db")}`, tables: ["team"] });
    // The target's folder disappears after validation: every run fails until it is back.
    await db.profile.update({ where: { id }, data: { destinationEnc: (await import("../secrets")).encryptSecret(`sqlite:${path.join(dir, "missing", "w2.db")}`) } });
    await activateProfile(db, id);
    await waitFor(async () => (await getProfileStatus(db, id))?.state === "failed", "profile failed");
    const status = (await getProfileStatus(db, id))!;
    expect(status.lastError).toMatch(/missing/);
    expect(worker.running()).toContain(id);
  });
});
