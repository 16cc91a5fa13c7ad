// Reads by id against the in-process emulator: the ordered (id, version) listing reconciliation
// merges, and the batched fetch-by-ids of re-sync and repair.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { webApi } from "../sync/test-support.ts";
import { DataverseClient } from "./client.ts";
import { compareSqlGuid as compareGuids } from "./sql-guid-order.ts";
import { MAX_URL_CHARS, idFilters } from "./id-reads.ts";
import type { IdVersion, LookupValue, TableInfo } from "./types.ts";

let emu: RunningEmulator;
let client: DataverseClient;
let requests: string[] = [];

beforeAll(async () => {
  emu = await startEmulator({ port: 0, records: 1200, seed: 11 });
  const counting: typeof fetch = (input, init) => {
    requests.push(String(input));
    return fetch(input, init);
  };
  client = new DataverseClient({ url: emu.url, token: emu.token, fetch: counting });
});
afterAll(() => emu.close());

const table = async (name: string): Promise<TableInfo> => (await client.getTableSchema(name)).table;

describe("readIdVersions", () => {
  it("lists every live record once, in SQL Server's uniqueidentifier order, in pages", async () => {
    const contact = await table("contact");
    const api = webApi(emu.url);
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await api.create("contacts", { lastname: `Order ${i}` }, "contactid"));
    const [gone] = await api.firstIds("contacts", "contactid", 1);
    await api.remove("contacts", gone);
    const pages: IdVersion[][] = [];
    for await (const page of client.readIdVersions(contact, { pageSize: 250 })) pages.push(page);
    const all = pages.flat();
    expect(pages.slice(0, -1).every((p) => p.length === 250)).toBe(true);
    expect(all.map((r) => r.id)).toEqual([...all.map((r) => r.id)].sort(compareGuids));
    expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
    for (const id of created) expect(all.some((r) => r.id === id.toLowerCase())).toBe(true);
    expect(all.some((r) => r.id === gone.toLowerCase())).toBe(false);
    expect(all.every((r) => /^\d+$/.test(r.version ?? ""))).toBe(true);
  });
});

describe("fetchRecords", () => {
  it("fetches many records per request, skipping ids that do not exist", async () => {
    const account = await table("account");
    const ids = await webApi(emu.url).firstIds("accounts", "accountid", 450);
    const missing = "00000000-0000-0000-0000-00000000abcd";
    requests = [];
    const got = await client.fetchRecords(account, [...ids, missing, ids[0].toUpperCase()], ["name", "primarycontactid"]);
    expect(got.map((r) => r.id.toLowerCase()).sort()).toEqual(ids.map((i) => i.toLowerCase()).sort());
    expect(requests.length).toBe(3); // 451 distinct ids, 200 a request
    expect(requests.every((u) => u.length < MAX_URL_CHARS)).toBe(true);
    const one = got.find((r) => r.values.primarycontactid);
    if (one) expect((one.values.primarycontactid as LookupValue).entityType).toBe("contact");
    expect(got.every((r) => /^\d+$/.test(r.version))).toBe(true);
  });

  it("keeps URLs short when the primary id name is long, and refuses what is not a GUID", () => {
    const ids = Array.from({ length: 600 }, (_, i) => `00000000-0000-0000-0000-${String(i).padStart(12, "0")}`);
    const filters = idFilters("cr0a1_a_rather_long_custom_table_primary_idid", ids, 200, 10_000);
    expect(filters.length).toBeGreaterThan(3);
    for (const f of filters) expect(200 + encodeURIComponent(f).length).toBeLessThan(MAX_URL_CHARS);
    expect(filters.join(" or ").split(" or ").length).toBe(600);
    expect(() => idFilters("accountid", ["1 eq 1) or (x"], 0)).toThrow(/not a record id/);
  });
});
