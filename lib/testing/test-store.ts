// Which portal store the store, service and engine suites run on: SQLite by default,
// PostgreSQL with STORE=postgres (vitest.config.ts runs the key suites a second time that way,
// as the "postgres-store" project, when a server is reachable). Synchronous on purpose:
// makeStore() is called at module level and in beforeAll by many suites.
import { execFileSync, execSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";

export type TestStoreKind = "sqlite" | "postgres";

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "pg-database.mjs");
const DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres";

export function testStoreKind(): TestStoreKind {
  const v = (process.env.STORE ?? "sqlite").toLowerCase();
  if (v === "postgres" || v === "postgresql") return "postgres";
  if (v === "sqlite") return "sqlite";
  throw new Error(`STORE must be sqlite or postgres, got "${process.env.STORE}"`);
}

export function testPostgresServer(): string {
  return process.env.PG_URL || DEFAULT_SERVER;
}

function ping(server: string): string | null {
  try {
    execFileSync(process.execPath, [script, "ping", server], { stdio: ["ignore", "ignore", "pipe"], timeout: 15_000 });
    return null;
  } catch (err) {
    return ((err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message).split("\n")[0];
  }
}

/** Null when the server answers (the local cluster is started if it is down, like usePostgres()), else why not. */
export function postgresUnreachable(server = testPostgresServer()): string | null {
  const first = ping(server);
  if (!first || process.env.PG_URL) return first;
  try {
    execSync("pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start", { stdio: "ignore", timeout: 30_000, shell: "/bin/sh" });
  } catch {
    // already running, or not installed: the second ping says which
  }
  return ping(server);
}

const created: string[] = [];
let exitHook = false;

/**
 * A fresh, empty PostgreSQL database for a portal store; dropped at the end of the Vitest run,
 * at the process's exit when that runs, else by the stale sweep.
 */
export function createTestPostgresStore(): string {
  const server = testPostgresServer();
  // dvx_test_<time>_<run>_<random>: the run's global teardown drops it (pg-global-setup.ts), the
  // stale sweep of usePostgres() drops it after a killed run (it reads the time).
  const run = (process.env.DVX_PG_RUN || `p${process.pid}`).replace(/[^a-z0-9]/gi, "");
  const name = `dvx_test_${Date.now().toString(36)}_${run}_${randomBytes(3).toString("hex")}`;
  try {
    execFileSync(process.execPath, [script, "create", server, name], { stdio: ["ignore", "ignore", "pipe"], timeout: 30_000 });
  } catch (err) {
    const why = (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
    throw new Error(`STORE=postgres but no PostgreSQL store could be created on ${server}: ${why}`);
  }
  created.push(name);
  if (!exitHook) {
    exitHook = true;
    process.on("exit", () => {
      for (const n of created) {
        try {
          execFileSync(process.execPath, [script, "drop", server, n], { stdio: "ignore", timeout: 15_000 });
        } catch {
          // left for the stale sweep
        }
      }
    });
  }
  const u = new URL(server);
  u.pathname = `/${name}`;
  return u.toString();
}
