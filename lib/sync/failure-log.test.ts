import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db";
import { appendFailure, exportFailures, formatCsv, formatDes, formatNotificationTime, listFailures } from "./failure-log";
import { makeStore } from "./test-support";

describe("DES line format", () => {
  it("formats NotificationTime as M/D/YYYY h:mm:ss AM/PM in UTC", () => {
    expect(formatNotificationTime(new Date("2016-08-31T18:50:38Z"))).toBe("8/31/2016 6:50:38 PM");
    expect(formatNotificationTime(new Date("2024-01-05T00:07:09Z"))).toBe("1/5/2024 12:07:09 AM");
    expect(formatNotificationTime(new Date("2024-12-25T12:00:00Z"))).toBe("12/25/2024 12:00:00 PM");
  });

  it("writes the old product's line exactly", () => {
    expect(
      formatDes({
        entity: "account", recordId: "b2a19cdd-88df-e311-b8e5-6c3be5a8b200", notificationTime: new Date("2016-08-31T18:50:38Z"),
        changeType: "New", reason: "Invalid object name 'dbo.hatest201_account'.",
      }),
    ).toBe("Entity: account, RecordId: b2a19cdd-88df-e311-b8e5-6c3be5a8b200, NotificationTime: 8/31/2016 6:50:38 PM, ChangeType: New, FailureReason: Invalid object name 'dbo.hatest201_account'.");
  });

  it("quotes CSV fields that need it", () => {
    expect(formatCsv({ entity: "a", recordId: "N/A", notificationTime: new Date("2020-01-01T00:00:00Z"), changeType: "Trigger Initial Export", reason: 'bad "x", y' }))
      .toBe('a,N/A,2020-01-01T00:00:00.000Z,Trigger Initial Export,"bad ""x"", y"');
  });
});

describe("failure log store", () => {
  let db: Db;
  let profileId: string;
  beforeAll(async () => {
    ({ db } = makeStore());
    const org = await db.organization.create({ data: { name: "o", url: "http://o.example" } });
    profileId = (await db.profile.create({ data: { name: "p", organizationId: org.id, destinationType: "sqlite" } })).id;
    for (let i = 0; i < 7; i++) {
      await appendFailure(db, profileId, { entity: i % 2 ? "contact" : "account", recordId: i === 0 ? null : `id-${i}`, changeType: i === 0 ? "Trigger Initial Export" : "Update", reason: `reason\n${i}` });
    }
  });
  afterAll(() => db.$disconnect());

  it("pages with a keyset, oldest first, optionally by table", async () => {
    const p1 = await listFailures(db, profileId, { limit: 3 });
    expect(p1.entries.map((e) => e.recordId)).toEqual(["N/A", "id-1", "id-2"]);
    const p2 = await listFailures(db, profileId, { limit: 3, after: p1.nextAfter! });
    expect(p2.entries.map((e) => e.recordId)).toEqual(["id-3", "id-4", "id-5"]);
    const p3 = await listFailures(db, profileId, { limit: 3, after: p2.nextAfter! });
    expect(p3.entries.map((e) => e.recordId)).toEqual(["id-6"]);
    expect(p3.nextAfter).toBeNull();
    const contacts = await listFailures(db, profileId, { entity: "contact" });
    expect(contacts.entries.map((e) => e.recordId)).toEqual(["id-1", "id-3", "id-5"]);
  });

  it("exports every entry on one line each, reasons flattened", async () => {
    const lines: string[] = [];
    for await (const l of exportFailures(db, profileId, "des")) lines.push(l);
    expect(lines).toHaveLength(7);
    expect(lines[0]).toMatch(/^Entity: account, RecordId: N\/A, NotificationTime: .* (AM|PM), ChangeType: Trigger Initial Export, FailureReason: reason 0$/);
    const json: string[] = [];
    for await (const l of exportFailures(db, profileId, "json")) json.push(l);
    expect(JSON.parse(json[1])).toMatchObject({ entity: "contact", recordId: "id-1", changeType: "Update" });
  });
});
