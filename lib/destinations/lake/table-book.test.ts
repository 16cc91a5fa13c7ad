import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { batchHash } from "./table-book";

describe("batchHash", () => {
  it("is the SHA-1 of the parts each followed by a newline: books written by earlier versions name their batches by it", () => {
    const sha1 = (s: string) => crypto.createHash("sha1").update(s).digest("hex");
    expect(batchHash(["u1:10", "u2:11"])).toBe(sha1("u1:10\nu2:11\n"));
    expect(batchHash([])).toBe(sha1(""));
    expect(batchHash(new Set(["日本"]))).toBe(sha1("日本\n"));
  });
});
