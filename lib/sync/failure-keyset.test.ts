// Keyset pages over (notificationTime, id): entries of the same instant page without gaps or
// repeats both ways, and a text search taken in small steps with no time budget returns partial
// pages whose cursors, followed, give exactly the matches.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db";
import { appendFailure } from "./failure-log";
import { decodeKey, encodeKey, failurePage, type Direction, type FailureKey } from "./failure-keyset";
import { makeStore } from "./test-support";

let db: Db;
let profileId: string;
const t0 = Date.UTC(2026, 2, 1);

beforeAll(async () => {
  ({ db } = makeStore());
  const org = await db.organization.create({ data: { name: "o", url: "http://o.example" } });
  profileId = (await db.profile.create({ data: { name: "p", organizationId: org.id, destinationType: "sqlite" } })).id;
  // 12 entries over 4 instants (3 share each), appended out of time order: id order is not time order.
  for (const [k, sec] of [3, 1, 2, 0, 3, 1, 2, 0, 3, 1, 2, 0].entries()) {
    await appendFailure(db, profileId, { entity: "account", recordId: `r${k}`, changeType: "Update", reason: k % 4 === 1 ? `needle ${k}` : `hay ${k}`, at: new Date(t0 + sec * 1000) });
  }
});
afterAll(() => db.$disconnect());

async function walk(dir: Direction, opts: { limit: number; text?: boolean; window?: number; budgetMs?: number }) {
  const seen: string[] = [];
  let after: FailureKey | null = null;
  let partials = 0;
  for (let guard = 0; guard < 100; guard++) {
    const page = await failurePage(db, {
      where: { profileId },
      ...(opts.text ? { text: { reason: { contains: "needle" } } } : {}),
      dir,
      after,
      limit: opts.limit,
      window: opts.window,
      budgetMs: opts.budgetMs,
    });
    seen.push(...page.rows.map((r) => r.recordId));
    if (page.partial) partials++;
    if (!page.next) return { seen, partials };
    after = decodeKey(encodeKey(page.next));
  }
  throw new Error("no end");
}

const expected = async (dir: Direction, text = false) =>
  (await db.failure.findMany({ where: { profileId, ...(text ? { reason: { contains: "needle" } } : {}) }, orderBy: [{ notificationTime: dir }, { id: dir }] })).map((r) => r.recordId);

describe("failurePage", () => {
  it("pages through entries of the same instant without gaps or repeats, newest or oldest first", async () => {
    for (const dir of ["desc", "asc"] as const) {
      const all = await expected(dir);
      expect(all).toHaveLength(12);
      for (const limit of [1, 2, 5]) expect((await walk(dir, { limit })).seen).toEqual(all);
    }
    expect((await expected("desc")).slice(0, 3)).toEqual(["r8", "r4", "r0"]);
  });

  it("searches text in bounded steps: partial pages, followed, give every match once", async () => {
    for (const dir of ["desc", "asc"] as const) {
      const matches = await expected(dir, true);
      expect(matches).toEqual(dir === "desc" ? ["r9", "r5", "r1"] : ["r1", "r5", "r9"]);
      const stepped = await walk(dir, { limit: 2, text: true, window: 2, budgetMs: 0 });
      expect(stepped.seen).toEqual(matches);
      expect(stepped.partials).toBeGreaterThan(0);
      // With time to spare the steps go on until the page is full or the log ends.
      const unhurried = await walk(dir, { limit: 2, text: true, window: 2, budgetMs: 60_000 });
      expect(unhurried).toEqual({ seen: matches, partials: 0 });
    }
  });
});
