// Identifier limits per target, checked before anything is created: PostgreSQL silently cuts
// names beyond 63 bytes, which would make two tables collide.
import type { DestinationKind, ValidationCheck } from "./types";

export const NAME_LIMITS: Record<DestinationKind, { max: number; unit: "characters" | "bytes" } | null> = {
  mssql: { max: 128, unit: "characters" },
  postgres: { max: 63, unit: "bytes" },
  sqlite: null,
  // Blob names allow 1,024 characters; a table name is one path segment of it.
  datalake: null,
};

function size(name: string, unit: "characters" | "bytes"): number {
  return unit === "bytes" ? Buffer.byteLength(name, "utf8") : name.length;
}

/** One check: every table name fits the target's identifier limit. */
export function checkNames(kind: DestinationKind, tableNames: string[]): ValidationCheck {
  const limit = NAME_LIMITS[kind];
  const label = limit ? `Table names fit in ${limit.max} ${limit.unit}` : "Table names fit the target";
  const tooLong = limit ? tableNames.filter((n) => size(n, limit.unit) > limit.max) : [];
  if (!limit || tooLong.length === 0) return { id: "names", label, ok: true };
  return {
    id: "names",
    label,
    ok: false,
    message: `${tooLong.length === 1 ? "This table name is" : "These table names are"} longer than ${limit.max} ${limit.unit}: ${tooLong.join(", ")}.`,
    fix: "Use a shorter table prefix, or leave these tables out of the profile.",
  };
}

/** Throws when a name does not fit (used before CREATE/ALTER so nothing is silently truncated). */
export function assertNameFits(kind: DestinationKind, name: string): void {
  const check = checkNames(kind, [name]);
  if (!check.ok) throw new Error(check.message);
}
