import { describe, expect, it } from "vitest";
import { parseJsonExact } from "./exact-json";

describe("parseJsonExact", () => {
  it("keeps numbers a double cannot hold as their exact text, leaves the rest to JSON.parse", () => {
    const text = `{"value":[{"@odata.etag":"W/\\"12345\\"","cr0a1_exactrate":-12345678901.1234567890,"cr0a1_largecounter":9007199254740993,` +
      `"small":123.45,"int":42,"lat":47.6062,"versionnumber":1234567,"_ownerid_value@Microsoft.Dynamics.CRM.lookuplogicalname":"team",` +
      `"exp":1.2345678901234567E+20 ,"neg":-0.000000000000000001}]}`;
    const v = parseJsonExact<{ value: Record<string, unknown>[] }>(text).value[0];
    expect(v).toEqual({
      "@odata.etag": 'W/"12345"', cr0a1_exactrate: "-12345678901.1234567890", cr0a1_largecounter: "9007199254740993",
      small: 123.45, int: 42, lat: 47.6062, versionnumber: 1234567, "_ownerid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "team",
      exp: "1.2345678901234567E+20", neg: "-0.000000000000000001",
    });
  });

  it("never touches text inside strings, even when it looks like a long number property", () => {
    const inner = `say \\"amount\\":12345678901234567890, and "x":1`;
    const text = JSON.stringify({ note: `a "b":12345678901234567890}`, other: 'ends with \\', n: 12345678901234567890 }).replace('"n":12345678901234567000', '"n":12345678901234567890');
    expect(parseJsonExact<Record<string, unknown>>(text)).toEqual({ note: `a "b":12345678901234567890}`, other: "ends with \\", n: "12345678901234567890" });
    const raw = `{"s":"${inner.replace(/"x":1/, '\\"x\\":1')}","t":"1234567890123456789012"}`;
    expect(parseJsonExact<Record<string, unknown>>(raw)).toEqual(JSON.parse(raw));
  });

  it("parses pages without long numbers exactly like JSON.parse", () => {
    const text = JSON.stringify({ value: [{ a: 1.5, b: "2024-01-01T00:00:00Z", c: null, d: [1, 2], e: "0000000000000000000" }] });
    expect(parseJsonExact(text)).toEqual(JSON.parse(text));
  });
});
