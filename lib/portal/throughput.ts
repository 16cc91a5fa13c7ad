// The profile page's chart: the engine records written/failed per table and minute; the chart
// shows one bar per minute for all tables together.
export interface ThroughputRow {
  entity: string;
  minute: string | Date;
  written: number;
  failed: number;
}

export interface MinuteTotal {
  /** HH:MM in UTC. */
  minute: string;
  written: number;
  failed: number;
}

/** Sums the tables of each minute, oldest first; minutes without activity are absent, not zero. */
export function totalsByMinute(rows: readonly ThroughputRow[]): MinuteTotal[] {
  const byMinute = new Map<string, MinuteTotal & { at: number }>();
  for (const r of rows) {
    const at = new Date(r.minute).getTime();
    const key = String(at);
    const t = byMinute.get(key) ?? { at, minute: new Date(at).toISOString().slice(11, 16), written: 0, failed: 0 };
    t.written += r.written;
    t.failed += r.failed;
    byMinute.set(key, t);
  }
  return [...byMinute.values()].sort((a, b) => a.at - b.at).map(({ minute, written, failed }) => ({ minute, written, failed }));
}
