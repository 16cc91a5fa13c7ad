// The emulator's protocol: shapes, errors, writes, paging tokens, control endpoints, big tables.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorControl, type EmulatorControl } from "./control.ts";
import { startEmulator, type RunningEmulator } from "./server.ts";

let emu: RunningEmulator;
let control: EmulatorControl;
let api: string;
let auth: Record<string, string>;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, records: 400, seed: 3, token: "secret-1" });
  control = emulatorControl(emu.url, emu.token);
  api = `${emu.url}/api/data/v9.2/`;
  auth = { Authorization: `Bearer ${emu.token}`, "Content-Type": "application/json" };
});
afterAll(() => emu.close());

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(path.startsWith("http") ? path : api + path, { headers: { ...auth, ...headers } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text.startsWith("{") ? JSON.parse(text) : null };
}
const TRACK = { Prefer: "odata.track-changes,odata.maxpagesize=100" };

describe("protocol", () => {
  it("requires the bearer token, also on control endpoints", async () => {
    const res = await fetch(`${api}WhoAmI`);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer authorization_uri=/);
    expect((await fetch(`${emu.url}/_emulator/status`, { headers: { Authorization: "Bearer nope" } })).status).toBe(401);
  });

  it("answers unknown segments and records with the service's error body", async () => {
    const r = await get("nothings");
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ error: { code: "0x8006088a", message: "Resource not found for the segment 'nothings'." } });
    const missing = await get("accounts(00000000-0000-0000-0000-000000000001)");
    expect(missing.json.error.code).toBe("0x80040217");
    const badSelect = await get("accounts?$select=_nope_value");
    expect(badSelect.status).toBe(400);
    expect(badSelect.json.error.message).toMatch(/Could not find a property named '_nope_value'/);
    const filtered = await get("accounts?$select=name&$filter=name eq 'x'", TRACK);
    expect(filtered.status).toBe(400);
    const notTracked = await get("activitypointers?$select=subject", TRACK);
    expect(notTracked.json.error.code).toBe("0x80072491");
  });

  it("serves typed attribute casts with expanded option sets", async () => {
    const r = await get("EntityDefinitions(LogicalName='cr0a1_project')/Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet,GlobalOptionSet");
    const region = r.json.value.find((a: { LogicalName: string }) => a.LogicalName === "cr0a1_region");
    expect(region["@odata.type"]).toBe("#Microsoft.Dynamics.CRM.PicklistAttributeMetadata");
    expect(region.GlobalOptionSet.Name).toBe("cr0a1_region");
    expect(region.OptionSet.Options[0].Label.UserLocalizedLabel.Label).toBe("North");
    const strings = await get("EntityDefinitions(LogicalName='account')/Attributes/Microsoft.Dynamics.CRM.StringAttributeMetadata?$select=LogicalName,MaxLength");
    expect(strings.json.value.find((a: { LogicalName: string }) => a.LogicalName === "name").MaxLength).toBe(160);
    const multi = await get("EntityDefinitions(LogicalName='account')/Attributes(LogicalName='cr0a1_interests')");
    expect(multi.json).toMatchObject({ AttributeType: "Virtual", AttributeTypeName: { Value: "MultiSelectPicklistType" } });
    const ents = await get("EntityDefinitions?$select=LogicalName&$filter=ChangeTrackingEnabled eq false");
    expect(ents.json.value.map((e: { LogicalName: string }) => e.LogicalName)).toEqual(["activitypointer"]);
  });

  it("queries with $select, $filter, $top, $count and pages with $skiptoken", async () => {
    const top = await get("contacts?$select=fullname,_parentcustomerid_value&$top=3&$count=true", { Prefer: 'odata.include-annotations="Microsoft.Dynamics.CRM.lookuplogicalname"' });
    expect(top.json["@odata.count"]).toBe(400);
    expect(top.json.value).toHaveLength(3);
    expect(top.json["@odata.nextLink"]).toBeUndefined();
    const v = top.json.value.find((x: Record<string, unknown>) => x._parentcustomerid_value);
    expect(v["_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname"]).toMatch(/^(account|contact)$/);
    expect(v["@odata.etag"]).toMatch(/^W\/"\d+"$/);
    const f = await get("contacts?$select=fullname&$filter=fullname eq 'Contact 17' or startswith(fullname,'Contact 39')");
    expect(f.json.value.map((x: { fullname: string }) => x.fullname).sort()).toEqual(["Contact 17", "Contact 39", "Contact 390", "Contact 391", "Contact 392", "Contact 393", "Contact 394", "Contact 395", "Contact 396", "Contact 397", "Contact 398", "Contact 399"]);
    const p1 = await get("leads?$select=subject", { Prefer: "odata.maxpagesize=150" });
    const p2 = await get(p1.json["@odata.nextLink"], { Prefer: "odata.maxpagesize=150" });
    expect(p1.json.value.length + p2.json.value.length).toBe(200);
    expect(p2.json["@odata.nextLink"]).toBeUndefined();
  });

  it("creates, updates and deletes records; rejects over-long strings unless allowed", async () => {
    const post = await fetch(`${api}cr0a1_projects?$select=cr0a1_name,_cr0a1_accountid_value`, {
      method: "POST", headers: { ...auth, Prefer: 'return=representation,odata.include-annotations="Microsoft.Dynamics.CRM.lookuplogicalname"' },
      body: JSON.stringify({ cr0a1_name: "Alpha", cr0a1_budget: 12.5, "cr0a1_accountid@odata.bind": "/accounts(" + (await get("accounts?$top=1&$select=name")).json.value[0].accountid + ")" }),
    });
    expect(post.status).toBe(201);
    const created = await post.json();
    expect(created.cr0a1_name).toBe("Alpha");
    expect(created["_cr0a1_accountid_value@Microsoft.Dynamics.CRM.lookuplogicalname"]).toBe("account");
    const id = created.cr0a1_projectid;
    const long = "x".repeat(101);
    const rejected = await fetch(`${api}cr0a1_projects(${id})`, { method: "PATCH", headers: auth, body: JSON.stringify({ cr0a1_name: long }) });
    expect(rejected.status).toBe(400);
    expect((await rejected.json()).error.message).toMatch(/exceeded the maximum allowed length of '100'/);
    const allowed = await fetch(`${api}cr0a1_projects(${id})`, { method: "PATCH", headers: { ...auth, "x-emulator-allow-overflow": "1" }, body: JSON.stringify({ cr0a1_name: long }) });
    expect(allowed.status).toBe(204);
    expect((await get(`cr0a1_projects(${id})?$select=cr0a1_name`)).json.cr0a1_name).toBe(long);
    expect((await fetch(`${api}cr0a1_projects(${id})`, { method: "DELETE", headers: auth })).status).toBe(204);
    expect((await get(`cr0a1_projects(${id})`)).status).toBe(404);
    expect((await fetch(`${api}cr0a1_projects(${id})`, { method: "DELETE", headers: auth })).status).toBe(404);
    const invalid = await fetch(`${api}accounts`, { method: "POST", headers: auth, body: JSON.stringify({ nope: 1 }) });
    expect((await invalid.json()).error.message).toMatch(/Invalid property 'nope'/);
  });

  it("counts changes for a delta token and refuses duplicate associations", async () => {
    const first = await get("teams?$select=name", TRACK);
    const link: string = first.json["@odata.deltaLink"];
    const token = new URL(link).searchParams.get("$deltatoken")!;
    expect(token).toMatch(/^\d+!\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d$/);
    const teamId = first.json.value[0].teamid;
    await fetch(`${api}teams(${teamId})`, { method: "PATCH", headers: auth, body: JSON.stringify({ name: "Renamed" }) });
    const count = await get(`teams/$count?$deltatoken=${encodeURIComponent(token)}`);
    expect(count.text).toBe("1");
    const delta = await get(`${link}&$count=true`, TRACK);
    expect(delta.json["@odata.count"]).toBe(1);
    expect(delta.json["@odata.context"]).toMatch(/\/\$delta$/);
    const pair = (await get("accountleadscollection?$top=1")).json.value[0];
    const dup = await fetch(`${api}leads(${pair.leadid})/accountleads_association/$ref`, { method: "POST", headers: auth, body: JSON.stringify({ "@odata.id": `${api}accounts(${pair.accountid})` }) });
    expect(dup.status).toBe(400);
  });

  it("generates the same data from the same seed; paging tokens survive a restart", async () => {
    const a = await get("accounts?$select=name,revenue", TRACK);
    const other = await startEmulator({ port: 0, records: 400, seed: 3, token: "secret-1" });
    try {
      const link = a.json["@odata.nextLink"].replace(emu.url, other.url);
      const b = await get(`${other.url}/api/data/v9.2/accounts?$select=name,revenue`, TRACK);
      expect(b.json.value).toEqual(a.json.value.map((r: Record<string, unknown>) => ({ ...r })));
      const resumed = await get(link, TRACK);
      expect(resumed.status).toBe(200);
      expect(resumed.json.value[0].accountid).toMatch(/-000000000064$/);
    } finally {
      await other.close();
    }
    const diff = await startEmulator({ port: 0, records: 400, seed: 4 });
    try {
      const c = await fetch(`${diff.url}/api/data/v9.2/accounts?$select=name&$top=5`, { headers: { Authorization: `Bearer ${diff.token}` } });
      expect((await c.json()).value.map((r: { name: string }) => r.name)).not.toEqual(a.json.value.slice(0, 5).map((r: { name: string }) => r.name));
    } finally {
      await diff.close();
    }
  });
});

describe("control endpoints", () => {
  it("churn makes creates, updates and deletes at the requested rate", async () => {
    const before = await control.status();
    await control.startChurn({ ratePerSecond: 400, tables: ["lead"] });
    await expect.poll(async () => (await control.status()).churn?.operations ?? 0, { timeout: 5000, interval: 50 }).toBeGreaterThanOrEqual(40);
    const stopped = await control.stopChurn();
    expect(stopped!.operations).toBeGreaterThanOrEqual(40);
    const after = await control.status();
    expect(after.version - before.version).toBeGreaterThanOrEqual(stopped!.operations - 5);
    expect(after.churn).toBeNull();
  });

  it("rejects bad control input with a message", async () => {
    await expect(control.addAttribute("account", { logicalName: "Bad Name", kind: "String" })).rejects.toThrow(/lower-case/);
    await expect(control.injectFaults({ status: 404 as 500, count: 1 })).rejects.toThrow(/429, 5xx/);
    await expect(control.startChurn({ ratePerSecond: 5, tables: ["nope"] })).rejects.toThrow(/unknown table/);
  });
});

describe("a million records", () => {
  it("starts fast and serves any page with bounded memory", async () => {
    const t0 = Date.now();
    const big = await startEmulator({ port: 0, records: 1_000_000 });
    try {
      expect(Date.now() - t0).toBeLessThan(1000);
      const h = { Authorization: `Bearer ${big.token}`, Prefer: "odata.track-changes,odata.maxpagesize=5000" };
      const first = await (await fetch(`${big.url}/api/data/v9.2/accounts?$select=name`, { headers: h })).json();
      expect(first.value).toHaveLength(5000);
      // Jump to the end with a crafted token: pages are computed, not stored.
      const near = first["@odata.nextLink"].replace(/\$skiptoken=[^&]+/, `$skiptoken=${Buffer.from(`i|${(await emulatorControl(big.url, big.token).status()).version}|998000|x`).toString("base64url")}`);
      let url: string | undefined = near;
      let n = 0;
      const heap0 = process.memoryUsage().heapUsed;
      while (url) {
        const page: { value: unknown[]; "@odata.nextLink"?: string } = await (await fetch(url, { headers: h })).json();
        n += page.value.length;
        url = page["@odata.nextLink"];
      }
      expect(n).toBe(2000);
      expect(process.memoryUsage().heapUsed - heap0).toBeLessThan(200 * 1024 * 1024);
      expect((await emulatorControl(big.url, big.token).status()).tables.account).toBe(1_000_000);
    } finally {
      await big.close();
    }
  });
});

describe("serializer", () => {
  it("the compiled serializer writes exactly what the reference one does", async () => {
    const { Store } = await import("./store.ts");
    const { compileSelect, recordJson, recordJsonSlow } = await import("./wire.ts");
    const s = new Store(9, 50);
    for (const t of s.tables.values()) {
      const sel = compileSelect(t, null, { formatted: false, logical: true, nav: false, totalCount: false, limitExceeded: false });
      for (let i = 0; i < Math.min(t.baseCount, 20); i++) {
        const row = s.rowAt(t, i)!;
        expect(recordJson(row, sel)).toBe(recordJsonSlow(row, sel));
        expect(JSON.parse(recordJson(row, sel))["@odata.etag"]).toBe(`W/"${row.version}"`);
      }
    }
    const t = s.table("account")!;
    const row = s.update(t, s.rowAt(t, 0)!.id, { name: 'quote " backslash \\ newline \n', parentaccountid: null })!;
    expect(JSON.parse(recordJson(row, compileSelect(t, "name,_parentaccountid_value"))).name).toBe('quote " backslash \\ newline \n');
  });
});

describe("store", () => {
  it("re-creating a deleted id does not duplicate it in exports or counts", async () => {
    const { Store } = await import("./store.ts");
    const s = new Store(5, 40);
    const t = s.table("team")!;
    const baseRow = s.rowAt(t, 2)!;
    s.delete(t, baseRow.id);
    s.create(t, { name: "back" }, baseRow.id);
    const extra = s.create(t, { name: "extra" });
    s.delete(t, extra.id);
    s.create(t, { name: "extra again" }, extra.id);
    const ids: string[] = [];
    for (let p = 0; p < s.positions(t); p++) {
      const r = s.rowAt(t, p);
      if (r) ids.push(r.id);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(t.baseCount + 1);
    expect(s.count(t)).toBe(t.baseCount + 1);
    expect(s.get(t, baseRow.id)!.values.name).toBe("back");
  });
});
