// Log clean-up (the protocol's metadata cleanup, delta.logRetentionDuration): commit files and
// checkpoints older than the log retention go once a checkpoint covers them. Kept: the newest
// checkpoint at or before the retention's cutoff and everything after it, so every version in
// effect within the retention can still be rebuilt (time travel), and the newest checkpoint is
// never removed. The commit file of that checkpoint's version stays (its commitInfo dates it).
import type { DeltaTable } from "./delta-table";
import { checkpointName, checkpointVersion, commitName, commitVersion, LOG_DIR, parseCommit } from "./log";

const HOUR = 3_600_000;
export const DEFAULT_LOG_RETENTION_HOURS = 30 * 24;

/** `delta.logRetentionDuration` ("interval 30 days") in ms, or null when absent or unreadable. */
export function parseInterval(text: string | undefined): number | null {
  const m = /^\s*interval\s+(\d+)\s+(second|minute|hour|day|week)s?\s*$/i.exec(text ?? "");
  if (!m) return null;
  const unit = { second: 1000, minute: 60_000, hour: HOUR, day: 24 * HOUR, week: 7 * 24 * HOUR }[m[2].toLowerCase() as "second"];
  return Number(m[1]) * unit;
}

/** The table's log retention: its configuration, else the writer's option; never shorter than the data files' retention. */
export function logRetentionMs(t: DeltaTable): number {
  const configured = parseInterval(t.snapshot.metaData?.configuration?.["delta.logRetentionDuration"]);
  const ms = configured ?? (t.opts.logRetentionHours ?? DEFAULT_LOG_RETENTION_HOURS) * HOUR;
  return Math.max(ms, t.opts.retentionHours * HOUR);
}

async function commitTime(t: DeltaTable, version: number): Promise<number | null> {
  const raw = await t.files.read(`${LOG_DIR}/${commitName(version)}`);
  if (!raw) return null;
  for (const a of parseCommit(raw.toString("utf8"))) if ("commitInfo" in a && typeof a.commitInfo.timestamp === "number") return a.commitInfo.timestamp;
  return null;
}

/** Removes the expired log files; returns how many. */
export async function cleanLog(t: DeltaTable, now = Date.now()): Promise<number> {
  const cutoff = now - logRetentionMs(t);
  const names = (await t.files.list(`${LOG_DIR}/`)).map((f) => f.path.slice(LOG_DIR.length + 1));
  const commits = names.map(commitVersion).filter((v): v is number => v !== null).sort((a, b) => a - b);
  const checkpoints = names.map(checkpointVersion).filter((v): v is number => v !== null).sort((a, b) => a - b);
  // The version in effect at the cutoff: the newest commit older than it (read from the oldest up).
  let atCutoff = -1;
  for (const v of commits) {
    const ts = await commitTime(t, v);
    if (ts === null || ts >= cutoff) break;
    atCutoff = v;
  }
  const keep = checkpoints.filter((v) => v <= atCutoff).at(-1);
  if (keep === undefined) return 0;
  let n = 0;
  // Oldest first: a crash part-way leaves a log that still starts at a checkpoint or at version 0's successors in order.
  for (const v of commits) {
    if (v >= keep) break;
    await t.files.remove(`${LOG_DIR}/${commitName(v)}`);
    n++;
  }
  for (const v of checkpoints) {
    if (v >= keep) break;
    await t.files.remove(`${LOG_DIR}/${checkpointName(v)}`);
    n++;
  }
  return n;
}
