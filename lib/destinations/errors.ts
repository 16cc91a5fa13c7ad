// Errors a Destination raises itself. Driver errors (SQLSTATE `code`, SQL Server `number`,
// SQLITE_* `code`) pass through untouched so the sync engine can classify them.

/**
 * The target cannot be reached or opened. Named like mssql's ConnectionError and carrying the
 * driver's `code` (ECONNREFUSED, 28P01, SQLITE_CANTOPEN…) so classifiers treat every target alike:
 * a target that is down is not a record failure. The message names host/port or file, never a password.
 */
export class DestinationConnectError extends Error {
  readonly code?: string;
  readonly number?: number;
  constructor(message: string, cause?: unknown, fallbackCode?: string) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "ConnectionError";
    const c = cause as { code?: unknown; number?: unknown } | undefined;
    const code = typeof c?.code === "string" ? c.code : fallbackCode;
    if (code) this.code = code;
    if (typeof c?.number === "number") this.number = c.number;
  }
}
