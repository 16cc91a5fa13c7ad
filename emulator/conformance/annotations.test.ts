// Annotations, from the Web API docs ("Select columns using OData": formatted values, lookup
// property data; "Compose HTTP requests": Request annotations; "Count rows using OData"): sent only
// when requested with Prefer: odata.include-annotations ("*", a wildcard, or a list), each before
// its property, and the request's preferences answered in Preference-Applied.
import { describe, expect, it } from "vitest";
import { startEmulator } from "../server.ts";
import { useEmulator } from "./harness.ts";

const h = useEmulator(600, 5);
type Rec = Record<string, unknown>;
const FV = "OData.Community.Display.V1.FormattedValue";
const LLN = "Microsoft.Dynamics.CRM.lookuplogicalname";
const ANP = "Microsoft.Dynamics.CRM.associatednavigationproperty";
const prefer = (v: string) => ({ Prefer: `odata.include-annotations="${v}"` });
const annotationKeys = (r: Rec) => Object.keys(r).filter((k) => k.includes("@") && !k.startsWith("@odata."));
const SELECT = "$select=name,revenue,_primarycontactid_value,_ownerid_value,industrycode,cr0a1_region,statecode,statuscode,modifiedon,creditonhold,numberofemployees";

describe("annotations (Web API: Request annotations)", () => {
  it("sends no annotation that was not requested, and no Preference-Applied for them", async () => {
    const r = await h.get(`accounts?${SELECT}&$top=20`);
    expect(r.json.value.flatMap(annotationKeys)).toEqual([]);
    expect(r.headers.get("preference-applied")).toBeNull();
    const one = await h.get(`accounts(${r.json.value[0].accountid})?${SELECT}`);
    expect(annotationKeys(one.json)).toEqual([]);
  });

  it("sends formatted values, and only them, for OData.Community.Display.V1.FormattedValue", async () => {
    const r = await h.get(`accounts?${SELECT}&$filter=_primarycontactid_value ne null and industrycode ne null&$top=5`, prefer(FV));
    expect(r.headers.get("preference-applied")).toBe(`odata.include-annotations="${FV}"`);
    const a: Rec = r.json.value[0];
    expect(a[`revenue@${FV}`]).toBe(`$${(a.revenue as number).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`);
    const contact = await h.get(`contacts(${a._primarycontactid_value})?$select=fullname`);
    expect(a[`_primarycontactid_value@${FV}`]).toBe(contact.json.fullname);
    expect(a[`industrycode@${FV}`]).toBe(["Accounting", "Agriculture", "Consulting", "Manufacturing", "Retail", "Software"][(a.industrycode as number) - 1]);
    expect(a[`cr0a1_region@${FV}`]).toBe(["North", "South", "East", "West", "Central"][(a.cr0a1_region as number) - 100000000]);
    expect(a[`statecode@${FV}`]).toBe(a.statecode === 0 ? "Active" : "Inactive");
    expect(a[`statuscode@${FV}`]).toBe(a.statuscode === 1 ? "Active" : "Inactive");
    expect(a[`creditonhold@${FV}`]).toBe(a.creditonhold ? "Yes" : "No");
    // "4/7/2023 2:59 PM": the user's date format (the emulated user is en-US, UTC).
    expect(a[`modifiedon@${FV}`]).toMatch(/^\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d{2} (AM|PM)$/);
    const d = new Date(a.modifiedon as string);
    expect((a[`modifiedon@${FV}`] as string).split(" ")[0]).toBe(`${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}`);
    // Text and the primary key have no formatted value; nothing else is sent.
    expect(a[`name@${FV}`]).toBeUndefined();
    expect(a[`accountid@${FV}`]).toBeUndefined();
    expect(annotationKeys(a).every((k) => k.endsWith(`@${FV}`))).toBe(true);
    // Each annotation comes before its property, as in the documented response.
    const keys = Object.keys(a);
    expect(keys.indexOf(`revenue@${FV}`)).toBe(keys.indexOf("revenue") - 1);
  });

  it("sends lookuplogicalname and associatednavigationproperty only when requested", async () => {
    const r = await h.get("accounts?$select=name,_ownerid_value&$top=30", prefer(`${ANP},${LLN}`));
    expect(r.headers.get("preference-applied")).toBe(`odata.include-annotations="${ANP},${LLN}"`);
    for (const a of r.json.value as Rec[]) {
      expect(a[`_ownerid_value@${ANP}`]).toBe("ownerid");
      expect(["systemuser", "team"]).toContain(a[`_ownerid_value@${LLN}`]);
      expect(a[`_ownerid_value@${FV}`]).toBeUndefined();
      const keys = Object.keys(a);
      expect(keys.slice(keys.indexOf(`_ownerid_value@${ANP}`), keys.indexOf("_ownerid_value") + 1)).toEqual([`_ownerid_value@${ANP}`, `_ownerid_value@${LLN}`, "_ownerid_value"]);
    }
    const only = await h.get("accounts?$select=_ownerid_value&$top=3", prefer(LLN));
    expect(only.json.value.flatMap(annotationKeys).every((k: string) => k.endsWith(`@${LLN}`))).toBe(true);
    expect(only.json.value[0][`_ownerid_value@${LLN}`]).toBeDefined();
  });

  it("sends every annotation for \"*\" and a namespace's for \"Microsoft.Dynamics.CRM.*\"", async () => {
    const all = await h.get("contacts?$select=fullname,_parentcustomerid_value,gendercode&$filter=_parentcustomerid_value ne null and gendercode ne null&$top=10", prefer("*"));
    expect(all.headers.get("preference-applied")).toBe('odata.include-annotations="*"');
    for (const c of all.json.value as Rec[]) {
      const type = c[`_parentcustomerid_value@${LLN}`];
      expect(["account", "contact"]).toContain(type);
      // A customer lookup has one navigation property per target table.
      expect(c[`_parentcustomerid_value@${ANP}`]).toBe(`parentcustomerid_${type}`);
      expect(typeof c[`_parentcustomerid_value@${FV}`]).toBe("string");
      expect(typeof c[`gendercode@${FV}`]).toBe("string");
    }
    const crm = await h.get("contacts?$select=_parentcustomerid_value,gendercode&$filter=_parentcustomerid_value ne null and gendercode ne null&$top=3", prefer("Microsoft.Dynamics.CRM.*"));
    const keys = crm.json.value.flatMap(annotationKeys);
    expect(keys.some((k: string) => k.endsWith(LLN))).toBe(true);
    expect(keys.some((k: string) => k.endsWith(ANP))).toBe(true);
    expect(keys.some((k: string) => k.endsWith(FV))).toBe(false);
  });

  it("honours annotations on a single record, on a created record and in change-tracking pages", async () => {
    const list = await h.get("accounts?$select=_ownerid_value&$top=1");
    const one = await h.get(`accounts(${list.json.value[0].accountid})?$select=_ownerid_value,revenue`, prefer(FV));
    expect(typeof one.json[`_ownerid_value@${FV}`]).toBe("string");
    expect(one.json[`_ownerid_value@${LLN}`]).toBeUndefined();
    const created = await h.send("POST", "accounts?$select=name,revenue", { name: "Annotated", revenue: 1234.5 }, { Prefer: `return=representation,odata.include-annotations="${FV}"` });
    expect(created.status).toBe(201);
    expect(created.json[`revenue@${FV}`]).toBe("$1,234.50");
    const tracked = await h.get("accounts?$select=name,_ownerid_value", { Prefer: `odata.track-changes,odata.maxpagesize=5,odata.include-annotations="${LLN}"` });
    expect(tracked.headers.get("preference-applied")).toBe(`odata.track-changes,odata.maxpagesize=5,odata.include-annotations="${LLN}"`);
    expect(tracked.json.value[0][`_ownerid_value@${LLN}`]).toMatch(/^(systemuser|team)$/);
    const plain = await h.get("accounts?$select=name,_ownerid_value", { Prefer: "odata.track-changes,odata.maxpagesize=5" });
    expect(plain.json.value.flatMap(annotationKeys)).toEqual([]);
  });

  it("answers odata.maxpagesize in Preference-Applied", async () => {
    const r = await h.get("contacts?$select=fullname", { Prefer: "odata.maxpagesize=2" });
    expect(r.headers.get("preference-applied")).toBe("odata.maxpagesize=2");
    expect(r.json.value).toHaveLength(2);
  });

  it("sends the totalrecordcount annotations only when requested (Count rows)", async () => {
    const plain = await h.get("accounts?$select=name&$count=true&$top=1");
    expect(plain.json["@odata.count"]).toBeGreaterThan(500);
    expect(Object.keys(plain.json).filter((k) => k.startsWith("@Microsoft"))).toEqual([]);
    const asked = { Prefer: 'odata.include-annotations="Microsoft.Dynamics.CRM.totalrecordcount,Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"' };
    const counted = await h.get("accounts?$select=name&$count=true&$top=1", asked);
    expect(counted.json["@Microsoft.Dynamics.CRM.totalrecordcount"]).toBe(counted.json["@odata.count"]);
    expect(counted.json["@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"]).toBe(false);
    const uncounted = await h.get("accounts?$select=name&$top=1", asked);
    expect(uncounted.json["@Microsoft.Dynamics.CRM.totalrecordcount"]).toBe(-1);
  });

  it("caps the count at 5,000 and says the limit was exceeded", async () => {
    const big = await startEmulator({ port: 0, records: 5200, seed: 2, token: "t" });
    try {
      const res = await fetch(`${big.url}/api/data/v9.2/accounts?$select=name&$count=true&$top=1`, { headers: { Authorization: "Bearer t", Prefer: 'odata.include-annotations="Microsoft.Dynamics.CRM.*"' } });
      const body = await res.json();
      expect(body["@odata.count"]).toBe(5000);
      expect(body["@Microsoft.Dynamics.CRM.totalrecordcount"]).toBe(5000);
      expect(body["@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"]).toBe(true);
    } finally {
      await big.close();
    }
  });
});
