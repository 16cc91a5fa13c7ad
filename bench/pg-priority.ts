// The PostgreSQL backends serving a bench run do the server half of the work being measured. A
// bench started with `nice -n -15` shields only its own process from other load on a shared
// machine; this gives the server processes of the bench's database the same priority, so the
// engine and the limit it is compared with are shielded alike. Only when the server runs on
// this host and we may (root); otherwise it does nothing and says so once.
import fs from "node:fs";
import os from "node:os";
import pg from "pg";

let warned = false;
/** The application_name of the bench's own bookkeeping connections, left out of its CPU counts. */
const WATCHER = "dvx-bench-watcher";

/** Renices every backend connected to the database of `url` to this process's priority. */
export async function matchServerPriority(url: string): Promise<void> {
  const mine = os.getPriority();
  if (mine >= 0) return;
  const c = new pg.Client({ connectionString: url, application_name: WATCHER });
  await c.connect();
  try {
    const { rows } = await c.query<{ pid: number }>("select pid from pg_stat_activity where datname = current_database()");
    for (const { pid } of rows) {
      try {
        os.setPriority(pid, mine);
      } catch (err) {
        if (!warned) console.log(`(PostgreSQL backends keep their priority: ${(err as Error).message})`);
        warned = true;
        return;
      }
    }
  } finally {
    await c.end();
  }
}

/**
 * The server processes doing a bench's PostgreSQL work, for bench/proc-cpu.ts: the backends
 * connected to `url`'s database (but the bench's own bookkeeping: this watcher, the renicing),
 * and the server's background writers (checkpointer, background writer, WAL writer — shared
 * with whatever else uses the server).
 * Only pids of local processes named postgres are returned: a server on another host has pids
 * that mean nothing here.
 */
export async function watchServer(url: string): Promise<{ backends(): Promise<number[]>; background(): Promise<number[]>; close(): Promise<void> }> {
  const c = new pg.Client({ connectionString: url, application_name: WATCHER });
  await c.connect();
  const local = (pids: number[]) =>
    pids.filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").startsWith("postgres");
      } catch {
        return false;
      }
    });
  const pids = async (sql: string) => local((await c.query<{ pid: number }>(sql)).rows.map((r) => r.pid));
  return {
    backends: () => pids(`select pid from pg_stat_activity where datname = current_database() and application_name is distinct from '${WATCHER}'`),
    background: () => pids("select pid from pg_stat_activity where backend_type in ('checkpointer', 'background writer', 'walwriter')"),
    close: () => c.end(),
  };
}
