// The CLI on a data lake, as a user runs it: `sync --once` into lake:PATH, then `lake query` reads
// it back with DuckDB (latest state, raw rows, the snapshot); bad input fails in one line.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../../emulator/server";
import { webApi } from "../../sync/test-support";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
let emu: RunningEmulator;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-lake-cli-"));
  emu = await startEmulator({ port: 0, records: 60, seed: 5 });
});
afterAll(async () => {
  await emu.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[]) {
  const child = spawn(process.execPath, [path.join(root, "bin/dataverse-export.mjs"), ...args], {
    cwd: root, env: { ...process.env, DATA_DIR: path.join(dir, "store") }, stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => child.once("exit", (code) => resolve({ code, out, err })));
}

describe("CLI: sync into a data lake, lake query", () => {
  it("sync --once writes the lake; lake query reads the latest state, raw rows and the snapshot", async () => {
    const lake = path.join(dir, "lake");
    const sync = await cli(["sync", "--name", "cli-lake", "--source", emu.url, "--token", emu.token, "--target", `lake:${lake}`, "--tables", "account", "--lake-mode", "in-place", "--partition", "month", "--snapshot-minutes", "0", "--once", "--quiet"]);
    expect(sync.err).toBe("");
    expect(sync.code).toBe(0);
    expect(sync.out).toMatch(/account\s+account\s+Completed\s+60/);
    const [a] = await webApi(emu.url).firstIds("accounts", "accountid", 1);
    await webApi(emu.url).remove("accounts", a);
    expect((await cli(["sync", "--name", "cli-lake", "--source", emu.url, "--token", emu.token, "--target", `lake:${lake}`, "--tables", "account", "--once", "--quiet"])).code).toBe(0);
    const q = await cli(["lake", "query", "--target", `lake:${lake}`, "--sql", "select count(*) as n from account", "--format", "json"]);
    expect(q.code).toBe(0);
    expect(JSON.parse(q.out)).toEqual({ n: "59" });
    const raw = await cli(["lake", "query", "--target", `lake:${lake}`, "--sql", `select count(*) as n from raw.account where Id = '${a}'`, "--format", "csv"]);
    expect(raw.out.trim().split("\n")).toEqual(["n", '"0"']);
    const snap = await cli(["lake", "query", "--target", `lake:${lake}`, "--snapshot", "--sql", "select count(*) as n from account", "--format", "json"]);
    expect(JSON.parse(snap.out)).toEqual({ n: "59" });
    expect(fs.readdirSync(path.join(lake, "account")).some((f) => /^\d{4}-\d{2}\.csv$/.test(f))).toBe(true);
  }, 240_000);

  it("sync --lake-database writes <lake>/NAME/ and its DuckDB file; lake query --database and --database-file read them", async () => {
    const lake = path.join(dir, "lake-db");
    const sync = await cli(["sync", "--name", "cli-lakedb", "--source", emu.url, "--token", emu.token, "--target", `lake:${lake}`, "--tables", "account", "--lake-database", "Sales", "--snapshot-minutes", "0", "--once", "--quiet"]);
    expect(sync.err).toBe("");
    expect(sync.code).toBe(0);
    expect(fs.existsSync(path.join(lake, "Sales", "model.json"))).toBe(true);
    const byTarget = await cli(["lake", "query", "--target", `lake:${lake}`, "--database", "Sales", "--sql", "select count(*) as n from account", "--format", "json"]);
    const [profileDir] = fs.readdirSync(path.join(dir, "store", "lake-databases"));
    const file = path.join(dir, "store", "lake-databases", profileDir, "Sales.duckdb");
    const byFile = await cli(["lake", "query", "--database-file", file, "--sql", "select count(*) as n from account", "--format", "json"]);
    expect([byTarget.err, byFile.err]).toEqual(["", ""]);
    expect(JSON.parse(byFile.out)).toEqual(JSON.parse(byTarget.out));
    expect(Number(JSON.parse(byFile.out).n)).toBeGreaterThan(0);
    const bad = await cli(["sync", "--name", "cli-lakedb2", "--source", emu.url, "--token", emu.token, "--target", `lake:${lake}`, "--tables", "account", "--lake-database", "sales-db", "--once"]);
    expect([bad.code, bad.err]).toEqual([2, expect.stringMatching(/starts with a letter and holds only letters, digits and _/)]);
  }, 240_000);

  it("sync --lake-format delta writes Delta tables; lake query --delta reads them, --version travels back", async () => {
    const lake = path.join(dir, "delta-lake");
    const base = ["sync", "--name", "cli-delta", "--source", emu.url, "--token", emu.token, "--target", `lake:${lake}`, "--tables", "account", "--lake-format", "delta", "--once", "--quiet"];
    const sync = await cli(base);
    expect(sync.err).toBe("");
    expect(sync.code).toBe(0);
    const q = async (extra: string[], sql: string) => JSON.parse((await cli(["lake", "query", "--target", `lake:${lake}`, "--delta", ...extra, "--sql", sql, "--format", "json"])).out);
    const total = Number((await q([], "select count(*) as n from account")).n);
    expect(total).toBeGreaterThan(0);
    const version = Number((await q([], "select 1 as one")).one) && fs.readdirSync(path.join(lake, "deltalake/account_partitioned/_delta_log")).filter((f) => f.endsWith(".json")).length - 1;
    const [a] = await webApi(emu.url).firstIds("accounts", "accountid", 1);
    await webApi(emu.url).remove("accounts", a);
    expect((await cli(base)).code).toBe(0);
    expect(Number((await q([], "select count(*) as n from account")).n)).toBe(total - 1);
    expect(await q([], `select IsDelete from raw.account where Id = '${a}'`)).toEqual({ IsDelete: true });
    expect(Number((await q(["--version", String(version)], "select count(*) as n from account")).n)).toBe(total);
    expect((await cli(["lake", "query", "--target", `lake:${lake}`, "--version", "1", "--sql", "select 1"])).code).toBe(2);
    // Eight CLI processes: each `sync --once` took ~100 s on the shared 2-core machine under load.
  }, 600_000);

  it("bad input: one line, exit 1 (bad SQL, malformed target) or 2 (missing flags)", async () => {
    const bad = await cli(["lake", "query", "--target", `lake:${path.join(dir, "lake")}`, "--sql", "select nope from account"]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^dataverse-export lake query: .*nope/);
    const target = await cli(["lake", "query", "--target", "abfss://x", "--sql", "select 1"]);
    expect(target.code).toBe(1);
    expect(target.err).toMatch(/Accepted data lake targets/);
    expect((await cli(["lake", "query", "--sql", "select 1"])).code).toBe(2);
    const syncBad = await cli(["sync", "--name", "x", "--source", emu.url, "--token", emu.token, "--target", "abfss://c1x@acct1.dfs.core.windows.net", "--tables", "account", "--once"]);
    expect(syncBad.code).toBe(1);
    expect(syncBad.err).toMatch(/No credentials for the storage account 'acct1'/);
    const half = await cli(["lake", "query", "--target", "abfss://c1x@acct1.dfs.core.windows.net", "--client-id", "x", "--sql", "select 1"]);
    expect(half.code).toBe(2);
    expect(half.err).toMatch(/--tenant-id, --client-id and --client-secret go together/);
    // With the three, the app's credential is used: here its sign-in fails (no network), in words.
    const app = await cli(["lake", "query", "--target", "abfss://c1x@acct1.dfs.core.windows.net", "--tenant-id", "11111111-1111-1111-1111-111111111111", "--client-id", "22222222-2222-2222-2222-222222222222", "--client-secret", "nope-secret", "--sql", "select 1"]);
    expect(app.code).toBe(1);
    expect(app.err).toMatch(/^dataverse-export lake query: The organization's app registration \(client id 22222222-2222-2222-2222-222222222222\) could not (reach Entra ID|sign in)/);
    expect(app.err).not.toContain("nope-secret");
  }, 240_000);
});
