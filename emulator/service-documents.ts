// The service document (GET /api/data/v9.2/) and the CSDL $metadata document for the emulated
// tables ("Web API service documents"): entity sets, entity types with their key, properties
// (lookups as _x_value Edm.Guid) and navigation properties with their referential constraints.
import type { AttrDef } from "./demo-org.ts";
import { oneToManyRelationships } from "./relationships.ts";
import { readable, type Store } from "./store.ts";
import { isLookup, propertyName } from "./wire.ts";

const METADATA_SETS = ["EntityDefinitions", "RelationshipDefinitions", "GlobalOptionSetDefinitions"];

export function serviceDocument(store: Store, base: string): Record<string, unknown> {
  const sets = [...store.tables.values()].map((t) => t.def.entitySetName);
  return {
    "@odata.context": `${base}$metadata`,
    value: [...sets, ...METADATA_SETS].map((name) => ({ name, kind: "EntitySet", url: name })),
  };
}

const EDM: Record<string, string> = {
  String: "Edm.String", Memo: "Edm.String", Integer: "Edm.Int32", BigInt: "Edm.Int64", Decimal: "Edm.Decimal",
  Double: "Edm.Double", Money: "Edm.Decimal", Boolean: "Edm.Boolean", DateTime: "Edm.DateTimeOffset",
  Picklist: "Edm.Int32", State: "Edm.Int32", Status: "Edm.Int32", Uniqueidentifier: "Edm.Guid",
  MultiSelectPicklist: "Edm.String", EntityName: "Edm.String", Lookup: "Edm.Guid", Owner: "Edm.Guid", Customer: "Edm.Guid",
};

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");

function edmType(a: AttrDef): string {
  if (a.kind === "DateTime" && a.dateOnly) return "Edm.Date";
  return EDM[a.kind] ?? "Edm.String";
}

export function csdl(store: Store): string {
  const rels = oneToManyRelationships(store);
  const types: string[] = [];
  for (const t of store.tables.values()) {
    const lines = [`<EntityType Name="${esc(t.def.logicalName)}"><Key><PropertyRef Name="${esc(t.def.primaryId)}"/></Key>`];
    for (const a of t.attributes) {
      if (!readable(a)) continue;
      const extra = a.kind === "String" || a.kind === "Memo" ? ' Unicode="false"' : a.kind === "Decimal" || a.kind === "Money" ? ` Scale="Variable"` : "";
      lines.push(`<Property Name="${esc(propertyName(a))}" Type="${edmType(a)}"${extra}/>`);
    }
    for (const r of rels.filter((x) => x.referencingEntity === t.def.logicalName)) {
      const a = t.attributes.find((x) => x.name === r.referencingAttribute)!;
      lines.push(`<NavigationProperty Name="${esc(r.referencingNav)}" Type="Microsoft.Dynamics.CRM.${esc(r.referencedEntity)}" Nullable="false" Partner="${esc(r.referencedNav)}"><ReferentialConstraint Property="${esc(isLookup(a) ? propertyName(a) : a.name)}" ReferencedProperty="${esc(r.referencedAttribute)}"/></NavigationProperty>`);
    }
    for (const r of rels.filter((x) => x.referencedEntity === t.def.logicalName)) {
      lines.push(`<NavigationProperty Name="${esc(r.referencedNav)}" Type="Collection(Microsoft.Dynamics.CRM.${esc(r.referencingEntity)})" Partner="${esc(r.referencingNav)}"/>`);
    }
    lines.push("</EntityType>");
    types.push(lines.join(""));
  }
  const sets = [...store.tables.values()].map((t) => `<EntitySet Name="${esc(t.def.entitySetName)}" EntityType="Microsoft.Dynamics.CRM.${esc(t.def.logicalName)}"/>`);
  return `<?xml version="1.0" encoding="utf-8"?>\n<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="Microsoft.Dynamics.CRM" Alias="mscrm" xmlns="http://docs.oasis-open.org/odata/ns/edm">${types.join("")}<ComplexType Name="WhoAmIResponse"><Property Name="BusinessUnitId" Type="Edm.Guid" Nullable="false"/><Property Name="UserId" Type="Edm.Guid" Nullable="false"/><Property Name="OrganizationId" Type="Edm.Guid" Nullable="false"/></ComplexType><Function Name="WhoAmI"><ReturnType Type="mscrm.WhoAmIResponse" Nullable="false"/></Function><EntityContainer Name="System">${sets.join("")}<FunctionImport Name="WhoAmI" Function="mscrm.WhoAmI"/></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;
}
