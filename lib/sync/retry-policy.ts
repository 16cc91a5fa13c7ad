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

const TRANSIENT_NODE_CODES = new Set([
  "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EPIPE", "EHOSTUNREACH",
  "ENETUNREACH", "ECONNABORTED", "ESOCKET", "ETIMEOUT", "ELOGIN", "EINSTLOOKUP",
  "SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_IOERR", "SQLITE_FULL", "SQLITE_CANTOPEN", "SQLITE_READONLY",
]);
/** SQL Server error numbers that are worth retrying later (deadlock, timeouts, failover). */
const TRANSIENT_MSSQL_NUMBERS = new Set([1205, 1222, -2, 4060, 40197, 40501, 40613, 49918, 49919, 49920, 233, 64, 10053, 10054, 10060]);
const TABLE_MISSING = /no such table|Invalid object name|relation .* does not exist|does not exist/i;

function prop(err: unknown, key: string): unknown {
  return err && typeof err === "object" ? (err as Record<string, unknown>)[key] : undefined;
}

/** Classifies any error thrown by a ChangeSource, a Destination or the store. */
export function classifyError(err: unknown): ErrorClass {
  if (err instanceof DeltaTokenExpiredError) return "token-expired";
  if (err instanceof ChangeTrackingNotEnabledError || err instanceof NotFoundError) return "table";
  if (err instanceof AuthenticationError || err instanceof InvalidUrlError) return "config";
  // A target that is the portal's own store: an admin must change it (lib/sync/portal-files.ts).
  if (prop(err, "name") === "PortalFileTargetError") return "config";
  if (err instanceof ThrottledError || err instanceof DataverseUnavailableError) return "transient";
  // By name too: errors from the writer thread arrive as plain Errors with the original name.
  if (err instanceof RecordValueError || prop(err, "name") === "RecordValueError") return "record";
  if (isAbort(err)) return "transient";
  const code = prop(err, "code");
  if (typeof code === "string") {
    if (TRANSIENT_NODE_CODES.has(code)) return "transient";
    // PostgreSQL SQLSTATE classes: 08 connection, 40 rollback (serialization/deadlock),
    // 53 resources, 57 operator intervention (shutdown), 58 system error.
    if (/^(08|40|53|57|58)[0-9A-Z]{3}$/.test(code)) return "transient";
    if (code === "42P01" || code === "3F000") return "table";
  }
  const number = prop(err, "number");
  if (typeof number === "number" && TRANSIENT_MSSQL_NUMBERS.has(number)) return "transient";
  if (number === 208) return "table"; // Invalid object name
  const name = prop(err, "name");
  if (name === "ConnectionError" || name === "TimeoutError") return "transient";
  const message = err instanceof Error ? err.message : String(err);
  if (/Connection terminated|connection is closed|Client has encountered a connection error|database is locked/i.test(message)) return "transient";
  if (TABLE_MISSING.test(message) && !/column/i.test(message)) return "table";
  return "record";
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
  const exp = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  // Jitter ±20 % so many restarted jobs do not hit the service at once.
  return Math.max(retryAfter, Math.round(exp * (0.8 + 0.4 * random())));
}

/** Short, log-safe text of an error (first line, bounded). */
export function errorText(err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  const line = raw.split("\n").find((l) => l.trim()) ?? raw;
  return line.length > 1000 ? `${line.slice(0, 997)}...` : line;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new DOMException("Aborted", "AbortError"));
    if (ms <= 0) return resolve();
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason ?? new DOMException("Aborted", "AbortError"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
