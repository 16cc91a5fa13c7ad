import { describe, expect, it } from "vitest";
import { csvField, csvRow } from "./csv";

describe("csv", () => {
  it("quotes commas, quotes and line breaks (RFC 4180)", () => {
    expect(csvRow(["a", 'bad "x", y', "two\nlines", "cr\r"])).toBe('a,"bad ""x"", y","two\nlines","cr\r"');
    expect(csvField("plain text")).toBe("plain text");
  });

  it.each(["=HYPERLINK(\"http://evil\")", "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])("defuses a cell a spreadsheet would run: %j", (cell) => {
    const out = csvField(cell);
    expect(out.startsWith(`"'`)).toBe(true);
    // The text itself is kept (after the apostrophe), only neutralised.
    expect(out.slice(2, -1).replace(/""/g, '"')).toBe(cell);
  });
});
