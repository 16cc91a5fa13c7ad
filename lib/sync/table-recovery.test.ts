// A passing target outage during metadata activation never fails a table for good, and a table
// that is Failed for a table-level reason is tried again by the running runner on a backoff and
// on an admin's Re-sync — not only after a restart (issue 10, defect 4).
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import type { Db } from "../db";
import { DataverseClient } from "../dataverse/client";
import type { Destination } from "../destinations/types";
import { openProfileTarget, runProfile, type RunnerDeps } from "./profile-runner";
import { loadProfile, requestTableResync } from "./profile-store";
import { createProfile, makeStore, sqliteRows, waitFor } from "./test-support";

let emu: RunningEmulator;
let db: Db;
let dir: string;
const fastSource = (org: { url: string }) => new DataverseClient({ url: org.url, token: "emulator-token", baseDelayMs: 5, maxDelayMs: 20, maxRetries: 2 });

beforeAll(async () => {
  ({ db, dir } = makeStore());
  emu = await startEmulator({ port: 0, records: 30, seed: 5 });
});
afterAll(async () => {
  await db.$disconnect();
  await emu.close();
});

/** Opens the real target, then lets `patch` replace some of its methods. */
function patchedTarget(patch: (dest: Destination) => void): RunnerDeps["openTarget"] {
  return async (p) => {
    const dest = await openProfileTarget(p);
    patch(dest);
    return dest;
  };
}

const tableRow = async (profileId: string, name: string) => (await loadProfile(db, profileId))!.tables.find((t) => t.logicalName === name)!;

describe("failed tables", () => {
  it("a transient target error during metadata activation propagates: the table is not Failed and later resumes from its links", async () => {
    const file = path.join(dir, "activation.db");
    const profileId = await createProfile(db, { name: "activation", source: emu.url, target: `sqlite:${file}`, tables: ["account"] });
    const deps: RunnerDeps = { db, sourceFactory: fastSource, pageSize: 20 };
    const first = await runProfile(profileId, deps, { signal: new AbortController().signal, once: true });
    expect(first.tables[0]).toMatchObject({ state: "Completed", failed: 0 });
    const exported = first.tables[0].upserts;
    expect(exported).toBeGreaterThan(0);

    // The disk hiccups while the label rows are rewritten (an I/O error the target reports).
    const hiccup = new Database.SqliteError("disk I/O error", "SQLITE_IOERR_WRITE");
    const failing = patchedTarget((dest) => {
      dest.writeTableMetadata = async () => {
        throw hiccup;
      };
    });
    await expect(runProfile(profileId, { ...deps, openTarget: failing }, { signal: new AbortController().signal, once: true })).rejects.toBe(hiccup);
    expect(await tableRow(profileId, "account")).toMatchObject({ metadataState: "Created", initialSyncState: "Completed", lastError: null });
    expect(await db.failure.count({ where: { profileId } })).toBe(0);

    // The disk is fine again: a delta, not a full re-export.
    const again = await runProfile(profileId, deps, { signal: new AbortController().signal, once: true });
    expect(again.tables[0]).toMatchObject({ state: "Completed", upserts: 0 });
    expect(sqliteRows(file, "account")).toHaveLength(exported);

    // A table-level failure of an exported table (its label rows cannot be written): Failed, one
    // entry; once it passes, the table resumes from its delta link instead of exporting again.
    const refused = patchedTarget((dest) => {
      dest.writeTableMetadata = async () => {
        throw Object.assign(new Error("no such table: main.OptionSetMetadata"), { code: "SQLITE_ERROR" });
      };
    });
    const failed = await runProfile(profileId, { ...deps, openTarget: refused }, { signal: new AbortController().signal, once: true });
    expect(failed.tables[0]).toMatchObject({ state: "Failed" });
    expect(await db.failure.count({ where: { profileId } })).toBe(1);
    const recovered = await runProfile(profileId, deps, { signal: new AbortController().signal, once: true });
    expect(recovered.tables[0]).toMatchObject({ state: "Completed", upserts: 0 });
    expect(await tableRow(profileId, "account")).toMatchObject({ metadataState: "Created", initialSyncState: "Completed", lastError: null });
  });

  it("a table-level failure is retried on a backoff by the running runner, logged once, and the table then exports", async () => {
    const file = path.join(dir, "backoff.db");
    const profileId = await createProfile(db, { name: "backoff", source: emu.url, target: `sqlite:${file}`, tables: ["account", "contact"] });
    let refusals = 3;
    const flaky = patchedTarget((dest) => {
      const ensure = dest.ensureTable.bind(dest);
      dest.ensureTable = async (spec) => {
        if (spec.entity === "contact" && refusals-- > 0) throw Object.assign(new Error(`no such table: main.${spec.tableName}`), { code: "SQLITE_ERROR" });
        return ensure(spec);
      };
    });
    const attempts: number[] = [];
    const controller = new AbortController();
    const running = runProfile(
      profileId,
      { db, sourceFactory: fastSource, pageSize: 20, intervalMs: 20, openTarget: flaky, failedTableRetryMs: (n) => (attempts.push(n), 0) },
      { signal: controller.signal },
    );
    try {
      await waitFor(async () => (await tableRow(profileId, "contact")).initialSyncState === "Completed", "the failed table to recover and export");
    } finally {
      controller.abort();
      await running.catch(() => undefined);
    }
    expect(attempts.slice(0, 3)).toEqual([1, 2, 3]);
    expect(sqliteRows(file, "contact").length).toBeGreaterThan(0);
    const entries = await db.failure.findMany({ where: { profileId } });
    expect(entries.map((e) => [e.entity, e.recordId, e.changeType])).toEqual([["contact", "N/A", "Trigger Initial Export"]]);
    expect(await tableRow(profileId, "contact")).toMatchObject({ metadataState: "Created", lastError: null });
  });

  it("a Failed table honours Re-sync at once, even when its next retry is far away", async () => {
    const file = path.join(dir, "resync.db");
    const profileId = await createProfile(db, { name: "resync-failed", source: emu.url, target: `sqlite:${file}`, tables: ["account", "lead"] });
    let broken = true;
    const flaky = patchedTarget((dest) => {
      const ensure = dest.ensureTable.bind(dest);
      dest.ensureTable = async (spec) => {
        if (spec.entity === "lead" && broken) throw Object.assign(new Error(`no such table: main.${spec.tableName}`), { code: "SQLITE_ERROR" });
        return ensure(spec);
      };
    });
    const controller = new AbortController();
    const running = runProfile(
      profileId,
      { db, sourceFactory: fastSource, pageSize: 20, intervalMs: 20, openTarget: flaky, failedTableRetryMs: () => 3_600_000 },
      { signal: controller.signal },
    );
    try {
      await waitFor(async () => (await tableRow(profileId, "lead")).initialSyncState === "Failed", "lead to fail");
      await waitFor(async () => (await tableRow(profileId, "account")).initialSyncState === "Completed", "account to export");
      broken = false;
      await requestTableResync(db, profileId, "lead");
      await waitFor(async () => (await tableRow(profileId, "lead")).initialSyncState === "Completed", "lead to export after Re-sync");
    } finally {
      controller.abort();
      await running.catch(() => undefined);
    }
    expect(sqliteRows(file, "lead").length).toBeGreaterThan(0);
    expect(await tableRow(profileId, "lead")).toMatchObject({ resyncRequested: false, lastError: null });
  });
});
