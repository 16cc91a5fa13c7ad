// Target strings: what a user types (or keeps in Key Vault / an env var) to name a database.
//   sqlite:PATH                               (relative to the working directory, or absolute)
//   postgres://user:pass@host:5432/db?sslmode=require   (postgresql:// too)
//   mssql://user:pass@host:1433/db?encrypt=true&trustServerCertificate=false
//   Server=tcp:x.database.windows.net,1433;Initial Catalog=db;User ID=u;Password=p;Encrypt=True;…
import path from "node:path";
import mssql from "mssql";
import { parse as parsePgConnection } from "pg-connection-string";
import type { DestinationKind } from "./types";
import { describeLake, looksLikeLake, parseLakeTarget, LAKE_TARGET_FORMS, type ParsedLake } from "./lake/lake-target";

export interface SqliteConnection {
  /** Absolute path (or ":memory:"). */
  file: string;
}
export interface PostgresConnection {
  connectionString: string;
  host: string;
  port: number;
  database: string;
  user: string;
}

export type ParsedTarget =
  | { kind: "sqlite"; connection: SqliteConnection }
  | { kind: "postgres"; connection: PostgresConnection }
  | { kind: "mssql"; connection: mssql.config }
  | { kind: "datalake"; connection: ParsedLake };

export const TARGET_FORMS =
  "sqlite:PATH, postgres://user:password@host:port/database, " +
  "mssql://user:password@host:port/database?encrypt=true, or an ADO.NET SQL Server string " +
  "(Server=tcp:host,1433;Initial Catalog=db;User ID=u;Password=p;Encrypt=True); data lake: " + LAKE_TARGET_FORMS;

export class TargetFormatError extends Error {
  constructor(detail: string) {
    super(`${detail}. Accepted target forms: ${TARGET_FORMS}`);
    this.name = "TargetFormatError";
  }
}

const bool = (v: string | null): boolean | undefined =>
  v === null ? undefined : /^(true|yes|1)$/i.test(v) ? true : /^(false|no|0)$/i.test(v) ? false : undefined;

function parseUrl(text: string): URL {
  try {
    return new URL(text);
  } catch {
    // The URL parser's message would echo the text, password included.
    throw new TargetFormatError("The target is not a valid URL");
  }
}

// pg's own parser (what the driver does with the string): socket hosts (`?host=/run/postgresql`)
// and every option pg understands are read the same way here.
function parsePostgres(text: string): ParsedTarget {
  let c: ReturnType<typeof parsePgConnection>;
  try {
    c = parsePgConnection(text);
  } catch {
    // The parser's message would echo the text, password included.
    throw new TargetFormatError("The target is not a valid URL");
  }
  if (!c.host) throw new TargetFormatError("The PostgreSQL URL has no host (postgres://user:password@host:port/database, or ?host=/socket/folder)");
  return {
    kind: "postgres",
    connection: {
      connectionString: text,
      host: c.host,
      port: c.port ? Number(c.port) : 5432,
      database: c.database || c.user || "postgres",
      user: c.user ?? "",
    },
  };
}

function parseMssqlUrl(text: string): ParsedTarget {
  const u = parseUrl(text);
  if (!u.hostname) throw new TargetFormatError("The SQL Server URL has no host");
  const database = decodeURIComponent(u.pathname.replace(/^\//, ""));
  if (!database) throw new TargetFormatError("The SQL Server URL names no database (mssql://user:password@host:port/DATABASE)");
  const q = u.searchParams;
  const options: mssql.IOptions = {
    encrypt: bool(q.get("encrypt")) ?? true,
    trustServerCertificate: bool(q.get("trustServerCertificate")) ?? false,
  };
  if (q.get("instanceName")) options.instanceName = q.get("instanceName")!;
  return {
    kind: "mssql",
    connection: {
      server: u.hostname,
      port: u.port ? Number(u.port) : 1433,
      database,
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      options,
    },
  };
}

function parseAdoNet(text: string): ParsedTarget {
  let config: mssql.config;
  try {
    config = mssql.ConnectionPool.parseConnectionString(text);
  } catch (err) {
    throw new TargetFormatError(`The SQL Server connection string cannot be read (${(err as Error).message.replace(/password=[^;]*/gi, "Password=***")})`);
  }
  if (!config.server) throw new TargetFormatError("The SQL Server connection string has no Server / Data Source");
  if (!config.database) throw new TargetFormatError("The SQL Server connection string has no Initial Catalog / Database");
  return { kind: "mssql", connection: config };
}

export function parseTarget(text: string): ParsedTarget {
  const t = (text ?? "").trim();
  if (!t) throw new TargetFormatError("The target is empty");
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(t)?.[1]?.toLowerCase();
  if (scheme === "sqlite") {
    let file = t.slice("sqlite:".length);
    if (file.startsWith("//")) file = file.slice(2); // sqlite:///abs/path and sqlite://rel/path
    if (!file) throw new TargetFormatError("The SQLite target names no file (sqlite:PATH)");
    return { kind: "sqlite", connection: { file: file === ":memory:" ? file : path.resolve(file) } };
  }
  if (looksLikeLake(t)) return { kind: "datalake", connection: parseLakeTarget(t) };
  if (scheme === "postgres" || scheme === "postgresql") return parsePostgres(t);
  if (scheme === "mssql" || scheme === "sqlserver") return parseMssqlUrl(t);
  if (/(^|;)\s*(server|data source|address|addr|network address)\s*=/i.test(t)) return parseAdoNet(t);
  throw new TargetFormatError("The target is not recognized");
}

function hostPort(host: string, port: number | undefined): string {
  const h = host.includes(":") ? `[${host}]` : host;
  return port ? `${h}:${port}` : h;
}

/** The target without its password, for logs, errors and the UI. */
export function describeParsed(p: ParsedTarget): string {
  switch (p.kind) {
    case "sqlite":
      return `sqlite:${p.connection.file}`;
    case "postgres": {
      const c = p.connection;
      const user = c.user ? `${encodeURIComponent(c.user)}@` : "";
      // A Unix socket folder is not a host name: say it the way pg reads it.
      if (c.host.startsWith("/")) return `postgres://${user}/${encodeURIComponent(c.database)}?host=${c.host}`;
      return `postgres://${user}${hostPort(c.host, c.port)}/${encodeURIComponent(c.database)}`;
    }
    case "mssql": {
      const c = p.connection;
      const user = c.user ? `${encodeURIComponent(c.user)}@` : "";
      const instance = c.options?.instanceName ? `\\${c.options.instanceName}` : "";
      return `mssql://${user}${hostPort(c.server, c.port)}${instance}/${encodeURIComponent(c.database ?? "")}`;
    }
    case "datalake":
      return describeLake(p.connection);
  }
}

/** A redacted display string; text that does not parse is shown as its form only, never raw. */
export function describeTarget(text: string): string {
  try {
    return describeParsed(parseTarget(text));
  } catch {
    return "(unrecognized target)";
  }
}

export type { DestinationKind };
