import { describe, expect, it } from "vitest";
import { PayloadTooLargeError, ValidationError } from "../errors";
import { readJson } from "./route-result";

const post = (body: BodyInit, headers: Record<string, string> = {}) =>
  new Request("http://x.test/crm/exporter/profiles", { method: "POST", body, headers, duplex: "half" } as RequestInit);

describe("readJson", () => {
  it("parses a JSON body and names malformed JSON as the caller's mistake", async () => {
    expect(await readJson(post(JSON.stringify({ Name: "p" })))).toEqual({ Name: "p" });
    await expect(readJson(post("{nope"))).rejects.toBeInstanceOf(ValidationError);
  });

  it("refuses a body over the limit by its Content-Length, before reading it", async () => {
    const big = "x".repeat(2048);
    await expect(readJson(post(big, { "content-length": String(big.length) }), 1024)).rejects.toBeInstanceOf(PayloadTooLargeError);
  });

  it("refuses a streamed body once it passes the limit, without reading the rest", async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        c.enqueue(new Uint8Array(512).fill(32));
      },
    });
    const err: unknown = await readJson(post(endless), 4096).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    expect((err as PayloadTooLargeError).status).toBe(413);
    expect(pulled).toBeLessThan(20);
  });
});
