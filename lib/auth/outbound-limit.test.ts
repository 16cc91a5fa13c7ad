// Connection tests and table listings are rate-limited per user: a viewer cannot make the portal
// send unbounded requests to Dataverse or a target database. Counted in the store.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db";
import { TooManyRequestsError } from "../errors";
import { makeStore } from "../sync/test-support";
import { outboundLimits } from "./outbound-limit";

let db: Db;
beforeAll(() => {
  process.env.OUTBOUND_RATE_LIMIT = "3/60";
  ({ db } = makeStore());
});
afterAll(async () => {
  delete process.env.OUTBOUND_RATE_LIMIT;
  await db.$disconnect();
});

const viewer = (id: string) => ({ id, email: `${id}@t.test`, name: null, role: "viewer" as const });

describe("outbound work per user", () => {
  it("answers 429 with a clear message after the limit, per user, across connection tests and listings", async () => {
    const { testOrganizationConnection, listOrganizationTables } = await import("../organizations/service");
    const { testProfile } = await import("../profiles/validation");
    const missing = "00000000-0000-4000-8000-000000000000";
    const v = viewer("v1");
    // Each call counts, whatever it finds (here: nothing).
    await expect(testOrganizationConnection(db, v, missing)).rejects.toThrow(/does not exist/);
    await expect(listOrganizationTables(db, v, missing)).rejects.toThrow(/does not exist/);
    await expect(testProfile(db, v, missing)).rejects.toThrow(/does not exist/);
    const err = await listOrganizationTables(db, v, missing).catch((e) => e);
    expect(err).toBeInstanceOf(TooManyRequestsError);
    expect(err.status).toBe(429);
    expect(err.message).toMatch(/^Too many connection tests and table listings \(at most 3 in 60 s per user\)\. Try again in \d+ s\.$/);
    expect(err.retryAfterSeconds).toBeGreaterThan(0);
    await expect(testOrganizationConnection(db, v, missing)).rejects.toBeInstanceOf(TooManyRequestsError);
    // Another user has their own count.
    await expect(testOrganizationConnection(db, viewer("v2"), missing)).rejects.toThrow(/does not exist/);
    // The count is in the store (every web process sees it).
    expect(await db.rateLimiterFlexible.count({ where: { key: { startsWith: "outbound:user" } } })).toBe(2);
  });

  it("reads OUTBOUND_RATE_LIMIT", () => {
    expect(outboundLimits("")).toEqual({ requests: 30, windowSeconds: 60 });
    expect(outboundLimits("10 / 5")).toEqual({ requests: 10, windowSeconds: 5 });
    expect(() => outboundLimits("lots")).toThrow(/OUTBOUND_RATE_LIMIT/);
  });
});
