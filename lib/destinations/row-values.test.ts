import { describe, expect, it } from "vitest";
import { plainDecimal } from "./row-values";

describe("plainDecimal (Decimal and Money as exact text for every target)", () => {
  it("keeps decimal text digit for digit and writes numbers without an exponent", () => {
    expect(["12345678901.1234567890", "-0.0025", "+5", " 7 ", "100"].map(plainDecimal)).toEqual(["12345678901.1234567890", "-0.0025", "5", "7", "100"]);
    expect([1e-7, 0.1, 123.45, -2.5e-3, 1.5e21, 0].map(plainDecimal)).toEqual(["0.0000001", "0.1", "123.45", "-0.0025", "1500000000000000000000", "0"]);
    expect(["1.2345678901234567E+20", "-1.5e-3", "0.00e3"].map(plainDecimal)).toEqual(["123456789012345670000", "-0.0015", "0"]);
  });

  it("refuses what is not a finite number", () => {
    expect(["abc", "", "1,5", NaN, Infinity, true, {}].map(plainDecimal)).toEqual([null, null, null, null, null, null, null]);
  });
});
