// The headless CLI as a user runs it: bad input fails in one line with nothing written; --once
// exports and a second --once applies only the changes; `failures` prints the DES format;
// without --once it syncs until SIGTERM and stops cleanly.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import type { Db } from "../db";
import { run as failuresRun } from "../cli/commands/failures";
import { appendFailure } from "./failure-log";
import { makeStore, sqliteRows, waitFor, webApi } from "./test-support";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
let emu: RunningEmulator;
let db: Db;
let dir: string;

beforeAll(async () => {
  ({ db, dir } = makeStore());
  emu = await startEmulator({ port: 0, records: 50, seed: 9 });
});
afterAll(async () => {
  await db.$disconnect();
  await emu.close();
});

function cli(args: string[], onStart?: (kill: (s: NodeJS.Signals) => void) => void) {
  const child = spawn(process.execPath, [path.join(root, "bin/dataverse-export.mjs"), ...args], {
    cwd: root, env: { ...process.env, DATA_DIR: dir }, stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  onStart?.((s) => child.kill(s));
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => child.once("exit", (code) => resolve({ code, out, err })));
}

/** In-process run of the failures command (no process start: keeps the suite lean). */
async function failures(args: string[]) {
  let out = "";
  let err = "";
  const w = process.stdout.write.bind(process.stdout);
  const e = console.error;
  process.stdout.write = ((c: string) => ((out += c), true)) as typeof process.stdout.write;
  console.error = (m: string) => void (err += `${m}\n`);
  try {
    const code = await failuresRun(args);
    return { code, out, err };
  } finally {
    process.stdout.write = w;
    console.error = e;
  }
}

const base = (name: string, target: string, more: string[] = []) => [
  "sync", "--name", name, "--source", emu.url, "--token", emu.token, "--target", `sqlite:${target}`, "--retry-interval", "0", "--page-size", "20", ...more,
];

describe("dataverse-export sync / failures", () => {
  it("refuses bad flags, unknown and untracked tables, and a bad token in one line, writing nothing", async () => {
    const target = path.join(dir, "never.db");
    const cases: [string[], number, RegExp][] = [
      [[...base("bad", target, ["--tables", "account", "--retry-count", "21"])], 2, /--retry-count must be 0-20/],
      [["sync", "--name", "x", "--source", emu.url, "--target", `sqlite:${target}`, "--tables", "account"], 2, /--token, or --tenant-id/],
      [[...base("bad", target, ["--tables", "account", "--frobnicate"])], 2, /Unknown option '--frobnicate'/],
      [[...base("bad", target, ["--tables", "nosuchtable"])], 1, /table 'nosuchtable' does not exist/],
      [[...base("bad", target, ["--tables", "account,activitypointer"])], 1, /'activitypointer' is not enabled for change tracking/],
      [[...base("bad", target, ["--tables", "account", "--relationships", "nope_association"])], 1, /relationship 'nope_association' does not exist/],
      [["sync", "--name", "bad", "--source", emu.url, "--token", "wrong", "--target", `sqlite:${target}`, "--tables", "account"], 1, /rejected the access token/],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(args)));
    results.forEach((r, i) => {
      expect(r.code, r.err).toBe(cases[i][1]);
      expect(r.err.split("\n")[0]).toMatch(cases[i][2]);
    });
    expect(fs.existsSync(target)).toBe(false);
    expect(await db.profile.count({ where: { name: "bad" } })).toBe(0);
  });

  it("--once exports; the same --name again applies only what changed; more tables may be added", async () => {
    const target = path.join(dir, "once.db");
    const first = await cli([...base("cli-once", target, ["--tables", "account", "--once"])]);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toMatch(/^TABLE\s+TARGET TABLE\s+STATE\s+WRITTEN/m);
    expect(first.out).toMatch(/^account\s+account\s+Completed\s+50\s+0\s+0/m);
    const [a] = await webApi(emu.url).firstIds("accounts", "accountid", 1);
    await webApi(emu.url).update("accounts", a, { name: "second run" });
    const second = await cli([...base("cli-once", target, ["--tables", "account,team", "--once"])]);
    expect(second.code, second.err).toBe(0);
    expect(second.out).toMatch(/^account\s+account\s+Completed\s+1\s+0\s+0/m);
    expect(second.out).toMatch(/^team\s+team\s+Completed\s+6\s+0\s+0/m);
    expect(sqliteRows(target, "account").find((r) => r.Id === a)!.name).toBe("second run");
    // The target of an existing profile cannot change.
    const moved = await cli([...base("cli-once", path.join(dir, "other.db"), ["--tables", "account", "--once"])]);
    expect(moved.code).toBe(1);
    expect(moved.err).toMatch(/different --target/);
    // The connection string and token are stored encrypted.
    const p = await db.profile.findUnique({ where: { name: "cli-once" }, include: { organization: true } });
    expect(p!.destinationEnc).not.toContain(target);
    expect(p!.organization.staticTokenEnc).not.toContain(emu.token);
    // The CLI ran it under a lease and released it; the profile is not left active for a worker.
    expect(p!.metadataActive || p!.dataActive).toBe(false);
    expect(await db.profileLease.findUnique({ where: { profileId: p!.id } })).toMatchObject({ ownerId: null });
  }, 90_000);

  it("failures prints the log in the DES, CSV and JSON formats", async () => {
    const p = await db.profile.findUniqueOrThrow({ where: { name: "cli-once" } });
    await appendFailure(db, p.id, { entity: "account", recordId: "b2a19cdd-88df-e311-b8e5-6c3be5a8b200", changeType: "New", reason: "Invalid object name 'dbo.x'.", at: new Date("2016-08-31T18:50:38Z") });
    const des = await failures(["--name", "cli-once"]);
    expect(des.code).toBe(0);
    expect(des.out.trim()).toBe("Entity: account, RecordId: b2a19cdd-88df-e311-b8e5-6c3be5a8b200, NotificationTime: 8/31/2016 6:50:38 PM, ChangeType: New, FailureReason: Invalid object name 'dbo.x'.");
    const csv = await failures(["--name", "cli-once", "--format", "csv"]);
    expect(csv.out.split("\n")[0]).toBe("Entity,RecordId,NotificationTime,ChangeType,FailureReason");
    const json = await failures(["--name", "cli-once", "--format", "json"]);
    expect(JSON.parse(json.out.trim())).toMatchObject({ entity: "account", changeType: "New" });
    const missing = await failures(["--name", "nobody"]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/no profile named 'nobody'/);
  });

  it("without --once keeps syncing until SIGTERM, then stops cleanly", async () => {
    const target = path.join(dir, "live.db");
    let kill!: (s: NodeJS.Signals) => void;
    const done = cli([...base("cli-live", target, ["--tables", "team", "--interval", "0.2"])], (k) => (kill = k));
    const api = webApi(emu.url);
    await waitFor(() => fs.existsSync(target) && (() => { try { return sqliteRows(target, "team").length === 6; } catch { return false; } })(), "initial export", 30_000);
    const [t] = await api.firstIds("teams", "teamid", 1);
    await api.update("teams", t, { name: "live change" });
    await waitFor(() => sqliteRows(target, "team").some((r) => r.Id === t && r.name === "live change"), "live delta", 30_000);
    kill("SIGTERM");
    const r = await done;
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/stopping/);
  });
});
