// Vitest global setup: tags this run's throwaway PostgreSQL stores (test-store.ts puts the tag in
// their names) and drops them when the run ends — worker processes are terminated without
// running their exit handlers, so they cannot drop their own.
import { randomBytes } from "node:crypto";
import pg from "pg";

export function setup(): () => Promise<void> {
  const tag = (process.env.DVX_PG_RUN ||= `r${randomBytes(3).toString("hex")}`);
  return async () => {
    const server = process.env.PG_URL || "postgres://postgres@127.0.0.1:5432/postgres";
    const client = new pg.Client({ connectionString: server, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
    } catch {
      return; // no server: nothing was created
    }
    try {
      const { rows } = await client.query<{ datname: string }>("select datname::text from pg_database where datname like $1", [`dvx\\_test\\_%\\_${tag}\\_%`]);
      for (const { datname } of rows) await client.query(`drop database if exists "${datname}" with (force)`).catch(() => undefined);
    } finally {
      await client.end().catch(() => undefined);
    }
  };
}
