// Crash safety: the CLI is killed with SIGKILL several times during an initial export (each time
// once its checkpoint has moved on), the source changes in between, then a final --once run must
// leave the target equal to the source row for row — nothing lost, nothing duplicated — and each
// restart must resume from its checkpoint, not from zero.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorControl } from "../../emulator/control";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import type { Db } from "../db";
import { makeStore, sourceRows, sqliteRows, waitFor, webApi } from "./test-support";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
let emu: RunningEmulator;
let db: Db;
let dir: string;
let target: string;

beforeAll(async () => {
  ({ db, dir } = makeStore());
  emu = await startEmulator({ port: 0, records: 1500, seed: 5 });
  target = path.join(dir, "crash.db");
});
afterAll(async () => {
  await db.$disconnect();
  await emu.close();
});

function cli(extra: string[] = []): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; out: string; err: string }> } {
  const child = spawn(
    process.execPath,
    [path.join(root, "bin/dataverse-export.mjs"), "sync", "--name", "crash", "--source", emu.url, "--token", emu.token,
      "--target", `sqlite:${target}`, "--tables", "account,contact", "--relationships", "accountleads_association",
      "--page-size", "25", "--retry-interval", "0", "--delete-log", "--once", "--quiet", ...extra],
    { cwd: root, env: { ...process.env, DATA_DIR: dir }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (err += d));
  const done = new Promise<{ code: number | null; signal: string | null; out: string; err: string }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal, out, err })),
  );
  return { child, done };
}

const progress = async (table: string) =>
  (await db.profileTable.findFirst({ where: { logicalName: table, profile: { name: "crash" } }, select: { initialDone: true, resumeLink: true, deltaLink: true } })) ?? null;

describe("kill -9 during the initial export", () => {
  it("resumes from the checkpoint each time and ends equal to the source", async () => {
    const control = emulatorControl(emu.url, emu.token);
    const api = webApi(emu.url);
    // Slow pages so the kills land inside the export, whatever the machine's speed.
    await control.slow({ ms: 15 });
    let last = 0;
    for (let round = 0; round < 3; round++) {
      const { child, done } = cli();
      const floor = last;
      // Kill once the checkpoint has advanced by a few pages past where this run started.
      const seen = await waitFor(async () => {
        const p = await progress("account");
        return p && p.resumeLink && p.initialDone >= floor + 200 ? p : null;
      }, `account checkpoint past ${floor + 200} (round ${round})`, 60_000, 20);
      child.kill("SIGKILL");
      const res = await done;
      expect(res.signal).toBe("SIGKILL");
      const after = (await progress("account"))!;
      // Never restarted from zero: the saved progress only grows across restarts.
      expect(after.initialDone).toBeGreaterThanOrEqual(seen!.initialDone);
      expect(after.initialDone).toBeGreaterThan(floor);
      last = after.initialDone;
      // The source keeps changing between crashes.
      const ids = await api.firstIds("accounts", "accountid", 3 + round);
      await api.update("accounts", ids[round], { name: `changed in round ${round}` });
      await api.remove("accounts", ids[round + 1]);
      await api.create("accounts", { name: `created in round ${round}` }, "accountid");
    }
    expect(last).toBeLessThan(1500);
    await control.slow({ ms: 0 });
    const final = cli();
    const res = await final.done;
    expect(res.code, res.err).toBe(0);
    expect(res.out).toMatch(/account\s+account\s+Completed/);

    for (const [table, tname] of [["account", "account"], ["contact", "contact"], ["accountleads", "accountleads"]] as const) {
      const src = await sourceRows(emu.url, table, table === "accountleads" ? ["accountid"] : ["versionnumber"]);
      const got = sqliteRows(target, tname);
      // No duplicates (Id is the key, but count both ways anyway) and nothing missing or extra.
      expect(got.length, table).toBe(src.size);
      const byId = new Map(got.map((r) => [String(r.Id), r]));
      expect(byId.size).toBe(got.length);
      for (const [id, s] of src) {
        const row = byId.get(id);
        expect(row, `${table} ${id} missing`).toBeDefined();
        expect(String(row!.versionnumber)).toBe(s.version);
      }
    }
    const names = new Map(sqliteRows(target, "account").map((r) => [String(r.Id), r.name]));
    const acc = await sourceRows(emu.url, "account", ["name"]);
    for (const [id, s] of acc) expect(names.get(id)).toBe(s.values.name);
    expect(await db.failure.count()).toBe(0);
  }, 180_000);
});

describe("kill -9 while a delta is being written", () => {
  it("resumes the delta from its checkpoint and ends equal to the source", async () => {
    const control = emulatorControl(emu.url, emu.token);
    // Up to date first: the initial export of the test above, finished by a --once run.
    const first = await cli().done;
    expect(first.code, first.err).toBe(0);
    const before = (await progress("account"))!;
    expect(before.resumeLink).toBeNull();
    expect(before.deltaLink).toBeTruthy();

    // A backlog of changes, read back in small slow pages, so the kills land inside one delta.
    await control.startChurn({ ratePerSecond: 2000, tables: ["account"] });
    await waitFor(async () => ((await control.status()).churn?.operations ?? 0) >= 600 || null, "600 source changes", 30_000);
    await control.stopChurn();
    await control.slow({ ms: 15 });
    let link = before.deltaLink!;
    for (let round = 0; round < 2; round++) {
      const { child, done } = cli();
      // Killed once a delta page has been written and its checkpoint moved, with pages still to read.
      const moved = await waitFor(async () => {
        const p = await progress("account");
        return p?.deltaLink && p.deltaLink !== link && p.deltaLink.includes("$skiptoken") ? p.deltaLink : null;
      }, `delta checkpoint moved mid-delta (round ${round})`, 60_000, 10);
      child.kill("SIGKILL");
      expect((await done).signal).toBe("SIGKILL");
      link = moved!;
    }
    await control.slow({ ms: 0 });
    const final = await cli().done;
    expect(final.code, final.err).toBe(0);

    const src = await sourceRows(emu.url, "account", ["versionnumber"]);
    const got = new Map(sqliteRows(target, "account").map((r) => [String(r.Id), String(r.versionnumber)]));
    const missing = [...src.keys()].filter((id) => !got.has(id));
    const extra = [...got.keys()].filter((id) => !src.has(id));
    const stale = [...src].filter(([id, s]) => got.has(id) && got.get(id) !== s.version).map(([id]) => id);
    expect({ missing, extra, stale }).toEqual({ missing: [], extra: [], stale: [] });
    expect(await db.failure.count()).toBe(0);
  }, 180_000);
});
