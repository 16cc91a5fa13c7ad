// Keyset pages over (notificationTime, id): entries of the same instant page without gaps or
// repeats both ways, and a text search taken in small steps with no time budget returns partial
// pages whose cursors, followed, give exactly the matches.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db";
import { appendFailure } from "./failure-log";
import type { Prisma } from "../generated/prisma/client";
import { decodeKey, encodeKey, failurePage, type Direction, type FailureKey, type TimeRange } from "./failure-keyset";
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

async function walk(dir: Direction, opts: { limit: number; text?: boolean; window?: number; budgetMs?: number; range?: TimeRange; on?: Db }) {
  const seen: string[] = [];
  let after: FailureKey | null = null;
  let partials = 0;
  for (let guard = 0; guard < 100; guard++) {
    const page = await failurePage(opts.on ?? db, {
      where: { profileId },
      range: opts.range,
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

const expected = async (dir: Direction, text = false, range: TimeRange = {}) =>
  (
    await db.failure.findMany({
      where: { profileId, notificationTime: { gte: range.from, lte: range.to }, ...(text ? { reason: { contains: "needle" } } : {}) },
      orderBy: [{ notificationTime: dir }, { id: dir }],
    })
  ).map((r) => r.recordId);

/** The bounds on the time column a where puts on every row (outside any OR): lower ones and upper ones. */
function timeBounds(w: Prisma.FailureWhereInput): { lower: number; upper: number } {
  const t = w.notificationTime && typeof w.notificationTime === "object" && !(w.notificationTime instanceof Date) ? w.notificationTime : {};
  const own = { lower: ["gt", "gte"].filter((k) => k in t).length, upper: ["lt", "lte"].filter((k) => k in t).length };
  const and = w.AND === undefined ? [] : Array.isArray(w.AND) ? w.AND : [w.AND];
  return and.map(timeBounds).reduce((a, b) => ({ lower: a.lower + b.lower, upper: a.upper + b.upper }), own);
}

/** `db` with the failure queries' where clauses recorded. */
function recording(): { on: Db; wheres: Prisma.FailureWhereInput[] } {
  const wheres: Prisma.FailureWhereInput[] = [];
  const failure = new Proxy(db.failure, {
    get: (target, key) => {
      const value = Reflect.get(target, key);
      if (key !== "findMany" && key !== "findFirst") return value;
      return (args: { where: Prisma.FailureWhereInput }) => {
        wheres.push(args.where);
        return value.call(target, args);
      };
    },
  });
  return { on: new Proxy(db, { get: (target, key) => (key === "failure" ? failure : Reflect.get(target, key)) }), wheres };
}

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

  it("bounds the time column once each way, the tighter of the time range and the cursor or step edge", async () => {
    // SQLite takes one `>=` and one `<=` of a column as an index range: with two lower bounds it used
    // the time range's and read every entry down to it on each search step.
    const range = { from: new Date(t0 + 1000), to: new Date(t0 + 2000) };
    for (const dir of ["desc", "asc"] as const) {
      for (const text of [false, true]) {
        const { on, wheres } = recording();
        const walked = await walk(dir, { limit: 1, text, window: 2, budgetMs: 0, range, on });
        expect(walked.seen).toEqual(await expected(dir, text, range));
        expect(walked.seen.length).toBeGreaterThan(text ? 1 : 5);
        expect(wheres.length).toBeGreaterThan(2);
        for (const w of wheres) expect(timeBounds(w), JSON.stringify(w)).toEqual({ lower: 1, upper: 1 });
      }
    }
  });
});
