// Entry point of the target-database layer: parse a target string and open a Destination.
// Opening never connects: the first operation (or validate()) does, so a wizard can open a
// target that is down and still get a readable validation result.
import { MssqlDestination } from "./mssql";
import { PostgresDestination } from "./postgres";
import { SqliteDestination } from "./sqlite";
import { describeParsed, parseTarget, type ParsedTarget } from "./target";
import type { Destination, DestinationOptions } from "./types";
import { openLakeDestination } from "./lake/open-lake";

export function createDestination(target: Exclude<ParsedTarget, { kind: "datalake" }>, options: DestinationOptions): Destination {
  const display = describeParsed(target);
  switch (target.kind) {
    case "sqlite":
      return new SqliteDestination(target.connection.file, options);
    case "postgres":
      return new PostgresDestination({ connectionString: target.connection.connectionString }, options, display);
    case "mssql":
      return new MssqlDestination(target.connection, options, display);
  }
}

/**
 * A Destination for `target` (see target.ts for the accepted forms). Throws TargetFormatError for
 * text that does not parse; connection problems surface on first use, naming host/port or file.
 */
export async function openDestination(target: string, options: DestinationOptions): Promise<Destination> {
  const parsed = parseTarget(target);
  if (parsed.kind === "datalake") return openLakeDestination(parsed.connection, options);
  return createDestination(parsed, options);
}

export { openLakeDestination };

export { tableNameFor, tableSpecFor, columnsForAttribute, SYSTEM_COLUMNS } from "./columns";
export { makeRowBuilder, RecordValueError, UNBOUNDED } from "./row-values";
export { checkNames, NAME_LIMITS } from "./names";
export { DestinationConnectError, WidenColumnError } from "./errors";
export { describeTarget, parseTarget, TargetFormatError, TARGET_FORMS, type ParsedTarget } from "./target";
export { LABEL_TABLES, DELETE_LOG } from "./label-tables";
export * from "./types";
