// `dataverse-export reconcile`: exit 0 only when the target equals the source (after --repair when
// given), 1 when it differs, 2 on bad flags; text and JSON output; the run is stored.
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startEmulator, type RunningEmulator } from "../../../emulator/server";
import type { Db } from "../../db";
import { runProfile } from "../../sync/profile-runner";
import { createProfile, makeStore, sqliteRows } from "../../sync/test-support";
import { run } from "./reconcile";

let emu: RunningEmulator;
let db: Db;
let target: string;

beforeAll(async () => {
  let dir: string;
  ({ db, dir } = makeStore());
  emu = await startEmulator({ port: 0, records: 80, seed: 3 });
  target = path.join(dir, "cli-target.db");
  const id = await createProfile(db, { name: "cli-reconcile", source: emu.url, target: `sqlite:${target}`, tables: ["account", "contact"], deleteLog: true });
  await runProfile(id, { db, pageSize: 50 }, { signal: new AbortController().signal, once: true });
});
afterAll(async () => {
  await db.$disconnect();
  await emu.close();
});

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...a) => void out.push(a.join(" ")));
  const error = vi.spyOn(console, "error").mockImplementation((...a) => void err.push(a.join(" ")));
  try {
    const code = await run(args);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe("dataverse-export reconcile", () => {
  it("exits 0 when equal, 1 with the differences when not, 0 again after --repair", async () => {
    const equal = await cli(["--name", "cli-reconcile"]);
    expect(equal.code).toBe(0);
    expect(equal.out).toMatch(/account: 0 missing, 0 extra, 0 stale \(source 80, target 80/);
    expect(equal.out.split("\n").at(-1)).toBe("reconcile: target == source");

    const [gone] = sqliteRows(target, "contact").map((r) => String(r.Id));
    const t = new Database(target);
    t.prepare("delete from contact where Id = ?").run(gone);
    t.close();
    const differs = await cli(["--name", "cli-reconcile"]);
    expect(differs.code).toBe(1);
    expect(differs.out).toContain(`    missing: ${gone}`);
    expect(differs.out.split("\n").at(-1)).toBe("reconcile: 1 missing, 0 extra, 0 stale");

    const repaired = await cli(["--name", "cli-reconcile", "--repair", "--format", "json"]);
    expect(repaired.code).toBe(0);
    const json = JSON.parse(repaired.out);
    expect(json).toMatchObject({ profile: "cli-reconcile", equal: true, missing: 0, extra: 0, stale: 0, repair: { missing: 1, equal: false } });
    expect(json.repair.tables.find((x: { logicalName: string }) => x.logicalName === "contact")).toMatchObject({ repaired: true, repairedRows: 1 });
    expect(sqliteRows(target, "contact").some((r) => r.Id === gone)).toBe(true);
    // Every run is stored (the portal shows the last one): 3 plain + repair + its check.
    expect(await db.reconciliation.count({ where: { trigger: "cli", status: "done" } })).toBe(4);
  }, 60_000);

  it("refuses bad flags (2) and an unknown profile (1)", async () => {
    expect((await cli([])).code).toBe(2);
    expect((await cli(["--name", "x", "--format", "xml"])).code).toBe(2);
    expect((await cli(["--name", "x", "--bogus"])).code).toBe(2);
    const unknown = await cli(["--name", "no-such-profile"]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain("no profile named 'no-such-profile'");
  });
});
