import { describe, expect, it } from "vitest";
import { isDue, lastDailySlot, nextRun } from "./schedule";

const at = (s: string) => new Date(s);

describe("reconciliation schedule", () => {
  const daily = { enabled: true, timeUtc: "02:00", everyHours: null };

  it("finds the newest daily slot at or before now", () => {
    expect(lastDailySlot("02:00", at("2026-12-01T04:00:00Z"))).toEqual(at("2026-12-01T02:00:00Z"));
    expect(lastDailySlot("02:00", at("2026-12-01T01:59:59Z"))).toEqual(at("2026-11-30T02:00:00Z"));
    expect(lastDailySlot("25:00", at("2026-12-01T01:59:59Z"))).toBeNull();
  });

  it("is due once per slot after the last run, never when disabled", () => {
    expect(isDue(daily, at("2026-11-30T03:00:00Z"), at("2026-12-01T02:00:00Z"))).toBe(true);
    expect(isDue(daily, at("2026-12-01T02:00:01Z"), at("2026-12-01T23:00:00Z"))).toBe(false);
    expect(isDue(daily, at("2026-12-01T01:00:00Z"), at("2026-12-01T01:59:00Z"))).toBe(false);
    expect(isDue({ ...daily, enabled: false }, at("2020-01-01T00:00:00Z"), at("2026-12-01T02:00:00Z"))).toBe(false);
  });

  it("runs every N hours when an interval is set", () => {
    const every6 = { enabled: true, timeUtc: "02:00", everyHours: 6 };
    expect(isDue(every6, at("2026-12-01T00:00:00Z"), at("2026-12-01T05:59:00Z"))).toBe(false);
    expect(isDue(every6, at("2026-12-01T00:00:00Z"), at("2026-12-01T06:00:00Z"))).toBe(true);
    expect(nextRun(every6, at("2026-12-01T00:00:00Z"), at("2026-12-01T01:00:00Z"))).toEqual(at("2026-12-01T06:00:00Z"));
    expect(nextRun(daily, at("2026-12-01T02:30:00Z"), at("2026-12-01T03:00:00Z"))).toEqual(at("2026-12-02T02:00:00Z"));
  });
});
