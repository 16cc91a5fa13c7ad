// $orderby, from Microsoft's "Order rows using OData" and "Page results using OData" (Dataverse Web
// API docs): asc/desc suffixes, default ascending, several keys; lookups sort by the related table's
// primary name, choices by their integer value; without an order the service orders by the primary
// key; paging keeps a consistent sequence; $top is ignored together with odata.maxpagesize.
// Dataverse stores data in SQL Server: NULL sorts lowest, uniqueidentifier sorts the SQL Server way.
import { describe, expect, it } from "vitest";
import { compareSqlGuid } from "../../lib/dataverse/sql-guid-order.ts";
import { allPages, useEmulator } from "./harness.ts";

const h = useEmulator(600, 21);
type Rec = Record<string, unknown>;

/** SQL Server: NULL is the lowest value; text compares case-insensitively (Dataverse collation is CI). */
function cmp(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), "en", { sensitivity: "base" });
}

/** Every neighbour pair respects the keys (ties on earlier keys are decided by later keys). */
function expectOrdered(rows: Rec[], keys: { key: (r: Rec) => unknown; desc?: boolean }[]): void {
  for (let i = 1; i < rows.length; i++) {
    for (const k of keys) {
      const c = cmp(k.key(rows[i - 1]), k.key(rows[i]));
      if (c === 0) continue;
      if ((k.desc ? -c : c) > 0) throw new Error(`rows ${i - 1} and ${i} out of order: ${JSON.stringify(rows[i - 1])} / ${JSON.stringify(rows[i])}`);
      break;
    }
  }
}

const values = (pages: { json: { value: Rec[] } }[]) => pages.flatMap((p) => p.json.value);
const col = (name: string) => (r: Rec) => r[name];

describe("$orderby (Web API: Order rows)", () => {
  it("orders by the documented example: revenue asc, name desc, filtered on revenue ne null", async () => {
    const r = await h.get("accounts?$select=name,revenue&$orderby=revenue asc,name desc&$filter=revenue ne null");
    expect(r.status).toBe(200);
    const rows: Rec[] = r.json.value;
    expect(rows.length).toBeGreaterThan(100);
    expect(rows.every((x) => x.revenue !== null)).toBe(true);
    expectOrdered(rows, [{ key: col("revenue") }, { key: col("name"), desc: true }]);
  });

  it("defaults to ascending, and desc reverses it", async () => {
    const asc = (await h.get("accounts?$select=numberofemployees&$orderby=numberofemployees")).json.value as Rec[];
    const desc = (await h.get("accounts?$select=numberofemployees&$orderby=numberofemployees desc")).json.value as Rec[];
    expectOrdered(asc, [{ key: col("numberofemployees") }]);
    expectOrdered(desc, [{ key: col("numberofemployees"), desc: true }]);
    expect(asc.map((x) => x.numberofemployees)).toEqual(desc.map((x) => x.numberofemployees).reverse());
  });

  it("puts NULL first ascending and last descending, as SQL Server does", async () => {
    const asc = (await h.get("accounts?$select=numberofemployees&$orderby=numberofemployees asc")).json.value as Rec[];
    const desc = (await h.get("accounts?$select=numberofemployees&$orderby=numberofemployees desc")).json.value as Rec[];
    const nulls = asc.filter((x) => x.numberofemployees === null).length;
    expect(nulls).toBeGreaterThan(0);
    expect(asc.slice(0, nulls).every((x) => x.numberofemployees === null)).toBe(true);
    expect(desc.slice(-nulls).every((x) => x.numberofemployees === null)).toBe(true);
  });

  it("orders text case-insensitively and by several keys", async () => {
    const rows = (await h.get("contacts?$select=lastname,firstname,birthdate&$orderby=lastname desc,firstname,birthdate desc")).json.value as Rec[];
    expectOrdered(rows, [{ key: col("lastname"), desc: true }, { key: col("firstname") }, { key: col("birthdate"), desc: true }]);
    // Several rows share a last name, so the second key really is exercised.
    expect(new Set(rows.map((x) => x.lastname)).size).toBeLessThan(rows.length / 5);
  });

  it("orders choice columns by their integer value, not their label", async () => {
    const rows = (await h.get("accounts?$select=cr0a1_region&$orderby=cr0a1_region")).json.value as Rec[];
    expectOrdered(rows, [{ key: col("cr0a1_region") }]);
    // North=100000000 … Central=100000004: label order would put Central first.
    expect(rows[0].cr0a1_region).toBe(100000000);
  });

  it("orders lookup columns by the related row's primary name", async () => {
    const contacts = values(await allPages(h, "contacts?$select=fullname"));
    const names = new Map(contacts.map((c) => [c.contactid as string, c.fullname as string]));
    const rows = (await h.get("accounts?$select=_primarycontactid_value&$orderby=_primarycontactid_value")).json.value as Rec[];
    const nameOf = (r: Rec) => (r._primarycontactid_value ? names.get(r._primarycontactid_value as string) : null);
    expectOrdered(rows, [{ key: nameOf }]);
    // Ordering by the GUID instead would not give this order.
    const byGuid = [...rows].filter((r) => r._primarycontactid_value).sort((a, b) => compareSqlGuid(a._primarycontactid_value as string, b._primarycontactid_value as string));
    expect(byGuid.map(nameOf)).not.toEqual(rows.filter((r) => r._primarycontactid_value).map(nameOf));
  });

  it("orders uniqueidentifier columns as SQL Server does (last 12 hex digits first)", async () => {
    // Ids chosen so text order and SQL Server order disagree.
    const ids = ["ffffffff-0000-0000-0000-000000000000", "00000000-0000-0000-0000-ffffffffffff", "0a000000-0000-0000-0001-000000000000"];
    for (const id of ids) expect((await h.send("PATCH", `cr0a1_projects(${id})`, { cr0a1_name: `upserted ${id}` })).status).toBeLessThan(300);
    const rows = values(await allPages(h, "cr0a1_projects?$select=cr0a1_name&$orderby=cr0a1_projectid")).map((r) => r.cr0a1_projectid as string);
    expect(rows).toEqual([...rows].sort(compareSqlGuid));
    expect(rows.indexOf(ids[0])).toBeLessThan(rows.indexOf(ids[2]));
    expect(rows.indexOf(ids[2])).toBeLessThan(rows.indexOf(ids[1]));
    const desc = values(await allPages(h, "cr0a1_projects?$select=cr0a1_name&$orderby=cr0a1_projectid desc", { Prefer: "odata.maxpagesize=7" })).map((r) => r.cr0a1_projectid);
    expect(desc).toEqual([...rows].reverse());
  });

  it("orders by the primary key when no order is given", async () => {
    const rows = values(await allPages(h, "cr0a1_projects?$select=cr0a1_name", { Prefer: "odata.maxpagesize=9" })).map((r) => r.cr0a1_projectid as string);
    expect(rows.length).toBeGreaterThan(20);
    expect(rows).toEqual([...rows].sort(compareSqlGuid));
  });

  it("with $top returns the first rows of the ordered result and no nextLink", async () => {
    const all = (await h.get("accounts?$select=revenue&$orderby=revenue desc")).json.value as Rec[];
    const top = await h.get("accounts?$select=revenue&$orderby=revenue desc&$top=5");
    expect(top.json.value.map((x: Rec) => x.revenue)).toEqual(all.slice(0, 5).map((x) => x.revenue));
    expect(top.json["@odata.nextLink"]).toBeUndefined();
  });

  it("ignores $top when odata.maxpagesize is also sent (documented)", async () => {
    const r = await h.get("accounts?$select=name&$orderby=name&$top=3", { Prefer: "odata.maxpagesize=10" });
    expect(r.json.value).toHaveLength(10);
    expect(r.json["@odata.nextLink"]).toBeDefined();
  });

  it("keeps ordered pages ordered across nextLinks, each row exactly once", async () => {
    const total = (await h.get("accounts?$select=name&$filter=creditonhold eq false")).json.value.length;
    for (const q of ["$orderby=name desc", "$orderby=address1_latitude,accountid desc", "$orderby=statecode desc,createdon", "$orderby=accountid desc"]) {
      const pages = await allPages(h, `accounts?$select=name,address1_latitude,statecode,createdon&$filter=creditonhold eq false&${q}`, { Prefer: "odata.maxpagesize=37" });
      const rows = values(pages);
      expect(pages.length).toBeGreaterThan(3);
      expect(pages.slice(0, -1).every((p) => p.json.value.length === 37)).toBe(true);
      expect(rows).toHaveLength(total);
      expect(new Set(rows.map((r) => r.accountid)).size).toBe(total);
      const [first] = q.slice("$orderby=".length).split(",");
      const [name, dir] = first.split(" ");
      if (name === "accountid") expect(rows.map((r) => r.accountid)).toEqual(rows.map((r) => r.accountid as string).sort(compareSqlGuid).reverse());
      else expectOrdered(rows, [{ key: (r) => (name === "createdon" ? Date.parse(r[name] as string) : r[name]), desc: dir === "desc" }]);
    }
  });

  it("answers 400 for a property the table does not have", async () => {
    const r = await h.get("accounts?$select=name&$orderby=nosuchcolumn desc");
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(/nosuchcolumn/);
  });
});
