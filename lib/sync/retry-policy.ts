// The ONE place where errors are classified: which failures are about a record (isolate it, retry
// it per the DES policy, log it), which are about a table (log "N/A", stop that table), and which
// are transient (let the supervisor restart the job after a backoff with fresh connections).
import {
  AuthenticationError,
  ChangeTrackingNotEnabledError,
  DataverseUnavailableError,
  DeltaTokenExpiredError,
  InvalidUrlError,
  NotFoundError,
  ThrottledError,
} from "../dataverse/errors";
import { RecordValueError } from "../destinations/row-values";

export type ErrorClass =
  /** The record cannot be written (value, constraint, trigger): isolate and retry it. */
  | "record"
  /** The table cannot be exported (not tracked, missing, cannot be created). */
  | "table"
  /** The saved delta token expired: re-export that table. */
  | "token-expired"
  /** Throttling, network, service or target down: back off and restart the job. */
  | "transient"
  /** Bad credentials or configuration: back off long, an admin must act. */
  | "config";

/** The DES record retry policy of a profile. */
export interface RecordRetryPolicy {
  /** Attempts after the first one (0–20, DES default 12). */
  retryCount: number;
  /** Wait between attempts (0–3600 s, DES default 5 s). */
  retryIntervalMs: number;
}

export const DEFAULT_RETRY: RecordRetryPolicy = { retryCount: 12, retryIntervalMs: 5000 };

/**
 * SQL Server error numbers that are known to concern the record being written: constraint,
 * NULL, truncation, conversion and arithmetic errors (see "Database engine events and errors"
 * in the SQL Server docs), and an error raised by a trigger (3609: the trigger rolled back).
 */
export const MSSQL_RECORD_NUMBERS = new Set([
  2627, 2601, 547, 515, // primary key / unique index / FK or CHECK / NULL
  8152, 2628, 4815, // string or binary data would be truncated (old, new, bulk-load form)
  245, 8114, 8115, 220, 232, 241, 242, 244, 248, 257, 517, 8169, 8134, 9420, 9455, // conversion, overflow
  3609, // the transaction ended in the trigger
]);
/**
 * Azure SQL's transient and throttling errors as Microsoft documents them: the "List of transient
 * fault error codes" of "Troubleshoot connectivity issues and other errors" (Azure SQL Database /
 * Managed Instance) and SqlClient's SqlConfigurableRetryFactory.BaselineTransientErrors — the
 * resource-governance limits (10928 requests, 10929 minimum guarantee), the elastic-pool /
 * service busy errors (49918 not enough resources, 49919 too many create/update requests, 49920
 * too many operations), 40501 service busy, 40613 database not currently available, 40197
 * failover, 40540 / 40143 service errors, 4060 cannot open database (during a reconfiguration),
 * 4221 read-secondary login wait, 926 'replicatedmaster' being recovered, 42108 / 42109 serverless
 * pool paused / resuming, and the connection-level 233, 997, 64, 10053, 10054, 10060, -2, 1204
 * (no lock resources), 1205 (deadlock), 1222 (lock timeout).
 */
export const AZURE_SQL_TRANSIENT_NUMBERS = [
  10928, 10929, 49918, 49919, 49920, 40501, 40613, 40197, 40540, 40143, 4060, 4221, 926, 42108, 42109,
  233, 997, 64, 10053, 10054, 10060, -2, 1204, 1205, 1222,
] as const;
/**
 * SQL Server errors worth naming (everything not known to concern a record is transient anyway,
 * but these also win over a record number reported in the same batch, and keep a login error
 * from reading as configuration): the Azure list above, then failover, log or filegroup full,
 * size quota, read-only database, memory, and the Azure SQL elastic-pool limits.
 */
export const MSSQL_TRANSIENT_NUMBERS = new Set<number>([
  ...AZURE_SQL_TRANSIENT_NUMBERS,
  9002, 1105, 40544, 3906, 3960, 701, 8645, 10936, 40549, 40550, 40551, 40552, 40553,
]);
/** SQL Server login failures that are the configuration's fault (wrong password, unknown login, no access to the database). */
const MSSQL_AUTH_NUMBERS = new Set([18456, 18452, 18486, 18487, 18488, 916]);
/** PostgreSQL: 28000 invalid authorization (e.g. unknown role), 28P01 wrong password, 3D000 no such database. */
const PG_CONFIG_CODES = new Set(["28000", "28P01", "3D000"]);
/** SQLite result codes known to concern the row: constraint (every extended form), type mismatch, too big. */
const SQLITE_RECORD = /^SQLITE_(CONSTRAINT(_[A-Z]+)?|MISMATCH|TOOBIG)$/;
const TABLE_MISSING = /no such table|Invalid object name|(relation|table) .+? does not exist/i;

function prop(err: unknown, key: string): unknown {
  return err && typeof err === "object" ? (err as Record<string, unknown>)[key] : undefined;
}

/**
 * The error and what it wraps or comes with, outermost first, bounded: mssql `originalError` and
 * `precedingErrors` (a trigger's THROW comes before 3609 "transaction ended in the trigger"),
 * tedious's AggregateError `errors`, and `cause`.
 */
function chain(err: unknown): unknown[] {
  const out: unknown[] = [];
  const visit = (e: unknown, depth: number) => {
    if (!e || typeof e !== "object" || out.includes(e) || depth > 4 || out.length > 20) return;
    out.push(e);
    for (const k of ["originalError", "cause"]) visit(prop(e, k), depth + 1);
    for (const k of ["precedingErrors", "errors"]) {
      const list = prop(e, k);
      if (Array.isArray(list)) for (const x of list) visit(x, depth + 1);
    }
  };
  visit(err, 0);
  return out.length ? out : [err];
}

/** The first string `code` along the chain. */
function firstCode(errs: unknown[]): string | undefined {
  for (const e of errs) if (typeof prop(e, "code") === "string") return prop(e, "code") as string;
  return undefined;
}
/** Every SQL Server error `number` along the chain (mssql also has them as `info.number`). */
function numbersOf(errs: unknown[]): number[] {
  const out: number[] = [];
  for (const e of errs) {
    const n = prop(e, "number") ?? prop(prop(e, "info"), "number");
    if (typeof n === "number") out.push(n);
  }
  return out;
}

function isPrisma(err: unknown): boolean {
  const name = prop(err, "name");
  return typeof name === "string" && name.startsWith("PrismaClient");
}

/**
 * Classifies any error thrown by a ChangeSource, a Destination or the store. The rule: an error
 * is "record" only when it is KNOWN to concern the record (SQLSTATE classes 22/23, a trigger's
 * RAISE, the SQL Server numbers above, SQLITE_CONSTRAINT_* / MISMATCH / TOOBIG, RecordValueError);
 * anything unknown is "transient" — the page is retried and the checkpoint stays, because
 * logging a healthy record as failed loses it, while retrying a bad one only delays.
 */
export function classifyError(err: unknown): ErrorClass {
  if (err instanceof DeltaTokenExpiredError) return "token-expired";
  if (err instanceof ChangeTrackingNotEnabledError || err instanceof NotFoundError) return "table";
  if (err instanceof AuthenticationError || err instanceof InvalidUrlError) return "config";
  // The target's export marker changed under a running runner: restart, the start-up check re-exports.
  if (prop(err, "name") === "TargetChangedError") return "transient";
  // A target that is the portal's own store: an admin must change it (lib/sync/portal-files.ts).
  if (prop(err, "name") === "PortalFileTargetError") return "config";
  if (err instanceof ThrottledError || err instanceof DataverseUnavailableError) return "transient";
  // By name too: errors from the writer thread arrive as plain Errors with the original name.
  if (err instanceof RecordValueError || prop(err, "name") === "RecordValueError") return "record";
  if (isAbort(err)) return "transient";
  // Data lake storage (lib/destinations/lake/storage.ts): a wrong key, a missing role or container
  // needs an admin; anything else (network, 5xx, a full disk) is worth retrying.
  if (prop(err, "name") === "LakeStorageError") {
    const c = prop(err, "code");
    return c === "AuthenticationFailed" || c === "AuthorizationFailure" || c === "ContainerNotFound" ? "config" : "transient";
  }
  // The breaker of table-pipeline: most of a page refused record by record is a target problem.
  if (prop(err, "name") === "PageRefusedError") return "transient";
  // The portal store is never the record's fault; a wrong store password is configuration.
  // A fenced runner (another took the profile over) must stop, never isolate "poison" records.
  if (prop(err, "name") === "FencedError") return "transient";
  if (isPrisma(err)) return prop(err, "errorCode") === "P1000" || prop(err, "code") === "P1000" ? "config" : "transient";
  const errs = chain(err);
  const code = firstCode(errs);
  const numbers = numbersOf(errs);
  const message = errs.map((e) => (e instanceof Error ? e.message : String(e))).join("\n");

  if (isAuthFailure(errs, code, numbers, message)) return "config";
  if (code === "42P01" || code === "3F000" || numbers.includes(208)) return "table";
  if (typeof code === "string") {
    if (/^2[23][0-9A-Z]{3}$/.test(code)) return "record"; // data exception, integrity constraint
    if (code === "P0001") return "record"; // RAISE EXCEPTION: only a trigger on the target table runs one
    if (SQLITE_RECORD.test(code)) return "record";
  }
  // SQL Server: a record error, unless the same batch also reports an outage.
  const mssqlRecord = numbers.some((n) => MSSQL_RECORD_NUMBERS.has(n) || n >= 50000); // ≥ 50000: RAISERROR/THROW from a trigger
  if (mssqlRecord && !numbers.some((n) => MSSQL_TRANSIENT_NUMBERS.has(n))) return "record";
  if (TABLE_MISSING.test(message)) return "table";
  return "transient";
}

/** A wrong SQL password or login: retrying cannot help, an admin must fix the connection. */
function isAuthFailure(errs: unknown[], code: string | undefined, numbers: number[], message: string): boolean {
  if (code && PG_CONFIG_CODES.has(code)) return true;
  if (numbers.some((n) => MSSQL_AUTH_NUMBERS.has(n))) return true;
  if (code === "ELOGIN") {
    // tedious flags the login errors SqlClient retries (4060, 40613, 40501, …) as transient.
    if (errs.some((e) => prop(e, "isTransient") === true)) return false;
    if (numbers.some((n) => MSSQL_TRANSIENT_NUMBERS.has(n))) return false;
    return !/not currently available|is busy|try again|timeout/i.test(message);
  }
  return false;
}

export function isAbort(err: unknown): boolean {
  return prop(err, "name") === "AbortError" || (err instanceof DOMException && err.name === "AbortError");
}

/**
 * How long the supervisor waits before restarting a failed job (attempt = 1 for the first
 * restart). Transient: exponential from 1 s to 60 s; config: 30 s to 10 min, an admin must act.
 */
export function backoffDelayMs(err: unknown, attempt: number, random: () => number = Math.random): number {
  const cls = classifyError(err);
  const [base, cap] = cls === "config" ? [30_000, 600_000] : cls === "table" ? [10_000, 300_000] : [1000, 60_000];
  const retryAfter = err instanceof ThrottledError ? err.waitedSeconds * 1000 : 0;
  return Math.max(retryAfter, jittered(base, cap, attempt, random));
}

/** When a Failed table is tried again by the running runner: 10 s, doubling, at most 5 min. */
export function failedTableRetryDelayMs(attempt: number, random: () => number = Math.random): number {
  return jittered(10_000, 300_000, attempt, random);
}

function jittered(base: number, cap: number, attempt: number, random: () => number): number {
  const exp = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  // Jitter ±20 % so many restarted jobs do not hit the service at once.
  return Math.round(exp * (0.8 + 0.4 * random()));
}

/** Short, log-safe text of an error (first line, bounded). */
export function errorText(err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  const line = raw.split("\n").find((l) => l.trim()) ?? raw;
  return line.length > 1000 ? `${line.slice(0, 997)}...` : line;
}

export { sleep } from "../sleep";
