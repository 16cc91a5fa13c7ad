// Starts Azurite's Blob service (npm `azurite`, a devDependency) on 127.0.0.1 with a free port and
// a throwaway location, for tests and benchmarks of the data lake on "Azure". Returns null (after
// a loud SKIPPED line) when it cannot start, so callers skip instead of failing on a machine
// without it.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** Azurite's well-known development account (public, documented by Microsoft). */
export const AZURITE_ACCOUNT = "devstoreaccount1";
export const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface RunningAzurite {
  /** http://127.0.0.1:PORT/devstoreaccount1 */
  blobEndpoint: string;
  /** The account's connection string (no Container=). */
  connectionString: string;
  /** A lake target string for `container` (and an optional path). */
  target(container: string, subPath?: string): string;
  close(): Promise<void>;
}

export async function startAzurite(what = "Azurite"): Promise<RunningAzurite | null> {
  const bin = path.resolve("node_modules/.bin/azurite-blob");
  if (!fs.existsSync(bin)) {
    console.warn(`SKIPPED ${what}: node_modules/.bin/azurite-blob is missing (npm install)`);
    return null;
  }
  const location = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-azurite-"));
  let child: ChildProcess;
  try {
    child = spawn(bin, ["--location", location, "--blobHost", "127.0.0.1", "--blobPort", "0", "--skipApiVersionCheck", "--loose", "--disableTelemetry"], { stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    console.warn(`SKIPPED ${what}: Azurite could not start (${(err as Error).message})`);
    return null;
  }
  const port = await new Promise<number | null>((resolve) => {
    let out = "";
    const timer = setTimeout(() => resolve(null), 30_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(null);
    });
  });
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    fs.rmSync(location, { recursive: true, force: true });
  };
  if (!port) {
    await stop();
    console.warn(`SKIPPED ${what}: Azurite did not start listening within 30 s`);
    return null;
  }
  child.stdout!.resume();
  child.stderr!.resume();
  const blobEndpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  const connectionString = `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${blobEndpoint};`;
  return {
    blobEndpoint,
    connectionString,
    target: (container, subPath) => `${connectionString}Container=${container};${subPath ? `Path=${subPath};` : ""}`,
    close: stop,
  };
}
