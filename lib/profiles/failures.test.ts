// The failure log for the portal and the API: newest first, keyset pages without gaps or repeats,
// filters, and downloads oldest first in the DES line format or CSV.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendFailure } from "../sync/failure-log";
import { failureLines, queryFailures } from "./failures";
import { setUp, viewer, type Fixture } from "./test-helpers";

let fx: Fixture;
let a = "";
let b = "";
const t0 = Date.UTC(2026, 0, 31, 18, 50, 38);

beforeAll(async () => {
  fx = await setUp(5, 1);
  a = (await fx.db.profile.create({ data: { name: "Alpha", organizationId: fx.orgId, destinationType: "sqlite" } })).id;
  b = (await fx.db.profile.create({ data: { name: "Beta, with comma", organizationId: fx.orgId, destinationType: "sqlite" } })).id;
  for (let i = 0; i < 7; i++) {
    await appendFailure(fx.db, a, { entity: i % 2 ? "contact" : "account", recordId: `00000000-0000-0000-0000-00000000000${i}`, changeType: i === 6 ? "Delete" : "Update", reason: `reason ${i}`, at: new Date(t0 + i * 60_000) });
  }
  await appendFailure(fx.db, b, { entity: "lead", changeType: "Trigger Initial Export", reason: 'Table "lead", missing', at: new Date(t0) });
});
afterAll(() => fx.close());

async function all(query: Record<string, unknown>): Promise<number[]> {
  const ids: number[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await queryFailures(fx.db, viewer, { ...query, ...(cursor ? { cursor } : {}) });
    ids.push(...page.entries.map((e) => e.id));
    if (!page.nextCursor) return ids;
    cursor = page.nextCursor;
  }
}

describe("queryFailures", () => {
  it("pages newest first without gaps or repeats", async () => {
    const first = await queryFailures(fx.db, viewer, { profileId: a, limit: 3 });
    expect(first.entries.map((e) => e.reason)).toEqual(["reason 6", "reason 5", "reason 4"]);
    expect(first.entries[0]).toMatchObject({ profileName: "Alpha", entity: "account", changeType: "Delete", notificationTime: new Date(t0 + 6 * 60_000).toISOString() });
    const ids = await all({ profileId: a, limit: 3 });
    expect(ids).toHaveLength(7);
    expect(new Set(ids).size).toBe(7);
    expect([...ids].sort((x, y) => y - x)).toEqual(ids);
    expect(await all({ limit: 2 })).toHaveLength(8);
  });

  it("filters by table, change type, time range and text", async () => {
    expect((await queryFailures(fx.db, viewer, { profileId: a, entity: "Contact" })).entries.map((e) => e.reason)).toEqual(["reason 5", "reason 3", "reason 1"]);
    expect((await queryFailures(fx.db, viewer, { changeType: "Trigger Initial Export" })).entries).toMatchObject([{ profileId: b, recordId: "N/A" }]);
    const window = await queryFailures(fx.db, viewer, { profileId: a, from: new Date(t0 + 60_000).toISOString(), to: new Date(t0 + 3 * 60_000).toISOString() });
    expect(window.entries.map((e) => e.reason)).toEqual(["reason 3", "reason 2", "reason 1"]);
    expect((await queryFailures(fx.db, viewer, { search: "00000000-0000-0000-0000-000000000004" })).entries.map((e) => e.reason)).toEqual(["reason 4"]);
    expect((await queryFailures(fx.db, viewer, { search: "{00000000-0000-0000-0000-000000000004}".toUpperCase() })).entries.map((e) => e.reason)).toEqual(["reason 4"]);
    expect((await queryFailures(fx.db, viewer, { search: "missing" })).entries.map((e) => e.profileId)).toEqual([b]);
    // Case does not matter, on SQLite (LIKE) and PostgreSQL (ILIKE) alike.
    expect((await queryFailures(fx.db, viewer, { search: "MISSING" })).entries.map((e) => e.profileId)).toEqual([b]);
    const err = await queryFailures(fx.db, viewer, { changeType: "Upsert" }).catch((e) => e);
    expect(err.fieldErrors.changeType).toMatch(/New, Update, Delete/);
    expect((await queryFailures(fx.db, viewer, { from: "yesterday" }).catch((e) => e)).fieldErrors.from).toMatch(/date/);
  });
});

describe("failureLines", () => {
  it("gives the DES lines oldest first, and CSV with the profile when spanning profiles", async () => {
    const des: string[] = [];
    for await (const l of await failureLines(fx.db, viewer, { profileId: a, entity: "account" })) des.push(l);
    expect(des).toEqual([0, 2, 4, 6].map((i) => `Entity: account, RecordId: 00000000-0000-0000-0000-00000000000${i}, NotificationTime: 1/31/2026 6:${50 + i}:38 PM, ChangeType: ${i === 6 ? "Delete" : "Update"}, FailureReason: reason ${i}`));
    const csv: string[] = [];
    for await (const l of await failureLines(fx.db, viewer, { format: "csv", search: "missing" })) csv.push(l);
    expect(csv).toEqual(["Profile,Entity,RecordId,NotificationTime,ChangeType,FailureReason", `"Beta, with comma",lead,N/A,2026-01-31T18:50:38.000Z,Trigger Initial Export,"Table ""lead"", missing"`]);
  });
});
