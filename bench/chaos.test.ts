// The 60-second chaos run as part of `npm test`: spawns `bench/chaos.ts --seconds 60` with a fixed
// seed and expects exit 0 and the "nothing lost" line. Without PostgreSQL it skips, loudly.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pgLib from "pg";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const pgUrl = process.env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

async function reachable(): Promise<string | null> {
  const c = new pgLib.Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    return null;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await c.end().catch(() => undefined);
  }
}

const unreachable = await reachable();
if (unreachable) console.warn(`SKIPPED: the chaos run needs PostgreSQL (${pgUrl}): ${unreachable}`);

describe.skipIf(Boolean(unreachable))("chaos run (60 s of faults)", () => {
  it("ends with the target equal to the source and an empty failure log", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "bench/chaos.ts", "--seconds", "60", "--seed", "7"], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    const lines = out.trimEnd().split("\n").filter((l) => l.startsWith("chaos: "));
    const last = lines.at(-1) ?? "";
    expect(code, out).toBe(0);
    expect(last, out).toMatch(/^chaos: [1-9]\d* faults, target == source \(0 missing, 0 extra, 0 stale\), 0 failure-log entries$/);
  }, 600_000);
});
