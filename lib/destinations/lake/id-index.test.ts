import { describe, expect, it } from "vitest";
import { IdIndex } from "./id-index";

const guid = (n: number) => `${n.toString(16).padStart(8, "0")}-0000-4000-8000-${(n * 7919).toString(16).padStart(12, "0")}`;

describe("IdIndex", () => {
  it("behaves like a Map of id → partition through growth and deletes", () => {
    const idx = new IdIndex(4);
    const ref = new Map<string, string>();
    for (let n = 0; n < 20_000; n++) {
      const id = guid(n);
      const p = String(2000 + (n % 7));
      idx.set(id, p);
      ref.set(id, p);
      if (n % 3 === 0) {
        const gone = guid(Math.floor(n / 2));
        idx.delete(gone);
        ref.delete(gone);
      }
    }
    idx.set("not-a-guid", "x");
    ref.set("not-a-guid", "x");
    expect(idx.size).toBe(ref.size);
    for (let n = 0; n < 21_000; n++) expect(idx.get(guid(n))).toBe(ref.get(guid(n)));
    expect(idx.get("not-a-guid")).toBe("x");
    idx.set(guid(5), "moved");
    expect(idx.get(guid(5))).toBe("moved");
  });
});
