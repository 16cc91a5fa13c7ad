import { describe, expect, it } from "vitest";
import { totalsByMinute } from "./throughput";

describe("totalsByMinute", () => {
  it("sums every table of a minute and orders minutes by time, across midnight", () => {
    const rows = [
      { entity: "account", minute: "2026-01-02T00:01:00.000Z", written: 5, failed: 1 },
      { entity: "contact", minute: "2026-01-01T23:59:00.000Z", written: 7, failed: 0 },
      { entity: "contact", minute: "2026-01-02T00:01:00.000Z", written: 3, failed: 2 },
      { entity: "account", minute: new Date("2026-01-01T23:59:00.000Z"), written: 1, failed: 0 },
    ];
    expect(totalsByMinute(rows)).toEqual([
      { minute: "23:59", written: 8, failed: 0 },
      { minute: "00:01", written: 8, failed: 3 },
    ]);
  });

  it("gives nothing for no activity", () => {
    expect(totalsByMinute([])).toEqual([]);
  });
});
