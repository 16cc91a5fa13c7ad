// The emulator command: flag errors exit 2 with one line; it serves until SIGTERM.
import { spawn } from "node:child_process";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { run } from "./emulator.ts";

afterEach(() => vi.restoreAllMocks());

describe("dataverse-export emulator", () => {
  it("rejects bad flags with exit code 2 and a one-line message", async () => {
    const err = vi.spyOn(console, "error").mockImplementation(() => {});
    expect(await run(["--bogus"])).toBe(2);
    expect(await run(["--records=1.5"])).toBe(2);
    expect(await run(["--port", "70000"])).toBe(2);
    expect(err.mock.calls.map((c) => String(c[0]))).toEqual([
      expect.stringMatching(/Unknown option '--bogus'/),
      expect.stringMatching(/--records must be an integer/),
      expect.stringMatching(/--port must be an integer between 0 and 65535/),
    ]);
    expect(err.mock.calls.every((c) => !String(c[0]).includes("\n"))).toBe(true);
  });

  it("prints help", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    expect(await run(["--help"])).toBe(0);
    expect(String(log.mock.calls[0][0])).toMatch(/--records N/);
  });

  it("starts, prints URL and token, serves, and stops on SIGTERM", async () => {
    const bin = path.resolve(import.meta.dirname, "../../../bin/dataverse-export.mjs");
    const child = spawn(process.execPath, [bin, "emulator", "--port", "0", "--records", "50", "--token", "t0k"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    await vi.waitFor(() => expect(out).toMatch(/token: t0k/), { timeout: 20_000, interval: 50 });
    const url = /listening: (http:\/\/\S+)/.exec(out)![1];
    const res = await fetch(`${url}/api/data/v9.2/WhoAmI`, { headers: { Authorization: "Bearer t0k" } });
    expect(res.status).toBe(200);
    const code = new Promise<number | null>((r) => child.once("exit", r));
    child.kill("SIGTERM");
    expect(await code).toBe(0);
    expect(out).toMatch(/emulator stopped/);
  });
});
