import { describe, expect, it } from "vitest";
import { cronProblem, describeRefresh, nextAfterRun, nextRefreshAt } from "./schedule";

const at = (s: string) => new Date(s);

describe("refresh schedule", () => {
  it("every N hours: N hours on, keeping the rhythm after a long run and skipping missed slots", () => {
    const s = { mode: "hours" as const, everyHours: 6, cron: null };
    expect(nextRefreshAt(s, at("2026-12-01T08:00:00Z"))).toEqual(at("2026-12-01T14:00:00Z"));
    expect(nextAfterRun(s, at("2026-12-01T14:00:00Z"), at("2026-12-01T14:20:00Z"))).toEqual(at("2026-12-01T20:00:00Z"));
    expect(nextAfterRun(s, at("2026-12-01T14:00:00Z"), at("2026-12-02T03:00:00Z"))).toEqual(at("2026-12-02T08:00:00Z"));
    expect(describeRefresh(s)).toBe("every 6 hours");
  });

  it("cron in UTC: the next occurrence; after a run, the next one after its end", () => {
    const s = { mode: "cron" as const, everyHours: null, cron: "30 2 * * *" };
    expect(nextRefreshAt(s, at("2026-12-01T08:00:00Z"))).toEqual(at("2026-12-02T02:30:00Z"));
    expect(nextAfterRun(s, at("2026-12-02T02:30:00Z"), at("2026-12-02T02:31:00Z"))).toEqual(at("2026-12-03T02:30:00Z"));
    expect(nextRefreshAt({ mode: "continuous", everyHours: null, cron: null }, at("2026-12-01T08:00:00Z"))).toBeNull();
  });

  it("cron problems are explained: not parsing, never running, more than 7 days apart", () => {
    expect(cronProblem("0 */6 * * *")).toBeNull();
    expect(cronProblem("0 3 * * 1")).toBeNull();
    expect(cronProblem("every day")).toMatch(/is not a cron expression.*five fields/);
    expect(cronProblem("61 * * * *")).toMatch(/not a cron expression: Invalid value for minute/);
    expect(cronProblem("0 0 0 * * *")).toMatch(/not a cron expression/);
    expect(cronProblem("0 0 30 2 *")).toMatch(/never runs/);
    expect(cronProblem("0 0 1 * *")).toMatch(/more than 7 days between runs/);
  });
});
