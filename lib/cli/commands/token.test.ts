// `dataverse-export token`: create prints the secret once (only its hash is stored), list never
// shows secrets, revoke stops the token at once; bad flags are one line and exit 2.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { apiActor } from "../../api/auth";
import { createDb, type Db } from "../../db";
import { run } from "./token";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-token-cli-"));
const bin = path.resolve(import.meta.dirname, "../../../bin/dataverse-export.mjs");
let db: Db;

beforeAll(() => {
  process.env.DATA_DIR = dir;
  delete process.env.DATABASE_URL;
});
afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  await db?.$disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
});

const auth = (token: string) => new Request("http://x.test/crm/exporter/profiles", { headers: { Authorization: `Bearer ${token}` } });

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, "log").mockImplementation((m) => void out.push(String(m)));
  vi.spyOn(console, "error").mockImplementation((m) => void err.push(String(m)));
  return { out, err };
}

describe("dataverse-export token", () => {
  it("creates a token through the real CLI, on a fresh store, printing it once on stdout", async () => {
    const stdout = execFileSync(process.execPath, [bin, "token", "create", "--name", "deploy", "--role", "admin"], { env: { ...process.env, DATA_DIR: dir }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const token = stdout.trim();
    expect(token).toMatch(/^dvx_[A-Za-z0-9_-]{43}$/);
    db = createDb(`file:${path.join(dir, "portal.db")}`);
    expect(await apiActor(db, auth(token))).toMatchObject({ role: "admin", email: "token:deploy" });
  });

  it("lists tokens without secrets, and revokes one", async () => {
    let io = capture();
    expect(await run(["create", "--name", "reader"])).toBe(0);
    const token = io.out[0];
    expect(io.err[0]).toMatch(/viewer token "reader".*shown only now/);
    expect((await apiActor(db, auth(token))).role).toBe("viewer");

    vi.restoreAllMocks();
    io = capture();
    expect(await run(["list"])).toBe(0);
    const listing = io.out.join("\n");
    expect(listing).toMatch(/^ID\s+NAME\s+ROLE/);
    expect(listing).toMatch(/reader\s+viewer\s+dvx_/);
    expect(listing).toMatch(/deploy\s+admin/);
    expect(listing).not.toContain(token);
    const id = /^(\S+)\s+reader/m.exec(listing)![1];

    vi.restoreAllMocks();
    io = capture();
    expect(await run(["revoke", id])).toBe(0);
    expect(io.out[0]).toMatch(/Revoked token "reader"/);
    await expect(apiActor(db, auth(token))).rejects.toThrow(/revoked/);
    expect(await run(["revoke", crypto.randomUUID()])).toBe(1);
    expect(io.err.at(-1)).toMatch(/does not exist/);
  });

  it("refuses bad usage with one line and exit code 2, writing nothing", async () => {
    const before = await db.apiToken.count();
    const io = capture();
    expect(await run([])).toBe(2);
    expect(await run(["create"])).toBe(2);
    expect(await run(["create", "--name", "x", "--role", "root"])).toBe(2);
    expect(await run(["create", "--name", ""])).toBe(2);
    expect(await run(["list", "--name", "x"])).toBe(2);
    expect(await run(["revoke"])).toBe(2);
    expect(await run(["rotate"])).toBe(2);
    expect(await run(["--bogus"])).toBe(2);
    const firstLines = io.err.filter((l) => l.startsWith("dataverse-export token:"));
    expect(firstLines).toHaveLength(8);
    expect(firstLines.every((l) => !l.includes("\n"))).toBe(true);
    expect(firstLines.join("\n")).toMatch(/Role must be admin, contributor or viewer/);
    expect(await db.apiToken.count()).toBe(before);
  });
});
