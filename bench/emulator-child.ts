// Starts the emulator CLI in a child process (its own event loop and CPU) and returns its URL.
import { spawn } from "node:child_process";
import path from "node:path";
import { projectRoot } from "../lib/config/paths.ts";

const root = projectRoot();

export async function spawnEmulator(records: number, seed = 1): Promise<{ url: string; token: string; pid: number; close(): Promise<void> }> {
  const child = spawn(process.execPath, [path.join(root, "bin/dataverse-export.mjs"), "emulator", "--port", "0", "--records", String(records), "--seed", String(seed)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening: (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  return {
    url,
    token: "emulator-token",
    pid: child.pid!,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
