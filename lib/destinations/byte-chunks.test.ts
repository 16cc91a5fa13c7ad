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

  it("writes values and separator bytes one by one (no line string) to the same UTF-8, short non-ASCII included", () => {
    const c = new ByteChunks();
    const values = ["a", "", "é", "日本", "🙂", "plain ascii", "x".repeat(13), "naïve façade", "\\N"];
    let text = "";
    for (let row = 0; row < 20_000; row++) {
      for (let i = 0; i < values.length; i++) {
        if (i > 0) {
          c.byte(9);
          text += "\t";
        }
        c.write(values[(row + i) % values.length]);
        text += values[(row + i) % values.length];
      }
      c.byte(10);
      text += "\n";
    }
    const expected = Buffer.from(text, "utf8");
    expect(c.bytes).toBe(expected.length);
    const chunks = c.take();
    expect(chunks.length).toBeGreaterThan(3);
    expect(Buffer.concat(chunks).equals(expected)).toBe(true);
  });
});
