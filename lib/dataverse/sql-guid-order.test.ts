// SQL Server's uniqueidentifier order, checked against the byte-significance order SQL Server
// documents through SqlGuid (bytes 10-15, 8-9, 6-7, 4-5, 0-3 of the stored, partly little-endian GUID).
import { describe, expect, it } from "vitest";
import { compareSqlGuid, sqlGuidSortKey } from "./sql-guid-order.ts";

/** The GUID whose only non-zero byte is display byte `pos` (0..15 in text order), set to `v`. */
function oneByte(pos: number, v: string): string {
  const hex = Array.from({ length: 16 }, (_, i) => (i === pos ? v : "00")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

describe("compareSqlGuid", () => {
  it("orders single-byte GUIDs from least to most significant byte as SQL Server does", () => {
    // Least significant first: 1st group read right to left is least significant... so its FIRST
    // text byte is the least significant; then the 2nd and 3rd groups likewise; then the 4th group
    // and the 5th group, whose LAST text byte is the least significant.
    const leastToMost = [0, 1, 2, 3, 4, 5, 6, 7, 9, 8, 15, 14, 13, 12, 11, 10];
    const expected = leastToMost.flatMap((p) => [oneByte(p, "01"), oneByte(p, "10")]);
    const shuffled = [...expected].reverse();
    shuffled.push(shuffled.shift()!);
    expect(shuffled.sort(compareSqlGuid)).toEqual(expected);
  });

  it("lets the last 12 hex digits decide before everything else", () => {
    const a = "ffffffff-ffff-ffff-ffff-000000000001";
    const b = "00000000-0000-0000-0000-000000000002";
    expect(compareSqlGuid(a, b)).toBeLessThan(0);
    expect(compareSqlGuid(b, a)).toBeGreaterThan(0);
    // Plain text order says the opposite: that is exactly the trap.
    expect(a > b).toBe(true);
  });

  it("then the 4th group, then the 3rd, 2nd and 1st", () => {
    const ids = [
      "00000000-0000-0000-0002-000000000000",
      "00000000-0000-0001-0001-000000000000",
      "00000000-0001-0000-0001-000000000000",
      "00000001-0000-0000-0001-000000000000",
    ];
    // Same 5th group; 4th group 0001 < 0002; among those, 1st < 2nd < 3rd group in significance.
    expect([...ids].sort(compareSqlGuid)).toEqual([ids[3], ids[2], ids[1], ids[0]]);
  });

  it("ignores case and braces and is 0 for the same GUID", () => {
    expect(compareSqlGuid("{A1B2C3D4-0000-0000-0000-0000000000AA}", "a1b2c3d4-0000-0000-0000-0000000000aa")).toBe(0);
    expect(sqlGuidSortKey("00112233-4455-6677-8899-aabbccddeeff")).toBe("aabbccddeeff" + "8899" + "7766" + "5544" + "33221100");
  });

  it("rejects what is not a GUID", () => {
    expect(() => compareSqlGuid("nope", "00000000-0000-0000-0000-000000000000")).toThrow(/not a GUID/);
  });
});
