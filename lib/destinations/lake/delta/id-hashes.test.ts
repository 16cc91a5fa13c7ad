// Id hashes (id-hashes.ts): equal Ids always share one, so a repeated Id is never taken as
// unique; pages without hashes (staged before a restart) are unknown, never unique.
import { describe, expect, it } from "vitest";
import { concatIds, idHash, idsUnique } from "./id-hashes";

const guid = (n: number) => `5a69b88b-9878-4469-ace2-${n.toString(16).padStart(12, "0")}`;
/** A page's hashes as staging.ts keeps them: sorted. */
const page = (ns: number[]) => ({ ids: Float64Array.from(ns.map((n) => idHash(guid(n)))).sort() });

describe("Id hashes", () => {
  it("are equal for equal Ids, integers below 2^53, and distinct over 200,000 sequential and random GUIDs", () => {
    expect(idHash(guid(7))).toBe(idHash(`${guid(7)}`));
    const seen = new Set<number>();
    for (let n = 0; n < 100_000; n++) seen.add(idHash(guid(n)));
    for (let n = 0; n < 100_000; n++) seen.add(idHash(crypto.randomUUID()));
    expect(seen.size).toBe(200_000);
    for (const h of seen) expect(Number.isSafeInteger(h) && h >= 0).toBe(true);
  });

  it("tell a run holding each Id once from one repeating an Id across pages; a page without hashes is unknown", () => {
    expect(idsUnique([page([1, 2]), page([3, 4])])).toBe(true);
    expect(idsUnique([page([1, 2]), page([3, 2])])).toBe(false);
    expect(idsUnique([page([1, 2]), page([3]), page([1])])).toBe(false);
    expect(idsUnique([page([1, 2]), {}])).toBe(false);
    expect(idsUnique([page([5, 6])])).toBe(true);
    expect(idsUnique([])).toBe(true);
    // Many lists, the repeat far apart (the merge's heap, not neighbours in one list).
    const many = Array.from({ length: 40 }, (_, i) => page(Array.from({ length: 500 }, (_, j) => i * 500 + j)));
    expect(idsUnique(many)).toBe(true);
    expect(idsUnique([...many, page([19_999, 20_000])])).toBe(false);
    expect(idsUnique([...many, page([20_000, 20_001])])).toBe(true);
  });

  it("concatenate the pages' hashes sorted, or none when a page has none", () => {
    expect([...concatIds([page([1]), page([2, 3])])!]).toEqual([1, 2, 3].map((n) => idHash(guid(n))).sort((a, b) => a - b));
    expect(concatIds([page([1]), {}])).toBeUndefined();
  });
});
