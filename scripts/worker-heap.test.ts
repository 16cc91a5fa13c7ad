import { describe, expect, it } from "vitest";
import { DEFAULT_WORKER_MAX_HEAP_MB, workerNodeFlags } from "./worker-heap.mjs";

describe("workerNodeFlags", () => {
  it("caps the old generation by default, at WORKER_MAX_HEAP_MB when set, and not at all for 0; it starts at a quarter of the cap, with a 32 MB semi-space", () => {
    expect(workerNodeFlags({})).toEqual([`--max-old-space-size=${DEFAULT_WORKER_MAX_HEAP_MB}`, "--initial-old-space-size=64", "--max-semi-space-size=32"]);
    expect(workerNodeFlags({ WORKER_MAX_HEAP_MB: " 512 " })).toEqual(["--max-old-space-size=512", "--initial-old-space-size=128", "--max-semi-space-size=32"]);
    expect(workerNodeFlags({ WORKER_MAX_HEAP_MB: "0" })).toEqual([]);
  });

  it("refuses a value that is not a usable size, naming the setting", () => {
    for (const bad of ["abc", "-1", "1.5", "32"]) expect(() => workerNodeFlags({ WORKER_MAX_HEAP_MB: bad })).toThrow(/WORKER_MAX_HEAP_MB/);
  });
});
