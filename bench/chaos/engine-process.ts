// The engine under test as a child process: the portal's real sync worker (lib/sync/worker.ts)
// on a throwaway store. The harness kills it with SIGKILL and starts it again; an exit it did
// not cause is counted as a crash (and the engine restarted, as scripts/start.mjs would).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface EngineProcess {
  start(): void;
  /** kill -9, then wait until it is gone. */
  kill9(): Promise<void>;
  /** SIGTERM (clean stop), then wait. */
  stop(): Promise<void>;
  running(): boolean;
  /** Exits the harness did not cause (each restarted). */
  crashes(): number;
  starts(): number;
  logFile: string;
  /** The last `n` lines of the engine's log. */
  tail(n: number): string[];
}

/** `storeUrl`: the portal store the harness created the profile in (SQLite file or PostgreSQL). */
export function engineProcess(dataDir: string, storeUrl: string, env: Record<string, string> = {}): EngineProcess {
  const logFile = path.join(dataDir, "engine.log");
  const log = fs.createWriteStream(logFile, { flags: "a" });
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let expected = false;
  let crashes = 0;
  let starts = 0;

  const start = () => {
    if (child) return;
    expected = false;
    starts++;
    log.write(`--- chaos: engine start #${starts} at ${new Date().toISOString()}\n`);
    const envs: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: storeUrl, WORKER_POLL_MS: "500", ...env };
    const c = spawn(process.execPath, ["--import", "tsx", "lib/sync/worker.ts"], { cwd: root, env: envs, stdio: ["ignore", "pipe", "pipe"] });
    child = c;
    c.stdout!.pipe(log, { end: false });
    c.stderr!.pipe(log, { end: false });
    exited = new Promise((resolve) =>
      c.once("exit", (code, signal) => {
        log.write(`--- chaos: engine exited (code ${code}, signal ${signal})${expected ? "" : " UNEXPECTEDLY"}\n`);
        child = null;
        if (!expected) {
          crashes++;
          setTimeout(start, 1000).unref();
        }
        resolve();
      }),
    );
  };

  const end = async (signal: NodeJS.Signals) => {
    if (!child) return;
    expected = true;
    child.kill(signal);
    await exited;
  };

  return {
    start,
    kill9: () => end("SIGKILL"),
    stop: () => end("SIGTERM"),
    running: () => child !== null,
    crashes: () => crashes,
    starts: () => starts,
    logFile,
    tail(n) {
      try {
        return fs.readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-n);
      } catch {
        return [];
      }
    },
  };
}
