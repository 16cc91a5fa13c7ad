// A throwaway PostgreSQL database per test file. Finds a server (PG_URL, else the local one,
// else starts the local cluster once), creates a uniquely named database and drops it in
// cleanup(). When there is no server, `available` is false and the caller skips — loudly.
//
//   const pg = await usePostgres();
//   afterAll(() => pg.cleanup());
//   describe.skipIf(!pg.available)("…", () => { … new pg.Client(pg.url) … });
import { execSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import pgLib from "pg";

export interface TestPostgres {
  /** Connection URL of the fresh database ("" when unavailable). */
  url: string;
  /** Name of the fresh database. */
  database: string;
  available: boolean;
  /** Why it is unavailable ("" when available). */
  reason: string;
  /** A login role (no password, trust auth) dropped in cleanup(); returns its URL into the test database. */
  createRole(prefix?: string): Promise<{ name: string; url: string }>;
  /** Run SQL as the admin user in the test database. */
  admin<R extends pgLib.QueryResultRow = Record<string, unknown>>(text: string, values?: unknown[]): Promise<R[]>;
  /** Drop the database and the roles created. Safe to call twice. */
  cleanup(): Promise<void>;
}

const DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/postgres";
let startAttempted = false;

async function reachable(url: string): Promise<string | null> {
  const client = new pgLib.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("select 1");
    return null;
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function withDatabase(url: string, db: string, user?: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(db)}`;
  if (user) {
    u.username = encodeURIComponent(user);
    u.password = "";
  }
  return u.toString();
}

async function findServer(): Promise<{ url: string } | { reason: string }> {
  const fromEnv = process.env.PG_URL;
  if (fromEnv) {
    const err = await reachable(fromEnv);
    return err ? { reason: `PG_URL is set but unreachable: ${err}` } : { url: fromEnv };
  }
  let err = await reachable(DEFAULT_URL);
  if (!err) return { url: DEFAULT_URL };
  if (!startAttempted) {
    startAttempted = true;
    try {
      execSync("pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start", {
        stdio: "ignore",
        timeout: 30_000,
        shell: "/bin/sh",
      });
    } catch {
      // Already running or not installed: the retry below says which.
    }
    err = await reachable(DEFAULT_URL);
    if (!err) return { url: DEFAULT_URL };
  }
  return { reason: `no server at ${DEFAULT_URL} (${err}); set PG_URL to use another` };
}

function unavailable(reason: string): TestPostgres {
  console.warn(`SKIPPED: PostgreSQL not available: ${reason}`);
  const fail = () => Promise.reject(new Error(`PostgreSQL not available: ${reason}`));
  return { url: "", database: "", available: false, reason, createRole: fail, admin: fail, cleanup: async () => {} };
}

const STALE_MS = 6 * 3600_000;

/** Databases left by killed test runs (their names start with the creation time, base 36). */
async function dropStale(server: pgLib.Client): Promise<void> {
  const { rows } = await server.query<{ datname: string }>("select datname from pg_database where datname like 'dvx\\_test\\_%'");
  for (const { datname } of rows) {
    const born = parseInt(datname.split("_")[2] ?? "", 36);
    if (Number.isFinite(born) && Date.now() - born > STALE_MS) {
      await server.query(`drop database if exists "${datname.replace(/"/g, '""')}" with (force)`).catch(() => undefined);
    }
  }
}

export async function usePostgres(): Promise<TestPostgres> {
  const found = await findServer();
  if ("reason" in found) return unavailable(found.reason);

  const database = `dvx_test_${Date.now().toString(36)}_${process.pid}_${randomBytes(3).toString("hex")}`;
  const server = new pgLib.Client({ connectionString: found.url });
  try {
    await server.connect();
    await dropStale(server);
    await server.query(`create database "${database}"`);
  } catch (err) {
    await server.end().catch(() => undefined);
    return unavailable(`cannot create a test database: ${(err as Error).message}`);
  }
  const url = withDatabase(found.url, database);
  const adminClient = new pgLib.Client({ connectionString: url });
  await adminClient.connect();
  const roles: string[] = [];
  let done = false;

  return {
    url,
    database,
    available: true,
    reason: "",
    async admin(text, values) {
      return (await adminClient.query(text, values as unknown[])).rows;
    },
    async createRole(prefix = "dvx_role") {
      const name = `${prefix}_${randomBytes(4).toString("hex")}`;
      await adminClient.query(`create role "${name}" login`);
      roles.push(name);
      return { name, url: withDatabase(found.url, database, name) };
    },
    async cleanup() {
      if (done) return;
      done = true;
      await adminClient.end().catch(() => undefined);
      try {
        await server.query(`drop database if exists "${database}" with (force)`);
        for (const r of roles) await server.query(`drop role if exists "${r}"`);
      } catch (err) {
        console.warn(`could not drop test database ${database}: ${(err as Error).message}`);
      } finally {
        await server.end().catch(() => undefined);
      }
    },
  };
}
