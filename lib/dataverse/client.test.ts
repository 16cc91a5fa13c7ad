// The client against the in-process emulator: metadata, initial export, delta reads.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorControl, type EmulatorControl } from "../../emulator/control.ts";
import { startEmulator, type RunningEmulator } from "../../emulator/server.ts";
import { DataverseClient } from "./client.ts";
import { ChangeTrackingNotEnabledError, DeltaTokenExpiredError, NotFoundError } from "./errors.ts";
import type { ChangePage, LookupValue, TableInfo } from "./types.ts";

let emu: RunningEmulator;
let client: DataverseClient;
let control: EmulatorControl;
const RECORDS = 1200;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, records: RECORDS, seed: 7 });
  client = new DataverseClient({ url: emu.url, token: emu.token });
  control = emulatorControl(emu.url, emu.token);
});
afterAll(() => emu.close());

async function readAll(table: TableInfo, select: string[], from?: string, pageSize = 500) {
  const pages: ChangePage[] = [];
  for await (const p of client.readChanges(table, { select, from, pageSize })) pages.push(p);
  return pages;
}
async function table(name: string): Promise<TableInfo> {
  return (await client.getTableSchema(name)).table;
}

describe("metadata", () => {
  it("WhoAmI and RetrieveVersion", async () => {
    const who = await client.whoAmI();
    expect(who.userId).toMatch(/^[0-9a-f-]{36}$/);
    expect(who.organizationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(who.businessUnitId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await client.retrieveVersion()).toMatch(/^9\.2\./);
  });

  it("lists tables with change tracking, display and entity set names", async () => {
    const all = await client.listTables();
    const names = all.map((t) => t.logicalName);
    expect(names).toEqual(expect.arrayContaining(["account", "contact", "lead", "opportunity", "systemuser", "team", "cr0a1_project", "activitypointer", "accountleads"]));
    const account = all.find((t) => t.logicalName === "account")!;
    expect(account).toMatchObject({ entitySetName: "accounts", primaryIdAttribute: "accountid", primaryNameAttribute: "name", displayName: "Account", changeTrackingEnabled: true, isIntersect: false });
    expect(all.find((t) => t.logicalName === "activitypointer")!.changeTrackingEnabled).toBe(false);
    expect(all.find((t) => t.logicalName === "accountleads")!.isIntersect).toBe(true);
    const tracked = await client.listTables({ changeTrackingOnly: true });
    expect(tracked.length).toBe(all.length - 1);
    expect(tracked.every((t) => t.changeTrackingEnabled)).toBe(true);
  });

  it("reads a table's attributes with types, lengths, precision, option sets and targets", async () => {
    const { table: t, attributes } = await client.getTableSchema("account");
    const by = (n: string) => attributes.find((a) => a.logicalName === n)!;
    expect(t.entitySetName).toBe("accounts");
    expect(by("accountid")).toMatchObject({ kind: "Uniqueidentifier", isPrimaryId: true });
    expect(by("name")).toMatchObject({ kind: "String", maxLength: 160, displayName: "Account Name" });
    expect(by("description")).toMatchObject({ kind: "Memo", maxLength: 2000 });
    expect(by("revenue")).toMatchObject({ kind: "Money", precision: 2 });
    expect(by("exchangerate")).toMatchObject({ kind: "Decimal", precision: 10 });
    expect(by("address1_latitude")).toMatchObject({ kind: "Double", precision: 5 });
    expect(by("createdon")).toMatchObject({ kind: "DateTime", dateFormat: "DateAndTime" });
    expect(by("versionnumber").kind).toBe("BigInt");
    expect(by("creditonhold").kind).toBe("Boolean");
    expect(by("numberofemployees").kind).toBe("Integer");
    expect(by("parentaccountid")).toMatchObject({ kind: "Lookup", targets: ["account"] });
    expect(by("ownerid")).toMatchObject({ kind: "Owner", targets: ["systemuser", "team"] });
    expect(by("industrycode").optionSet).toMatchObject({ isGlobal: false, name: "account_industrycode" });
    expect(by("industrycode").optionSet!.options[0]).toEqual({ value: 1, label: "Accounting" });
    expect(by("cr0a1_region").optionSet).toMatchObject({ isGlobal: true, name: "cr0a1_region" });
    expect(by("cr0a1_interests")).toMatchObject({ kind: "MultiSelectPicklist", typeName: "MultiSelectPicklistType", isValidForRead: true });
    expect(by("cr0a1_healthscore")).toMatchObject({ kind: "Virtual", isValidForRead: false });
    expect(by("statecode").optionSet!.options.map((o) => o.label)).toEqual(["Active", "Inactive"]);
    expect(by("statuscode").optionSet!.options).toEqual([{ value: 1, label: "Active", state: 0 }, { value: 2, label: "Inactive", state: 1 }]);
    // Companion "name" attributes are not Web API columns.
    expect(attributes.some((a) => a.logicalName === "primarycontactidname")).toBe(false);
    const contact = await client.getTableSchema("contact");
    expect(contact.attributes.find((a) => a.logicalName === "birthdate")).toMatchObject({ dateFormat: "DateOnly" });
    expect(contact.attributes.find((a) => a.logicalName === "parentcustomerid")).toMatchObject({ kind: "Customer", targets: ["account", "contact"] });
  });

  it("throws NotFoundError for an unknown table", async () => {
    await expect(client.getTableSchema("nosuchtable")).rejects.toThrow(NotFoundError);
    await expect(client.getTableSchema("nosuchtable")).rejects.toThrow(/does not exist in this environment/);
  });

  it("lists N:N relationships, filtered by table", async () => {
    const all = await client.listManyToMany();
    expect(all).toContainEqual({ schemaName: "accountleads_association", entity1LogicalName: "account", entity2LogicalName: "lead", intersectEntityName: "accountleads", entity1IntersectAttribute: "accountid", entity2IntersectAttribute: "leadid" });
    expect(await client.listManyToMany(["lead"])).toHaveLength(1);
    expect(await client.listManyToMany(["team"])).toHaveLength(0);
  });

  it("lists global option sets and approximate counts", async () => {
    const sets = await client.listGlobalOptionSets();
    expect(sets.find((s) => s.name === "cr0a1_region")!.options.map((o) => o.label)).toEqual(["North", "South", "East", "West", "Central"]);
    expect(await client.countRecords("accounts")).toBe((await control.status()).tables.account);
    expect(await client.countRecords(await table("lead"))).toBe(RECORDS / 2);
  });
});

describe("change tracking", () => {
  it("exports a table across pages and returns a delta link; lookups become value + table", async () => {
    const account = await table("account");
    const pages = await readAll(account, ["name", "parentaccountid", "ownerid", "revenue", "statecode"]);
    expect(pages.length).toBe(Math.ceil(RECORDS / 500));
    expect(pages.slice(0, -1).every((p) => p.nextLink && !p.deltaLink)).toBe(true);
    expect(pages.at(-1)!.deltaLink).toContain("$deltatoken=");
    const rows = pages.flatMap((p) => p.upserts);
    expect(rows).toHaveLength(RECORDS);
    expect(new Set(rows.map((r) => r.id)).size).toBe(RECORDS);
    expect(rows.every((r) => /^\d+$/.test(r.version) && r.values.accountid === r.id)).toBe(true);
    const owner = rows[0].values.ownerid as LookupValue;
    expect(["systemuser", "team"]).toContain(owner.entityType);
    expect(owner.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.keys(rows[0].values).some((k) => k.startsWith("_"))).toBe(false);
    const withParent = rows.find((r) => r.values.parentaccountid !== null)!;
    expect(withParent.values.parentaccountid).toMatchObject({ entityType: "account" });
    expect(rows.filter((r) => (r.values.name as string).length === 160).length).toBeGreaterThan(0);
  });

  it("delta returns creates, updates and deletes, including created-then-deleted rows", async () => {
    const contact = await table("contact");
    const select = ["firstname", "lastname", "parentcustomerid"];
    const initial = await readAll(contact, select, undefined, 1000);
    const delta1 = initial.at(-1)!.deltaLink!;
    const [a, b] = initial[0].upserts;
    const h = { Authorization: `Bearer ${emu.token}`, "Content-Type": "application/json" };
    const api = `${emu.url}/api/data/v9.2/`;
    const someAccount = (await (await fetch(`${api}accounts?$top=1&$select=name`, { headers: h })).json()).value[0].accountid;
    const created = await fetch(`${api}contacts`, { method: "POST", headers: h, body: JSON.stringify({ firstname: "New", lastname: "Person", "parentcustomerid_account@odata.bind": `/accounts(${someAccount})` }) });
    const createdId = /\(([^)]+)\)$/.exec(created.headers.get("OData-EntityId") ?? "")?.[1];
    expect(created.status === 204 && createdId, await created.clone().text()).toBeTruthy();
    const updated = await fetch(`${api}contacts(${a.id})`, { method: "PATCH", headers: h, body: JSON.stringify({ lastname: "Changed" }) });
    expect(updated.status).toBe(204);
    expect((await fetch(`${api}contacts(${b.id})`, { method: "DELETE", headers: h })).status).toBe(204);
    const temp = await fetch(`${api}contacts`, { method: "POST", headers: h, body: JSON.stringify({ firstname: "Short", lastname: "Lived" }) });
    const tempId = /\(([^)]+)\)$/.exec(temp.headers.get("OData-EntityId")!)![1];
    expect((await fetch(`${api}contacts(${tempId})`, { method: "DELETE", headers: h })).status).toBe(204);

    const delta = await readAll(contact, select, delta1);
    const ups = delta.flatMap((p) => p.upserts);
    const dels = delta.flatMap((p) => p.deletes).map((d) => d.id);
    expect(ups.map((u) => u.id).sort()).toEqual([a.id, createdId].sort());
    expect(ups.find((u) => u.id === a.id)!.values.lastname).toBe("Changed");
    expect(ups.find((u) => u.id === createdId)!.values.parentcustomerid).toEqual({ id: someAccount, entityType: "account" });
    expect(Number(ups.find((u) => u.id === a.id)!.version)).toBeGreaterThan(Number(a.version));
    expect(dels.sort()).toEqual([b.id, tempId].sort());
    // Nothing changed since: an empty delta with a new link.
    const again = await readAll(contact, select, delta.at(-1)!.deltaLink!);
    expect(again.flatMap((p) => [...p.upserts, ...p.deletes])).toHaveLength(0);
    expect(again.at(-1)!.deltaLink).toBeTruthy();
  });

  it("pages delta reads and delivers each changed row once in its latest state", async () => {
    const lead = await table("lead");
    const first = await readAll(lead, ["subject"], undefined, 5000);
    const link = first.at(-1)!.deltaLink!;
    const ids = first[0].upserts.slice(0, 30).map((r) => r.id);
    const h = { Authorization: `Bearer ${emu.token}`, "Content-Type": "application/json" };
    for (const round of [1, 2]) {
      for (const id of ids) {
        await fetch(`${emu.url}/api/data/v9.2/leads(${id})`, { method: "PATCH", headers: h, body: JSON.stringify({ subject: `round ${round}` }) });
      }
    }
    const delta = await readAll(lead, ["subject"], link, 7);
    expect(delta.length).toBe(5);
    const ups = delta.flatMap((p) => p.upserts);
    expect(ups.map((u) => u.id).sort()).toEqual([...ids].sort());
    expect(ups.every((u) => u.values.subject === "round 2")).toBe(true);
  });

  it("changes made during an initial export come again in the next delta", async () => {
    const opp = await table("opportunity");
    const iter = client.readChanges(opp, { select: ["name"], pageSize: 100 })[Symbol.asyncIterator]();
    const firstPage = (await iter.next()).value as ChangePage;
    const h = { Authorization: `Bearer ${emu.token}`, "Content-Type": "application/json" };
    const target = firstPage.upserts[0].id;
    await fetch(`${emu.url}/api/data/v9.2/opportunities(${target})`, { method: "PATCH", headers: h, body: JSON.stringify({ name: "changed mid-export" }) });
    let last = firstPage;
    for (let r = await iter.next(); !r.done; r = await iter.next()) last = r.value;
    const delta = await readAll(opp, ["name"], last.deltaLink!);
    expect(delta.flatMap((p) => p.upserts).map((u) => [u.id, u.values.name])).toEqual([[target, "changed mid-export"]]);
  });

  it("stops cleanly when the consumer stops early (read-ahead is cancelled)", async () => {
    const account = await table("account");
    const before = (await control.status()).requests;
    for await (const p of client.readChanges(account, { select: ["name"], pageSize: 100 })) {
      expect(p.upserts).toHaveLength(100);
      break;
    }
    // The first page plus at most the one read ahead.
    expect((await control.status()).requests - before).toBeLessThanOrEqual(2);
  });

  it("resumes an initial export from a saved nextLink", async () => {
    const t = await table("cr0a1_project");
    const all = (await readAll(t, ["cr0a1_name"], undefined, 20)).flatMap((p) => p.upserts.map((u) => u.id));
    const pages = await readAll(t, ["cr0a1_name"], undefined, 20);
    const resumed = await readAll(t, ["cr0a1_name"], pages[1].nextLink!, 20);
    expect([...pages[0].upserts, ...pages[1].upserts, ...resumed.flatMap((p) => p.upserts)].map((u) => u.id)).toEqual(all);
  });

  it("exports N:N intersect rows and reports disassociations as deletes", async () => {
    const it = await table("accountleads");
    const first = await readAll(it, ["accountid", "leadid"]);
    const rows = first.flatMap((p) => p.upserts);
    expect(rows.length).toBe(RECORDS / 4);
    const h = { Authorization: `Bearer ${emu.token}`, "Content-Type": "application/json" };
    const api = `${emu.url}/api/data/v9.2/`;
    const { accountid, leadid } = rows[0].values as { accountid: string; leadid: string };
    expect((await fetch(`${api}accounts(${accountid})/accountleads_association(${leadid})/$ref`, { method: "DELETE", headers: h })).status).toBe(204);
    const otherLead = rows[1].values.leadid as string;
    const assoc = await fetch(`${api}accounts(${accountid})/accountleads_association/$ref`, { method: "POST", headers: h, body: JSON.stringify({ "@odata.id": `${api}leads(${otherLead})` }) });
    expect(assoc.status).toBe(204);
    const delta = await readAll(it, ["accountid", "leadid"], first.at(-1)!.deltaLink!);
    expect(delta.flatMap((p) => p.deletes)).toEqual([{ id: rows[0].id }]);
    expect(delta.flatMap((p) => p.upserts).map((u) => [u.values.accountid, u.values.leadid])).toEqual([[accountid, otherLead]]);
  });

  it("throws ChangeTrackingNotEnabledError for a table without change tracking", async () => {
    const act = (await client.listTables()).find((t) => t.logicalName === "activitypointer")!;
    const err = await readAll(act, ["subject"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChangeTrackingNotEnabledError);
    expect((err as Error).message).toMatch(/activitypointer.*Track changes/s);
  });

  it("throws DeltaTokenExpiredError once tokens expire", async () => {
    const team = await table("team");
    const pages = await readAll(team, ["name"]);
    await control.expireDeltaTokens();
    const err = await readAll(team, ["name"], pages.at(-1)!.deltaLink!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeltaTokenExpiredError);
    expect((err as Error).message).toMatch(/re-run the initial export of 'team'/);
    // A fresh export works and gives a usable token.
    const fresh = await readAll(team, ["name"]);
    expect((await readAll(team, ["name"], fresh.at(-1)!.deltaLink!)).flatMap((p) => p.upserts)).toEqual([]);
  });

  it("sees an added column after a schema change, and fetches single records", async () => {
    await control.addAttribute("systemuser", { logicalName: "cr0a1_badge", kind: "String", maxLength: 10 });
    const schema = await client.getTableSchema("systemuser");
    expect(schema.attributes.find((a) => a.logicalName === "cr0a1_badge")).toMatchObject({ kind: "String", maxLength: 10 });
    const pages = await readAll(schema.table, ["fullname", "cr0a1_badge", "businessunitid"]);
    const row = pages[0].upserts[0];
    expect(row.values.cr0a1_badge).toBeNull();
    await control.setFields("systemuser", row.id, { cr0a1_badge: "much longer than ten" });
    const fetched = await client.fetchRecord(schema.table, row.id, ["fullname", "cr0a1_badge", "businessunitid"]);
    expect(fetched).toMatchObject({ id: row.id, values: { cr0a1_badge: "much longer than ten", fullname: row.values.fullname } });
    expect((fetched!.values.businessunitid as LookupValue).entityType).toBe("businessunit");
    expect(Number(fetched!.version)).toBeGreaterThan(Number(row.version));
    expect(await client.fetchRecord(schema.table, "00000000-0000-0000-0000-000000000001", ["fullname"])).toBeNull();
  });
});
