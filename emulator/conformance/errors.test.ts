// Error codes and shapes, from "Troubleshoot Dataverse Web API client errors", "Compose HTTP
// requests and handle errors" (status codes, error body), "Count rows"/"Page results" and the Web
// service error code list: every error is {"error":{"code","message"}} with the documented code and status.
import { describe, expect, it } from "vitest";
import { useEmulator } from "./harness.ts";

const h = useEmulator(200, 4);

describe("errors (Web API: client errors)", () => {
  it("answers 404 0x8006088a for an unknown (or wrongly cased) entity set", async () => {
    const r = await h.get("Account");
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ error: { code: "0x8006088a", message: "Resource not found for the segment 'Account'." } });
    const nested = await h.get("nosuchset(00000000-0000-0000-0000-000000000001)");
    expect(nested.json.error).toEqual({ code: "0x8006088a", message: "Resource not found for the segment 'nosuchset'." });
    const write = await h.send("POST", "Accounts", { name: "x" });
    expect(write.status).toBe(404);
    expect(write.json.error.code).toBe("0x8006088a");
  });

  it("answers 400 'Could not find a property named …' for an unknown (or wrongly cased) property", async () => {
    for (const q of ["accounts?$select=Name", "accounts?$select=name&$filter=Name eq 'x'", "accounts?$select=name&$orderby=Name"]) {
      const r = await h.get(q);
      expect(r.status).toBe(400);
      expect(r.json.error.message).toBe("Could not find a property named 'Name' on type 'Microsoft.Dynamics.CRM.account'.");
    }
  });

  it("answers 404 'No HTTP resource was found…' with an empty code when a function is called with the wrong method", async () => {
    const r = await h.send("POST", "WhoAmI");
    expect(r.status).toBe(404);
    expect(r.json.error).toEqual({ code: "", message: `No HTTP resource was found that matches the request URI '${h.api}WhoAmI'.` });
    expect((await h.get("WhoAmI")).status).toBe(200);
  });

  it("answers 400 'Invalid property … was found in entity' for an unknown property in a body", async () => {
    const r = await h.send("POST", "accounts", { Name: "Account name" });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe("0x0");
    expect(r.json.error.message).toMatch(/Invalid property 'Name' was found in entity 'Microsoft\.Dynamics\.CRM\.account'\./);
  });

  it("answers 400 0x80048d19 for a lookup bound by its column name instead of its navigation property", async () => {
    const account = (await h.get("accounts?$select=name&$top=1")).json.value[0].accountid;
    const r = await h.send("POST", "contacts", { firstname: "test", lastname: "contact", "parentcustomerid@odata.bind": `accounts(${account})` });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe("0x80048d19");
    expect(r.json.error.message).toMatch(/^Error identified in Payload provided by the user for Entity :'contacts'/);
    expect(r.json.error.message).toMatch(/An undeclared property 'parentcustomerid' which only has property annotations in the payload but no property value was found in the payload/);
    // The customer lookup's navigation property for accounts is parentcustomerid_account.
    const ok = await h.send("POST", "contacts", { firstname: "test", lastname: "contact", "parentcustomerid_account@odata.bind": `/accounts(${account})` });
    expect(ok.status).toBe(204);
  });

  it("answers 404 0x80040217 '<table> With Id = <id> Does Not Exist' for a missing record", async () => {
    const id = "00000000-0000-0000-0000-0000000000ab";
    for (const [method, body] of [["GET", undefined], ["DELETE", undefined]] as const) {
      const r = await h.send(method, `accounts(${id})`, body);
      expect(r.status).toBe(404);
      expect(r.json.error).toEqual({ code: "0x80040217", message: `account With Id = ${id} Does Not Exist` });
    }
  });

  it("answers 405 for a method the resource does not allow (DELETE or PATCH on a collection)", async () => {
    expect((await h.send("DELETE", "accounts")).status).toBe(405);
    expect((await h.send("PATCH", "accounts", { name: "x" })).status).toBe(405);
  });

  it("answers 412 for a duplicate record (DuplicateRecord)", async () => {
    const account = (await h.get("accounts?$select=name&$top=1")).json.value[0].accountid;
    const r = await h.send("POST", "accounts", { accountid: account, name: "dup" });
    expect(r.status).toBe(412);
    expect(r.json.error.code).toBe("0x80040237");
  });

  it("rejects $skip, which Dataverse does not support", async () => {
    const r = await h.get("accounts?$select=name&$skip=10");
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(/\$skip/);
  });

  it("answers 501 0x8006088a for string functions in a metadata $filter (not supported for metadata entities)", async () => {
    const r = await h.get("EntityDefinitions?$select=LogicalName&$filter=startswith(LogicalName,'acc')");
    expect(r.status).toBe(501);
    expect(r.json.error.code).toBe("0x8006088a");
    expect(r.json.error.message).toMatch(/isn't supported for Metadata Entities/);
  });

  it("answers 401 with an empty body and a Bearer challenge without a valid token", async () => {
    const res = await fetch(`${h.api}accounts`, { headers: { Authorization: "Bearer wrong" } });
    expect(res.status).toBe(401);
    expect(await res.text()).toBe("");
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer /);
  });

  it("always answers errors as JSON with error.code and error.message strings", async () => {
    for (const path of ["Account", "accounts?$select=Nope", "accounts(not-a-guid)", "EntityDefinitions(LogicalName='nope')"]) {
      const r = await h.get(path);
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.headers.get("content-type")).toMatch(/^application\/json/);
      expect(typeof r.json.error.code).toBe("string");
      expect(typeof r.json.error.message).toBe("string");
    }
  });
});

describe("errors (Web service error codes)", () => {
  it("answers ChangeTrackingNotEnabledForEntity (0x80072491) with the listed message", async () => {
    const r = await h.get("activitypointers?$select=subject", { Prefer: "odata.track-changes" });
    expect(r.status).toBe(400);
    expect(r.json.error).toEqual({ code: "0x80072491", message: "Entity activitypointer isn't enabled for change tracking." });
  });

  it("answers StringLengthTooLong (0x80044331) for a value over the column's MaxLength", async () => {
    const r = await h.send("POST", "accounts", { name: "x".repeat(161) });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe("0x80044331");
    expect(r.json.error.message).toMatch(/The length of the 'name' attribute of the 'account' entity exceeded the maximum allowed length of '160'/);
  });
});

describe("errors (what the emulator does not implement)", () => {
  it("answers 501, never a silently wrong result, for query options it does not implement", async () => {
    for (const q of ["accounts?$select=name&$expand=primarycontactid($select=fullname)", "accounts?$apply=groupby((statecode))", "accounts?fetchXml=%3Cfetch%3E%3Centity%20name%3D%22account%22%2F%3E%3C%2Ffetch%3E"]) {
      const r = await h.get(q);
      expect(r.status, q).toBe(501);
      expect(r.json.error.message).toMatch(/not implemented by the Dataverse emulator/);
    }
  });
});
