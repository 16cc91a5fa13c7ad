// Opens a target like `openDestination` (lib/destinations) but loads only the driver it needs:
// the PostgreSQL and SQL Server drivers (and mssql's connection-string parser, which target.ts
// loads) cost ~30 MB of RSS that a SQLite export should not pay.
import path from "node:path";
import type { Destination, DestinationKind, DestinationOptions } from "../destinations/types";
import { assertNotPortalFile } from "./portal-files";
import { describeLake, looksLikeLake, parseLakeTarget } from "../destinations/lake/lake-target";

/** The SQLite file of a `sqlite:PATH` target (same rules as lib/destinations/target.ts), else null. */
function sqliteFile(text: string): string | null {
  const t = text.trim();
  if (!/^sqlite:/i.test(t)) return null;
  let file = t.slice("sqlite:".length);
  if (file.startsWith("//")) file = file.slice(2);
  if (!file) return null;
  return file === ":memory:" ? file : path.resolve(file);
}

/** Throws PortalFileTargetError when a `sqlite:` target is one of the portal's own files. */
export function assertNotPortalTarget(text: string): void {
  const file = sqliteFile(text);
  if (file) assertNotPortalFile(file);
}

export async function targetKind(text: string): Promise<DestinationKind> {
  if (sqliteFile(text)) return "sqlite";
  if (looksLikeLake(text)) {
    parseLakeTarget(text); // throws a TargetFormatError naming the lake forms
    return "datalake";
  }
  const { parseTarget } = await import("../destinations/target");
  return parseTarget(text).kind;
}

/** The target without its password, for messages. */
export async function describeTargetText(text: string): Promise<string> {
  const file = sqliteFile(text);
  if (file) return `sqlite:${file}`;
  if (looksLikeLake(text)) {
    try {
      return describeLake(parseLakeTarget(text));
    } catch {
      return "(unrecognized target)";
    }
  }
  const { describeTarget } = await import("../destinations/target");
  return describeTarget(text);
}

export async function openTarget(text: string, options: DestinationOptions): Promise<Destination> {
  const file = sqliteFile(text);
  if (file) {
    // Defence in depth: validation and the services refuse it first.
    assertNotPortalFile(file);
    const { SqliteDestination } = await import("../destinations/sqlite");
    return new SqliteDestination(file, options);
  }
  if (looksLikeLake(text)) {
    const { openLakeDestination } = await import("../destinations/lake/open-lake");
    return openLakeDestination(parseLakeTarget(text), options);
  }
  const { openDestination } = await import("../destinations/index");
  return openDestination(text, options);
}
