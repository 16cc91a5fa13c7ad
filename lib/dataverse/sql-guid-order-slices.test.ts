// The SQL form of the order (substr slices) must give exactly the comparator's key.
import { describe, expect, it } from "vitest";
import { SQL_GUID_KEY_SLICES, sqlGuidSortKey } from "./sql-guid-order.ts";

const bySlices = (id: string) => SQL_GUID_KEY_SLICES.map(([start, len]) => id.toLowerCase().substr(start - 1, len)).join("");

describe("SQL_GUID_KEY_SLICES", () => {
  it("builds sqlGuidSortKey from the text, for every byte position", () => {
    const ids = ["55666BEE-B3A0-4BF5-81A7-86FF976E763F", "00112233-4455-6677-8899-aabbccddeeff"];
    for (let i = 0; i < 16; i++) {
      const hex = Array.from({ length: 16 }, (_, j) => (j === i ? "a5" : "0" + (j % 10))).join("");
      ids.push(`${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`);
    }
    for (const id of ids) expect(bySlices(id)).toBe(sqlGuidSortKey(id));
    expect(bySlices("00112233-4455-6677-8899-aabbccddeeff")).toBe("aabbccddeeff" + "8899" + "7766" + "5544" + "33221100");
  });
});
