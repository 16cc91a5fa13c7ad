// Metadata, from "Query table definitions using the Web API", "Query relationship definitions" and
// "Web API service documents": table definitions by LogicalName or MetadataId, nested $expand with
// $select on option sets, relationship definitions by SchemaName and their casts, 1:N relationships
// for every lookup, the service document and the CSDL $metadata document.
import { describe, expect, it } from "vitest";
import { useEmulator } from "./harness.ts";

const h = useEmulator(100, 6);
type Rec = Record<string, any>;

describe("metadata (Web API: Query table definitions)", () => {
  it("reads a table definition by MetadataId as by LogicalName", async () => {
    const byName = await h.get("EntityDefinitions(LogicalName='account')?$select=LogicalName,EntitySetName");
    const id = byName.json.MetadataId;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const byId = await h.get(`EntityDefinitions(${id})?$select=LogicalName,EntitySetName`);
    expect(byId.status).toBe(200);
    expect(byId.json).toMatchObject({ LogicalName: "account", EntitySetName: "accounts", MetadataId: id });
    expect((await h.get("EntityDefinitions(00000000-0000-0000-0000-000000000000)")).status).toBe(404);
  });

  it("expands option sets with a nested $select (OptionSet($select=Options),GlobalOptionSet($select=Options))", async () => {
    const r = await h.get("EntityDefinitions(LogicalName='account')/Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Options),GlobalOptionSet($select=Options)");
    expect(r.status).toBe(200);
    const region: Rec = r.json.value.find((a: Rec) => a.LogicalName === "cr0a1_region");
    expect(region.GlobalOptionSet.Options.map((o: Rec) => o.Value)).toEqual([100000000, 100000001, 100000002, 100000003, 100000004]);
    expect(region.OptionSet.Options[0].Label.UserLocalizedLabel.Label).toBe("North");
    // Only the selected property (and the key) of the expanded option set.
    expect(Object.keys(region.OptionSet).sort()).toEqual(["MetadataId", "Options"]);
    const industry: Rec = r.json.value.find((a: Rec) => a.LogicalName === "industrycode");
    expect(industry.GlobalOptionSet).toBeNull();
    expect(industry.OptionSet.Options).toHaveLength(6);
  });
});

describe("metadata (Web API: Query relationship definitions)", () => {
  it("has a 1:N relationship for every lookup, from both ends", async () => {
    const attrs = await h.get("EntityDefinitions(LogicalName='contact')/Attributes/Microsoft.Dynamics.CRM.LookupAttributeMetadata?$select=LogicalName,Targets");
    const many = await h.get("EntityDefinitions(LogicalName='contact')/ManyToOneRelationships");
    expect(many.status).toBe(200);
    for (const a of attrs.json.value as Rec[]) {
      for (const target of (a.Targets as string[]).filter((x) => x !== "businessunit")) {
        const rel = many.json.value.find((r: Rec) => r.ReferencingAttribute === a.LogicalName && r.ReferencedEntity === target);
        expect(rel, `${a.LogicalName} → ${target}`).toBeDefined();
        expect(rel).toMatchObject({ "@odata.type": "#Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata", RelationshipType: "OneToManyRelationship", ReferencingEntity: "contact" });
      }
    }
    // The customer lookup has one relationship per target table, each with its navigation property.
    const customer = many.json.value.filter((r: Rec) => r.ReferencingAttribute === "parentcustomerid").map((r: Rec) => r.ReferencingEntityNavigationPropertyName).sort();
    expect(customer).toEqual(["parentcustomerid_account", "parentcustomerid_contact"]);
    const one = await h.get("EntityDefinitions(LogicalName='account')/OneToManyRelationships?$select=SchemaName,ReferencingEntity,ReferencingAttribute");
    expect(one.json.value.some((r: Rec) => r.ReferencingEntity === "contact" && r.ReferencingAttribute === "parentcustomerid")).toBe(true);
  });

  it("reads relationships by SchemaName, by MetadataId and through the two casts", async () => {
    const oneToMany = await h.get("RelationshipDefinitions/Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata?$select=SchemaName,ReferencedEntity,ReferencingEntity");
    const manyToMany = await h.get("RelationshipDefinitions/Microsoft.Dynamics.CRM.ManyToManyRelationshipMetadata?$select=SchemaName,Entity1LogicalName,Entity2LogicalName,IntersectEntityName");
    expect(oneToMany.json.value.length).toBeGreaterThan(10);
    expect(oneToMany.json.value.every((r: Rec) => r["@odata.type"] === "#Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata")).toBe(true);
    expect(manyToMany.json.value).toEqual([expect.objectContaining({ SchemaName: "accountleads_association", IntersectEntityName: "accountleads" })]);
    const all = await h.get("RelationshipDefinitions?$select=SchemaName");
    expect(all.json.value).toHaveLength(oneToMany.json.value.length + manyToMany.json.value.length);
    const name = oneToMany.json.value[0].SchemaName;
    const bySchema = await h.get(`RelationshipDefinitions(SchemaName='${name}')`);
    expect(bySchema.status).toBe(200);
    expect(bySchema.json.SchemaName).toBe(name);
    const cast = await h.get(`RelationshipDefinitions(SchemaName='${name}')/Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata?$select=SchemaName,ReferencedEntity`);
    expect(cast.json.ReferencedEntity).toBe(oneToMany.json.value[0].ReferencedEntity);
    const byId = await h.get(`RelationshipDefinitions(${bySchema.json.MetadataId})`);
    expect(byId.json.SchemaName).toBe(name);
    const nn = await h.get("RelationshipDefinitions(SchemaName='accountleads_association')");
    expect(nn.json["@odata.type"]).toBe("#Microsoft.Dynamics.CRM.ManyToManyRelationshipMetadata");
    expect((await h.get("RelationshipDefinitions(SchemaName='nope')")).status).toBe(404);
  });
});

describe("metadata (Web API service documents)", () => {
  it("lists every entity set in the service document", async () => {
    const r = await h.get("");
    expect(r.status).toBe(200);
    expect(r.json["@odata.context"]).toBe(`${h.api}$metadata`);
    const names = r.json.value.map((v: Rec) => v.name);
    for (const set of ["accounts", "contacts", "leads", "opportunities", "systemusers", "teams", "cr0a1_projects", "activitypointers", "accountleadscollection"]) {
      expect(names).toContain(set);
    }
    expect(r.json.value.find((v: Rec) => v.name === "accounts")).toEqual({ name: "accounts", kind: "EntitySet", url: "accounts" });
  });

  it("describes the emulated tables in the CSDL $metadata document", async () => {
    const r = await h.get("$metadata", { Accept: "application/xml" });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^application\/xml/);
    expect(r.text).toMatch(/^<\?xml version="1\.0" encoding="utf-8"\?>/);
    expect(r.text).toContain('<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">');
    expect(r.text).toContain('<Schema Namespace="Microsoft.Dynamics.CRM" Alias="mscrm"');
    expect(r.text).toMatch(/<EntityType Name="account"><Key><PropertyRef Name="accountid"\/><\/Key>/);
    expect(r.text).toContain('<Property Name="_primarycontactid_value" Type="Edm.Guid"/>');
    expect(r.text).toContain('<Property Name="revenue" Type="Edm.Decimal"');
    expect(r.text).toMatch(/<NavigationProperty Name="parentcustomerid_account" Type="Microsoft\.Dynamics\.CRM\.account"/);
    expect(r.text).toContain('<EntitySet Name="accounts" EntityType="Microsoft.Dynamics.CRM.account"/>');
    // Every entity set of the service document is in the EntityContainer.
    const sets = (await h.get("")).json.value.map((v: Rec) => v.name).filter((n: string) => !n.endsWith("Definitions"));
    for (const s of sets) expect(r.text).toContain(`<EntitySet Name="${s}"`);
  });
});
