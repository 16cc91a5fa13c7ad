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

/**
 * A string column could not be widened (e.g. a view depends on it). Keeps the driver's code and
 * names the column, the widths and the table, so an admin knows what blocks the write.
 */
export class WidenColumnError extends Error {
  readonly code?: string;
  readonly number?: number;
  constructor(table: string, column: string, from: number, to: number, cause: unknown) {
    const target = to < 0 ? "unbounded" : `${to} characters`;
    super(
      `Cannot widen column ${column} of table ${table} from ${from} to ${target}: ${(cause as Error)?.message ?? cause}. ` +
        "Drop or change what depends on the column (a view, an index), or widen it by hand.",
      { cause },
    );
    this.name = "WidenColumnError";
    const c = cause as { code?: unknown; number?: unknown } | undefined;
    if (typeof c?.code === "string") this.code = c.code;
    if (typeof c?.number === "number") this.number = c.number;
  }
}
