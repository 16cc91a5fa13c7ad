// The chaos run's PostgreSQL target: a throwaway database (lib/testing/postgres.ts), reached by
// the engine only through the TCP proxy, and driven directly by the harness to inject target
// faults (read-only like a failed-over replica, a dropped table) and to read what arrived.
import { usePostgres, type TestPostgres } from "../../lib/testing/postgres.ts";

export interface TargetRow {
  version: string;
  name: string | null;
}

export interface ChaosTarget {
  pg: TestPostgres;
  /** The engine's connection string: same database, through the proxy on `proxyPort`. */
  urlThrough(proxyPort: number): string;
  /**
   * On: new sessions are read-only and the open ones are terminated (a failover to a replica).
   * Off: new sessions are writable again; the ones opened meanwhile stay read-only, as in
   * PostgreSQL itself, so the engine must replace them.
   */
  readOnly(on: boolean): Promise<void>;
  dropTable(schema: string, table: string): Promise<boolean>;
  /** Rows by lower-case Id; null when the table does not exist. */
  rows(schema: string, table: string, nameColumn: string | null): Promise<Map<string, TargetRow> | null>;
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

export async function openChaosTarget(): Promise<ChaosTarget | { unavailable: string }> {
  const pg = await usePostgres();
  if (!pg.available) return { unavailable: pg.reason };
  const tableExists = async (schema: string, table: string) =>
    (await pg.admin("select 1 from information_schema.tables where table_schema = $1 and table_name = $2", [schema, table])).length > 0;
  const columnExists = async (schema: string, table: string, column: string) =>
    (await pg.admin("select 1 from information_schema.columns where table_schema = $1 and table_name = $2 and column_name = $3", [schema, table, column])).length > 0;
  return {
    pg,
    urlThrough(proxyPort) {
      const u = new URL(pg.url);
      u.hostname = "127.0.0.1";
      u.port = String(proxyPort);
      return u.toString();
    },
    async readOnly(on) {
      await pg.admin(`alter database ${q(pg.database)} set default_transaction_read_only = ${on ? "on" : "off"}`);
      if (on) {
        await pg.admin("select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()", [pg.database]);
      }
    },
    async dropTable(schema, table) {
      if (!(await tableExists(schema, table))) return false;
      await pg.admin(`drop table ${q(schema)}.${q(table)} cascade`);
      return true;
    },
    async rows(schema, table, nameColumn) {
      if (!(await tableExists(schema, table))) return null;
      const withName = nameColumn !== null && (await columnExists(schema, table, nameColumn));
      const res = await pg.admin<{ id: string; v: string | null; n: string | null }>(
        `select lower("Id"::text) as id, versionnumber::text as v, ${withName ? `${q(nameColumn!)}::text` : "null"} as n from ${q(schema)}.${q(table)}`,
      );
      return new Map(res.map((r) => [r.id, { version: r.v ?? "", name: r.n }]));
    },
  };
}
