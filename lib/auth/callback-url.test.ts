import { describe, expect, it } from "vitest";
import { safeCallbackUrl } from "./callback-url";

describe("safeCallbackUrl", () => {
  it.each([
    "/\t/evil.example", "/\n/evil.example", "/\r/evil.example", "//evil.example", "/\\evil.example", "/\\/evil.example",
    "https://evil.example/", "javascript:alert(1)", "evil.example", "", "/\u0000x", "/ok\u007f",
  ])("refuses %j", (value) => {
    expect(safeCallbackUrl(value)).toBe("/");
  });

  it("keeps a path of the portal with its query, without a fragment", () => {
    expect(safeCallbackUrl("/profiles/1?tab=failures#x")).toBe("/profiles/1?tab=failures");
    expect(safeCallbackUrl("/")).toBe("/");
    // Dot segments resolve inside the portal.
    expect(safeCallbackUrl("/a/../profiles")).toBe("/profiles");
  });

  it("refuses what is not a string", () => {
    expect(safeCallbackUrl(undefined)).toBe("/");
    expect(safeCallbackUrl(["/x"])).toBe("/");
  });
});
