import type { LakeSettings } from "../types";

/**
 * Append-only is the default (Synapse Link defaults to in place when createdon exists): it never
 * rewrites a file, so a write costs the size of the change, snapshots copy stable files, and a
 * delete stays visible as a row (readers take the max versionnumber per Id).
 */
export const DEFAULT_LAKE_SETTINGS: LakeSettings = {
  mode: "appendOnly",
  granularity: "Year",
  snapshotMinutes: 60,
  snapshotKeep: 5,
  incrementalFolders: false,
  format: "csv",
  deltaCompactMinutes: 60,
  deltaVacuumMinutes: 1440,
  deltaRetentionHours: 168,
};

export function lakeSettings(s: Partial<LakeSettings> | undefined): LakeSettings {
  const out = { ...DEFAULT_LAKE_SETTINGS };
  for (const [k, v] of Object.entries(s ?? {})) if (v !== undefined && v !== null) (out as Record<string, unknown>)[k] = v;
  out.snapshotKeep = Math.max(1, Math.floor(out.snapshotKeep));
  out.snapshotMinutes = Math.max(0, out.snapshotMinutes);
  out.format = out.format === "delta" ? "delta" : "csv";
  out.deltaCompactMinutes = Math.max(0, out.deltaCompactMinutes);
  out.deltaVacuumMinutes = Math.max(0, out.deltaVacuumMinutes);
  out.deltaRetentionHours = Math.max(0, out.deltaRetentionHours);
  // As in Synapse Link: incremental update folders are cut from appended rows only.
  if (out.incrementalFolders) out.mode = "appendOnly";
  return out;
}
