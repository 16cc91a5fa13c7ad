// The PostgreSQL backends serving a bench run do the server half of the work being measured. A
// bench started with `nice -n -15` shields only its own process from other load on a shared
// machine; this gives the server processes of the bench's database the same priority, so the
// engine and the limit it is compared with are shielded alike. Only when the server runs on
// this host and we may (root); otherwise it does nothing and says so once.
import os from "node:os";
import pg from "pg";

let warned = false;

/** Renices every backend connected to the database of `url` to this process's priority. */
export async function matchServerPriority(url: string): Promise<void> {
  const mine = os.getPriority();
  if (mine >= 0) return;
  const c = new pg.Client({ connectionString: url });
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
