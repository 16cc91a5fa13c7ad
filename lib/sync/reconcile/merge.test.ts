import { describe, expect, it } from "vitest";
import { compareSqlGuid as compareGuids } from "../../dataverse/sql-guid-order";
import type { IdVersion } from "../../dataverse/types";
import { mergeIdStreams, OrderError, type Diff } from "./merge";

const id = (n: number) => `00000000-0000-0000-0000-${n.toString(16).padStart(12, "0")}`;

async function* pages(rows: IdVersion[], size: number, read?: { rows: number }): AsyncGenerator<IdVersion[]> {
  for (let i = 0; i < rows.length; i += size) {
    if (read) read.rows = i + size;
    yield rows.slice(i, i + size);
  }
}

describe("mergeIdStreams", () => {
  it("reports missing, extra and stale rows in id order, and equal streams as equal", async () => {
    const src: IdVersion[] = [1, 2, 3, 5, 8].map((n) => ({ id: id(n), version: String(n * 10) }));
    const tgt: IdVersion[] = [{ id: id(2), version: "20" }, { id: id(3), version: "29" }, { id: id(4), version: "1" }, { id: id(8), version: null }, { id: id(9), version: "1" }];
    const diffs: Diff[] = [];
    const c = await mergeIdStreams(pages(src, 2), pages(tgt, 3), (d) => void diffs.push(d));
    expect(c).toEqual({ source: 5, target: 5, missing: 2, extra: 2, stale: 2 });
    expect(diffs.map((d) => [d.kind, d.id])).toEqual([
      ["missing", id(1)], ["stale", id(3)], ["extra", id(4)], ["missing", id(5)], ["stale", id(8)], ["extra", id(9)],
    ]);
    const same = await mergeIdStreams(pages(src, 2), pages(src, 4), () => { throw new Error("no diff expected"); });
    expect(same).toEqual({ source: 5, target: 5, missing: 0, extra: 0, stale: 0 });
    expect(await mergeIdStreams(pages([], 1), pages([], 1), () => undefined)).toEqual({ source: 0, target: 0, missing: 0, extra: 0, stale: 0 });
  });

  it("merges in SQL Server's GUID order, not text order", async () => {
    const ids = ["ffffffff-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002", "0a000000-0000-0000-0000-000000000002"].sort(compareGuids);
    const rows = ids.map((i) => ({ id: i, version: "1" }));
    expect(await mergeIdStreams(pages(rows, 1), pages(rows, 2), () => { throw new Error("no diff expected"); })).toMatchObject({ source: 3, missing: 0 });
  });

  it("refuses a stream that is out of order or lists an id twice", async () => {
    const bad = [{ id: id(2), version: "1" }, { id: id(1), version: "1" }];
    await expect(mergeIdStreams(pages(bad, 1), pages([], 1), () => undefined)).rejects.toThrow(OrderError);
    const twice = [{ id: id(1), version: "1" }, { id: id(1), version: "1" }];
    await expect(mergeIdStreams(pages([], 1), pages(twice, 5), () => undefined)).rejects.toThrow(/target listed id/);
  });

  it("holds a bounded number of pages whatever the size, and waits for an async onDiff", async () => {
    const n = 50_000;
    const src = Array.from({ length: n }, (_, i) => ({ id: id(i), version: "1" }));
    const tgt = src.filter((_, i) => i % 10 !== 0);
    const read = { rows: 0 };
    let pendingRepairs = 0;
    let maxPending = 0;
    let maxAhead = 0;
    const c = await mergeIdStreams(pages(src, 5000, read), pages(tgt, 5000), async (d) => {
      // How far the source was read beyond the row being compared: the current page and one ahead.
      maxAhead = Math.max(maxAhead, read.rows - parseInt(d.id.slice(24), 16));
      maxPending = Math.max(maxPending, ++pendingRepairs);
      await Promise.resolve();
      pendingRepairs--;
    });
    expect(c.missing).toBe(5000);
    expect(maxPending).toBe(1);
    expect(maxAhead).toBeLessThanOrEqual(2 * 5000);
  });
});
