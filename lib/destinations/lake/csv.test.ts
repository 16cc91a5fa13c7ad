import { describe, expect, it } from "vitest";
import { csvField, csvLine, parseCsv } from "./csv";
import { sinkTime } from "./lake-columns";

describe("Synapse Link CSV dialect", () => {
  it("quotes strings and dates, leaves numbers, GUIDs and booleans bare, nulls empty", () => {
    expect(csvLine(["3f2504e0-4f89-11d3-9a0c-0305e82c3301", 'say "hi", ok', 12.5, true, null, ""], ["plain", "quoted", "plain", "bool", "quoted", "quoted"]))
      .toBe('3f2504e0-4f89-11d3-9a0c-0305e82c3301,"say ""hi"", ok",12.5,True,,""\n');
    expect(csvField(false, "bool")).toBe("False");
  });

  it("parses back what it writes: newlines, CRLF, quotes, commas, non-ASCII, null vs empty", () => {
    const values = ["a\nb", 'q "x"', "c,d", "日本 ✓", null, "", "e\r\nf"];
    const kinds = values.map(() => "quoted" as const);
    const text = csvLine(values, kinds) + csvLine(["x", null, null, null, null, null, null], kinds);
    expect(parseCsv(text)).toEqual([values, ["x", null, null, null, null, null, null]]);
  });

  it("writes SinkCreatedOn like Synapse Link: M/D/YYYY h:mm:ss AM/PM in UTC", () => {
    expect(sinkTime(new Date("2024-05-21T08:07:17Z"))).toBe("5/21/2024 8:07:17 AM");
    expect(sinkTime(new Date("2024-12-01T00:00:05Z"))).toBe("12/1/2024 12:00:05 AM");
    expect(sinkTime(new Date("2024-12-01T12:30:00Z"))).toBe("12/1/2024 12:30:00 PM");
  });
});
