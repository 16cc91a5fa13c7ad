// A lake export refreshed on a schedule, under the real worker (lease, fence) with an injected
// clock: no Dataverse request between runs, one run when due that writes the changes since the
// last one, "Run now", the run history, and a failed run that leaves the checkpoint where it was.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorControl, type EmulatorControl } from "../../../emulator/control";
import { startEmulator, type RunningEmulator } from "../../../emulator/server";
import type { Db } from "../../db";
import { DataverseClient } from "../../dataverse/client";
import { parseLakeTarget } from "../../destinations/lake/lake-target";
import { openStorage } from "../../destinations/lake/open-storage";
import { openLakeReader } from "../../destinations/lake/reader";
import { expectLakeMatchesSource } from "../../destinations/lake/test-support";
import type { Destination } from "../../destinations/types";
import { sleep } from "../../sleep";
import { openProfileTarget } from "../profile-runner";
import { startWorker, type Worker } from "../supervisor";
import { createProfile, makeStore, waitFor, webApi } from "../test-support";
import { listRuns, requestRefresh } from "./store";

const HOUR = 3_600_000;
const T0 = new Date("2026-12-01T08:00:00Z");

let emu: RunningEmulator;
let control: EmulatorControl;
let db: Db;
let dir: string;
let worker: Worker | null = null;
let now = T0;
let looks = 0;
let failCommits = false;
let dropMarkerOnce = false;
const fastSource = (org: { url: string }) => new DataverseClient({ url: org.url, token: "emulator-token", baseDelayMs: 5, maxDelayMs: 20, maxRetries: 1 });
// The lake's commit fails while `failCommits` is set (a storage outage in the middle of a run).
const openTarget = async (p: Parameters<typeof openProfileTarget>[0]): Promise<Destination> => {
  const dest = await openProfileTarget(p);
  // The marker reads as missing once (a target changed under the runner): the run starts its pass again.
  const readMarker = dest.readMarker.bind(dest);
  let reads = 0;
  dest.readMarker = async (id) => (dropMarkerOnce && ++reads === 2 ? ((dropMarkerOnce = false), null) : readMarker(id));
  const commit = dest.commit?.bind(dest);
  if (commit) dest.commit = async (spec) => {
    if (failCommits) throw new Error("storage unavailable: commit refused");
    return commit(spec);
  };
  return dest;
};

beforeAll(async () => {
  ({ db, dir } = makeStore());
  emu = await startEmulator({ port: 0, records: 40, seed: 7 });
  control = emulatorControl(emu.url, emu.token);
});
afterAll(async () => {
  await worker?.stop();
  await db.$disconnect();
  await emu.close();
});

const requests = async () => (await control.status()).requests;
const finishedRuns = async (id: string) => (await listRuns(db, id, { limit: 50 })).filter((r) => r.result !== "running");
/** Waits until `n` runs have finished; the newest. */
const runsDone = async (id: string, n: number, what: string) => {
  const runs = await waitFor(async () => { const r = await finishedRuns(id); return r.length === n ? r : undefined; }, what);
  return runs![0];
};
/** The runner looked at the store `n` more times (a condition, not a sleep). */
const moreLooks = (n: number) => {
  const from = looks;
  return waitFor(() => looks >= from + n, `${n} looks at the store`);
};
const lakeMatches = async (target: string, table: string) => {
  const reader = await openLakeReader(await openStorage(parseLakeTarget(target)));
  try {
    return await expectLakeMatchesSource(reader, emu.url, table);
  } finally {
    await reader.close();
  }
};
const lakeName = async (target: string, id: string) => {
  const reader = await openLakeReader(await openStorage(parseLakeTarget(target)));
  try {
    return (await reader.query(`select name from account where Id = '${id}'`))[0]?.name ?? null;
  } finally {
    await reader.close();
  }
};

describe("scheduled refresh (lake export, every N hours / Run now)", () => {
  let id: string;
  let target: string;

  it("waits without Dataverse traffic, runs once when due, writes the changes since the last run, records the run", async () => {
    target = `lake:${path.join(dir, "lake-sched")}`;
    fs.mkdirSync(path.join(dir, "lake-sched"), { recursive: true });
    id = await createProfile(db, { name: "sched-1", source: emu.url, target, tables: ["account"] });
    await db.profile.update({ where: { id }, data: { refreshMode: "hours", refreshEveryHours: 6, refreshNextAt: new Date(T0.getTime() + 6 * HOUR) } });
    const before = await requests();
    worker = startWorker({
      db, pollMs: 50, sourceFactory: fastSource, pageSize: 15, openTarget,
      clock: { now: () => now },
      refreshPollMs: 10,
      sleep: (ms, signal) => {
        looks++;
        return sleep(ms, signal);
      },
    });
    await waitFor(() => worker!.running().includes(id), "runner started");
    await moreLooks(10);
    expect(await requests(), "no Dataverse request before the due time").toBe(before);
    expect(await finishedRuns(id)).toEqual([]);

    // Due: the first run is the initial export.
    now = new Date(T0.getTime() + 6 * HOUR);
    const first = await runsDone(id, 1, "first run");
    expect(first).toMatchObject({ trigger: "schedule", result: "succeeded", rowsWritten: 40, message: null });
    expect(first.startedAt.getTime()).toBe(now.getTime());
    expect(first.endedAt!.getTime()).toBe(now.getTime());
    expect(await requests()).toBeGreaterThan(before);
    await lakeMatches(target, "account");
    const p1 = await db.profile.findUniqueOrThrow({ where: { id }, select: { refreshNextAt: true, state: true } });
    expect(p1.refreshNextAt!.getTime()).toBe(T0.getTime() + 12 * HOUR);
    expect(p1.state).toBe("active");

    // Changes at the source between runs stay out of the lake, and nothing is read, until due.
    const api = webApi(emu.url);
    const [a1, a2, a3] = await api.firstIds("accounts", "accountid", 3);
    await api.update("accounts", a1, { name: "changed between runs 1" });
    await api.update("accounts", a2, { name: "changed between runs 2" });
    await api.remove("accounts", a3);
    const idle = await requests();
    now = new Date(T0.getTime() + 11 * HOUR);
    await moreLooks(10);
    expect(await requests(), "no Dataverse request between runs").toBe(idle);
    expect(await lakeName(target, a1)).not.toBe("changed between runs 1");

    now = new Date(T0.getTime() + 12 * HOUR + 5 * 60_000);
    const second = await runsDone(id, 2, "second run");
    expect(second).toMatchObject({ trigger: "schedule", result: "succeeded", rowsWritten: 3 });
    expect(second.dueAt.getTime()).toBe(T0.getTime() + 12 * HOUR);
    await lakeMatches(target, "account");
    // The rhythm is kept: due + 6 h, not end of run + 6 h.
    expect((await db.profile.findUniqueOrThrow({ where: { id }, select: { refreshNextAt: true } })).refreshNextAt!.getTime()).toBe(T0.getTime() + 18 * HOUR);
  }, 120_000);

  it("Run now runs at once, between due times, and leaves the schedule as it was", async () => {
    dropMarkerOnce = true;
    const api = webApi(emu.url);
    const [a1] = await api.firstIds("accounts", "accountid", 1);
    await api.update("accounts", a1, { name: "run now please" });
    now = new Date(now.getTime() + 60_000);
    await requestRefresh(db, id, "admin@example.com", now);
    const run = await runsDone(id, 3, "manual run");
    expect(run).toMatchObject({ trigger: "manual", requestedBy: "admin@example.com", result: "succeeded", rowsWritten: 1 });
    expect(await lakeName(target, a1)).toBe("run now please");
    expect(dropMarkerOnce, "the marker was read as missing once").toBe(false);
    const p = await db.profile.findUniqueOrThrow({ where: { id }, select: { refreshNextAt: true, refreshRequestedAt: true } });
    expect(p.refreshRequestedAt).toBeNull();
    expect(p.refreshNextAt!.getTime()).toBe(T0.getTime() + 18 * HOUR);
  }, 60_000);

  it("a failed run is recorded as failed and its checkpoint does not move; the next run writes those changes", async () => {
    const api = webApi(emu.url);
    const [, a2] = await api.firstIds("accounts", "accountid", 2);
    const link = async () => (await db.profileTable.findFirstOrThrow({ where: { profileId: id, logicalName: "account" }, select: { deltaLink: true } })).deltaLink;
    const linkBefore = await link();
    await api.update("accounts", a2, { name: "written after the outage" });
    failCommits = true;
    now = new Date(now.getTime() + 60_000);
    await requestRefresh(db, id, "admin@example.com", now);
    const failed = await runsDone(id, 4, "failed run");
    expect(failed.result).toBe("failed");
    expect(failed.message).toMatch(/storage unavailable/);
    expect(failed.endedAt).not.toBeNull();
    expect(await link()).toBe(linkBefore);
    expect(await lakeName(target, a2)).not.toBe("written after the outage");

    failCommits = false;
    now = new Date(T0.getTime() + 18 * HOUR);
    const next = await runsDone(id, 5, "next run");
    expect(next).toMatchObject({ trigger: "schedule", result: "succeeded" });
    expect(next.rowsWritten).toBeGreaterThanOrEqual(1);
    expect(await link()).not.toBe(linkBefore);
    await lakeMatches(target, "account");
  }, 60_000);
});
