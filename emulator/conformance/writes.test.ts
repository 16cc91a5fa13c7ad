// Writes, from "Create a table row", "Update and delete table rows" and "Perform conditional
// operations using the Web API": POST (204 + OData-EntityId, or 201 with return=representation),
// PATCH update and upsert, DELETE, If-Match/If-None-Match (optimistic concurrency, limited upsert,
// conditional retrieval) — and every write shows in change tracking like any other change.
import { describe, expect, it } from "vitest";
import { useEmulator } from "./harness.ts";

const h = useEmulator(200, 12);
const ACC = /accounts\(([0-9a-f-]{36})\)$/;
const newId = () => crypto.randomUUID();

async function createAccount(name: string): Promise<string> {
  const r = await h.send("POST", "accounts", { name });
  expect(r.status).toBe(204);
  return ACC.exec(r.headers.get("odata-entityid")!)![1];
}

describe("writes (Web API: Create, Update and delete)", () => {
  it("creates with 204 and OData-EntityId, or 201 and the record with return=representation", async () => {
    const id = await createAccount("Created plainly");
    expect((await h.get(`accounts(${id})?$select=name`)).json.name).toBe("Created plainly");
    const rep = await h.send("POST", "accounts?$select=name,revenue", { name: "Represented", revenue: 10 }, { Prefer: "return=representation" });
    expect(rep.status).toBe(201);
    expect(rep.json).toMatchObject({ name: "Represented", revenue: 10 });
    expect(rep.json["@odata.etag"]).toMatch(/^W\/"\d+"$/);
    expect(rep.headers.get("odata-entityid")).toMatch(ACC);
  });

  it("updates with PATCH: 204, or 200 and the record with return=representation", async () => {
    const id = await createAccount("Before");
    const r = await h.send("PATCH", `accounts(${id})`, { name: "After" });
    expect(r.status).toBe(204);
    const rep = await h.send("PATCH", `accounts(${id})?$select=name`, { name: "After again" }, { Prefer: "return=representation" });
    expect(rep.status).toBe(200);
    expect(rep.json.name).toBe("After again");
  });

  it("deletes with 204; the row is gone", async () => {
    const id = await createAccount("To delete");
    expect((await h.send("DELETE", `accounts(${id})`)).status).toBe(204);
    expect((await h.get(`accounts(${id})`)).status).toBe(404);
  });
});

describe("writes (Web API: Perform conditional operations)", () => {
  it("upserts with PATCH: creates a missing row, updates an existing one", async () => {
    const id = newId();
    expect((await h.send("PATCH", `accounts(${id})`, { name: "Upserted" })).status).toBe(204);
    expect((await h.get(`accounts(${id})?$select=name`)).json.name).toBe("Upserted");
    expect((await h.send("PATCH", `accounts(${id})`, { name: "Upserted twice" })).status).toBe(204);
    expect((await h.get(`accounts(${id})?$select=name`)).json.name).toBe("Upserted twice");
  });

  it("prevents create in upsert with If-Match: * (404 … Does Not Exist)", async () => {
    const id = newId();
    const r = await h.send("PATCH", `accounts(${id})`, { name: "Must not exist" }, { "If-Match": "*" });
    expect(r.status).toBe(404);
    expect(r.json.error.message).toBe(`account With Id = ${id} Does Not Exist`);
    expect((await h.get(`accounts(${id})`)).status).toBe(404);
  });

  it("prevents update in upsert with If-None-Match: * (412 A record with matching key values already exists.)", async () => {
    const id = await createAccount("Existing");
    const r = await h.send("PATCH", `accounts(${id})`, { name: "Must not change" }, { "If-None-Match": "*" });
    expect(r.status).toBe(412);
    expect(r.json.error.message).toBe("A record with matching key values already exists.");
    expect((await h.get(`accounts(${id})?$select=name`)).json.name).toBe("Existing");
    const fresh = newId();
    expect((await h.send("PATCH", `accounts(${fresh})`, { name: "Fresh" }, { "If-None-Match": "*" })).status).toBe(204);
  });

  it("applies optimistic concurrency on update and delete (412 on a stale ETag)", async () => {
    const id = await createAccount("Concurrent");
    const etag = (await h.get(`accounts(${id})?$select=name`)).json["@odata.etag"];
    expect((await h.send("PATCH", `accounts(${id})`, { name: "First writer" }, { "If-Match": etag })).status).toBe(204);
    const stale = await h.send("PATCH", `accounts(${id})`, { name: "Second writer" }, { "If-Match": etag });
    expect(stale.status).toBe(412);
    expect(stale.json.error.message).toBe("The version of the existing record doesn't match the RowVersion property provided.");
    const staleDelete = await h.send("DELETE", `accounts(${id})`, undefined, { "If-Match": etag });
    expect(staleDelete.status).toBe(412);
    const current = (await h.get(`accounts(${id})?$select=name`)).json;
    expect(current.name).toBe("First writer");
    expect((await h.send("DELETE", `accounts(${id})`, undefined, { "If-Match": current["@odata.etag"] })).status).toBe(204);
  });

  it("answers 304 Not Modified for an unchanged row, but never when annotations are requested", async () => {
    const id = await createAccount("Cached");
    const first = await h.get(`accounts(${id})?$select=name`);
    const etag = first.json["@odata.etag"];
    const again = await h.get(`accounts(${id})?$select=name`, { "If-None-Match": etag });
    expect(again.status).toBe(304);
    expect(again.text).toBe("");
    const annotated = await h.get(`accounts(${id})?$select=name`, { "If-None-Match": etag, Prefer: 'odata.include-annotations="*"' });
    expect(annotated.status).toBe(200);
    await h.send("PATCH", `accounts(${id})`, { name: "Changed" });
    const changed = await h.get(`accounts(${id})?$select=name`, { "If-None-Match": etag });
    expect(changed.status).toBe(200);
    expect(changed.json.name).toBe("Changed");
    // "If-None-Match: null", recommended on every request, is no condition at all.
    expect((await h.get(`accounts(${id})?$select=name`, { "If-None-Match": "null" })).status).toBe(200);
  });
});

describe("writes in change tracking", () => {
  it("returns a client's creates, updates, upserts and deletes in the next delta, like churn", async () => {
    const track = { Prefer: "odata.track-changes,odata.maxpagesize=5000" };
    const updated = await createAccount("Will be updated");
    const deleted = await createAccount("Will be deleted");
    let page = await h.get("accounts?$select=name", track);
    while (page.json["@odata.nextLink"]) page = await h.get(page.json["@odata.nextLink"], track);
    const deltaLink: string = page.json["@odata.deltaLink"];
    const created = await createAccount("Created after the sync");
    const upserted = newId();
    await h.send("PATCH", `accounts(${upserted})`, { name: "Upserted after the sync" });
    await h.send("PATCH", `accounts(${updated})`, { name: "Updated after the sync" });
    await h.send("DELETE", `accounts(${deleted})`);
    const delta = await h.get(deltaLink, track);
    const rows = delta.json.value as Record<string, any>[];
    const byId = new Map(rows.map((r) => [r.accountid ?? r.id, r]));
    expect(byId.get(created)?.name).toBe("Created after the sync");
    expect(byId.get(upserted)?.name).toBe("Upserted after the sync");
    expect(byId.get(updated)?.name).toBe("Updated after the sync");
    expect(byId.get(deleted)).toMatchObject({ id: deleted, reason: "deleted" });
    expect(byId.get(deleted)?.["@odata.context"]).toMatch(/\$metadata#accounts\/\$deletedEntity$/);
    expect(rows).toHaveLength(4);
  });
});
