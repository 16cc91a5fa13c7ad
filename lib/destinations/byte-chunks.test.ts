import { describe, expect, it } from "vitest";
import { ByteChunks, CHUNK_BYTES } from "./byte-chunks";

describe("ByteChunks", () => {
  it("gives back exactly the UTF-8 of what was written, across chunk boundaries and for lines over a chunk", () => {
    const c = new ByteChunks();
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) lines.push(i % 2 ? `${i},"日本 ✓ 🙂 ${"x".repeat(i % 97)}"\n` : `${"€".repeat(i % 1013)}🙂\n`);
    lines.splice(1500, 0, `${"€".repeat(CHUNK_BYTES)}\n`); // longer than a chunk once encoded
    for (const l of lines) c.write(l);
    const expected = Buffer.from(lines.join(""), "utf8");
    expect(c.bytes).toBe(expected.length);
    const chunks = c.take();
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.every((b) => b.length <= CHUNK_BYTES || b.toString("utf8").startsWith("€"))).toBe(true);
    expect(Buffer.concat(chunks).equals(expected)).toBe(true);
  });

  it("hands on full chunks while the rest keeps filling, and starts empty after take", () => {
    const c = new ByteChunks();
    const line = `${"a".repeat(999)}\n`;
    const got: Buffer[] = [];
    for (let i = 0; i < 200; i++) {
      c.write(line);
      if (c.hasFull) got.push(...c.takeFull());
    }
    expect(got.length).toBeGreaterThan(0);
    got.push(...c.take());
    expect(Buffer.concat(got).toString()).toBe(line.repeat(200));
    expect(c.bytes).toBe(0);
    expect(c.take()).toEqual([]);
  });
});
