// Metadata endpoints in the service's JSON shapes (EntityDefinitions, Attributes and their typed
// casts, relationships, global option sets) plus WhoAmI, RetrieveVersion, RetrieveTotalRecordCount.
import { BUSINESS_UNIT_ID, GLOBAL_OPTION_SETS, MANY_TO_MANY, ORGANIZATION, type AttrDef, type ManyToManyDef, type OptionSetDef, type TableDef } from "./demo-org.ts";
import { ODataError, compileFilter, notFoundSegment } from "./odata.ts";
import { oneToManyRelationships, type OneToManyDef } from "./relationships.ts";
import { serviceDocument } from "./service-documents.ts";
import type { Store, TableState } from "./store.ts";
import { hash32 } from "./values.ts";

type Json = Record<string, unknown>;
const NS = "Microsoft.Dynamics.CRM.";

export function label(text: string): Json {
  const l = { Label: text, LanguageCode: 1033, IsManaged: true, MetadataId: metaId(`label:${text}`), HasChanged: null };
  return { LocalizedLabels: [l], UserLocalizedLabel: l };
}

export function metaId(key: string): string {
  const a = hash32(key).toString(16).padStart(8, "0");
  const b = hash32(key, 7).toString(16).padStart(8, "0");
  const c = hash32(key, 13).toString(16).padStart(8, "0");
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-8${c.slice(0, 3)}-${(c.slice(3) + a).slice(0, 12)}`;
}

function entityJson(def: TableDef): Json {
  return {
    MetadataId: metaId(`entity:${def.logicalName}`), LogicalName: def.logicalName, SchemaName: def.schemaName,
    EntitySetName: def.entitySetName, LogicalCollectionName: def.entitySetName, PrimaryIdAttribute: def.primaryId,
    PrimaryNameAttribute: def.primaryName ?? null, ObjectTypeCode: def.objectTypeCode,
    ChangeTrackingEnabled: def.changeTracking, IsIntersect: def.isIntersect, IsCustomEntity: def.logicalName.startsWith("cr0a1_"),
    IsValidForAdvancedFind: !def.isIntersect, IsActivity: def.logicalName === "activitypointer",
    DisplayName: label(def.displayName), DisplayCollectionName: label(`${def.displayName}s`), Description: label(""),
  };
}

const CAST: Record<string, string> = {
  String: "StringAttributeMetadata", Memo: "MemoAttributeMetadata", Integer: "IntegerAttributeMetadata",
  BigInt: "BigIntAttributeMetadata", Decimal: "DecimalAttributeMetadata", Double: "DoubleAttributeMetadata",
  Money: "MoneyAttributeMetadata", Boolean: "BooleanAttributeMetadata", DateTime: "DateTimeAttributeMetadata",
  Picklist: "PicklistAttributeMetadata", State: "StateAttributeMetadata", Status: "StatusAttributeMetadata",
  Lookup: "LookupAttributeMetadata", Owner: "LookupAttributeMetadata", Customer: "LookupAttributeMetadata",
  Uniqueidentifier: "UniqueIdentifierAttributeMetadata", MultiSelectPicklist: "MultiSelectPicklistAttributeMetadata",
  EntityName: "EntityNameAttributeMetadata", Virtual: "AttributeMetadata",
};

function optionSetJson(os: OptionSetDef): Json {
  return {
    MetadataId: metaId(`optionset:${os.name}`), Name: os.name, IsGlobal: os.isGlobal, OptionSetType: os.type,
    DisplayName: label(os.name), IsCustomOptionSet: os.name.startsWith("cr0a1_"),
    Options: os.options.map((o) => ({
      ...(os.type === "State" ? { "@odata.type": `#${NS}StateOptionMetadata`, DefaultStatus: o.defaultStatus, InvariantName: o.label } : {}),
      ...(os.type === "Status" ? { "@odata.type": `#${NS}StatusOptionMetadata`, State: o.state } : {}),
      Value: o.value, Label: label(o.label), Description: label(""), Color: null, IsManaged: true,
    })),
  };
}

/** `$expand=OptionSet($select=Options),GlobalOptionSet` → names with their nested $select, if any. */
export type Expand = Map<string, string | null>;

function parseExpand(text: string | null): Expand {
  const out: Expand = new Map();
  if (!text) return out;
  let depth = 0, cur = "";
  const flush = () => {
    const m = /^\s*(\w+)\s*(?:\((.*)\))?\s*$/.exec(cur);
    if (m) out.set(m[1], m[2] ? /\$select=([^;]*)/.exec(m[2])?.[1] ?? null : null);
    cur = "";
  };
  for (const ch of text) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) flush();
    else cur += ch;
  }
  flush();
  return out;
}

/** An expanded object narrowed by its nested $select (MetadataId and @odata.type always stay, as keys do). */
function expanded(obj: Json | null, select: string | null | undefined): Json | null {
  if (!obj || !select) return obj;
  const keep = new Set(select.split(",").map((x) => x.trim()));
  return Object.fromEntries(Object.entries(obj).filter(([k]) => k === "MetadataId" || k === "@odata.type" || keep.has(k)));
}

function attributeJson(t: TableState, a: AttrDef, expand: Expand): Json {
  const cast = CAST[a.kind] ?? "AttributeMetadata";
  const j: Json = {
    "@odata.type": `#${NS}${cast}`, MetadataId: metaId(`attr:${t.def.logicalName}.${a.name}`), LogicalName: a.name,
    SchemaName: a.name, EntityLogicalName: t.def.logicalName, ColumnNumber: t.attributes.indexOf(a) + 1,
    AttributeType: a.kind === "MultiSelectPicklist" ? "Virtual" : a.kind,
    AttributeTypeName: { Value: a.typeName ?? `${a.kind}Type` }, DisplayName: label(a.display),
    IsPrimaryId: a.name === t.def.primaryId, IsPrimaryName: a.name === t.def.primaryName,
    IsValidForRead: a.kind !== "Virtual", IsValidForCreate: !a.attributeOf && a.kind !== "Virtual",
    IsValidForUpdate: !a.attributeOf && a.kind !== "Virtual" && a.name !== t.def.primaryId,
    AttributeOf: a.attributeOf ?? null, IsCustomAttribute: a.name.startsWith("cr0a1_"), IsLogical: false,
  };
  if (a.kind === "String" || a.kind === "Memo") Object.assign(j, { MaxLength: a.maxLength, DatabaseLength: (a.maxLength ?? 0) * 2, Format: a.kind === "Memo" ? "TextArea" : "Text" });
  if (a.kind === "Integer") Object.assign(j, { MinValue: -2147483648, MaxValue: 2147483647, Format: "None" });
  if (a.kind === "BigInt") Object.assign(j, { MinValue: -9223372036854775808, MaxValue: 9223372036854775807 });
  if (a.kind === "Decimal" || a.kind === "Double" || a.kind === "Money") Object.assign(j, { Precision: a.precision ?? 2, MinValue: -100000000000, MaxValue: 100000000000 });
  if (a.kind === "Money") Object.assign(j, { PrecisionSource: 2 });
  if (a.kind === "DateTime") Object.assign(j, { Format: a.dateOnly ? "DateOnly" : "DateAndTime", DateTimeBehavior: { Value: a.dateOnly ? "DateOnly" : "UserLocal" } });
  if (a.kind === "Lookup" || a.kind === "Owner" || a.kind === "Customer") Object.assign(j, { Targets: a.targets ?? [] });
  if (a.kind === "Boolean" && expand.has("OptionSet")) {
    j.OptionSet = expanded({ MetadataId: metaId(`bool:${a.name}`), Name: `${t.def.logicalName}_${a.name}`, IsGlobal: false, OptionSetType: "Boolean", TrueOption: { Value: 1, Label: label("Yes") }, FalseOption: { Value: 0, Label: label("No") } }, expand.get("OptionSet"));
  }
  if (a.optionSet) {
    if (expand.has("OptionSet")) j.OptionSet = expanded(optionSetJson(a.optionSet), expand.get("OptionSet"));
    if (expand.has("GlobalOptionSet")) j.GlobalOptionSet = a.optionSet.isGlobal ? expanded(optionSetJson(a.optionSet), expand.get("GlobalOptionSet")) : null;
  }
  return j;
}

function relationshipJson(m: ManyToManyDef): Json {
  return {
    "@odata.type": `#${NS}ManyToManyRelationshipMetadata`, MetadataId: metaId(`rel:${m.schemaName}`),
    SchemaName: m.schemaName, RelationshipType: "ManyToManyRelationship", IsCustomRelationship: false,
    Entity1LogicalName: m.entity1, Entity2LogicalName: m.entity2, IntersectEntityName: m.intersect,
    Entity1IntersectAttribute: m.entity1Attr, Entity2IntersectAttribute: m.entity2Attr,
    Entity1NavigationPropertyName: m.schemaName, Entity2NavigationPropertyName: m.schemaName,
  };
}

function oneToManyJson(r: OneToManyDef): Json {
  return {
    "@odata.type": `#${NS}OneToManyRelationshipMetadata`, MetadataId: metaId(`rel:${r.schemaName}`),
    SchemaName: r.schemaName, RelationshipType: "OneToManyRelationship", IsCustomRelationship: r.custom,
    IsValidForAdvancedFind: true, ReferencedEntity: r.referencedEntity, ReferencedAttribute: r.referencedAttribute,
    ReferencingEntity: r.referencingEntity, ReferencingAttribute: r.referencingAttribute,
    ReferencedEntityNavigationPropertyName: r.referencedNav, ReferencingEntityNavigationPropertyName: r.referencingNav,
    CascadeConfiguration: { Assign: "NoCascade", Delete: "RemoveLink", Merge: "NoCascade", Reparent: "NoCascade", Share: "NoCascade", Unshare: "NoCascade", RollupView: "NoCascade" },
  };
}

function applySelect(obj: Json, select: string | null, expand: Expand = new Map()): Json {
  if (!select) return obj;
  const keep = new Set([...select.split(",").map((s) => s.trim()), ...expand.keys()]);
  const out: Json = {};
  for (const [k, v] of Object.entries(obj)) if (k === "@odata.type" || k === "MetadataId" || keep.has(k)) out[k] = v;
  return out;
}

function list(items: Json[], q: URLSearchParams, expand?: Expand): Json[] {
  let out = items;
  const filter = q.get("$filter");
  if (filter) {
    const fn = /\b(contains|startswith|endswith)\s*\(/.exec(filter);
    if (fn) throw new ODataError(501, "0x8006088a", `The "${fn[1]}" function isn't supported for Metadata Entities.`);
    const f = compileFilter(filter, (rec, p) => (rec as Json)[p], () => true);
    out = out.filter((i) => f(i as never));
  }
  return out.map((i) => applySelect(i, q.get("$select"), expand));
}

const collection = (base: string, ctx: string, value: Json[]): Json => ({ "@odata.context": `${base}$metadata#${ctx}`, value });

/** Handles a metadata GET; `path` is relative to the service root. Returns null if not a metadata path. */
export function metadataGet(store: Store, base: string, path: string, q: URLSearchParams): Json | null {
  const expand = parseExpand(q.get("$expand"));
  if (path === "") return serviceDocument(store, base);
  if (path === "WhoAmI" || path === "WhoAmI()") {
    const user = store.gen.baseId(store.table("systemuser")!, 0);
    return { "@odata.context": `${base}$metadata#${NS}WhoAmIResponse`, BusinessUnitId: BUSINESS_UNIT_ID, UserId: user, OrganizationId: ORGANIZATION.organizationId };
  }
  if (path === "RetrieveVersion" || path === "RetrieveVersion()") {
    return { "@odata.context": `${base}$metadata#${NS}RetrieveVersionResponse`, Version: ORGANIZATION.version };
  }
  const total = /^RetrieveTotalRecordCount\(EntityNames=(.+)\)$/.exec(path);
  if (total) {
    const raw = total[1].startsWith("@") ? q.get(total[1]) ?? "[]" : total[1];
    const names = JSON.parse(raw.replace(/'/g, '"')) as string[];
    const values = names.map((n) => {
      const t = store.table(n);
      if (!t) throw new ODataError(404, "0x80040217", `Could not find entity with name '${n}'.`);
      return store.count(t);
    });
    return { "@odata.context": `${base}$metadata#${NS}RetrieveTotalRecordCountResponse`, EntityRecordCountCollection: { Count: names.length, IsReadOnly: false, Keys: names, Values: values } };
  }
  if (path === "EntityDefinitions") {
    return collection(base, "EntityDefinitions", list([...store.tables.values()].map((t) => entityJson(t.def)), q));
  }
  if (path.startsWith("GlobalOptionSetDefinitions")) {
    const one = /^GlobalOptionSetDefinitions\(Name='([^']+)'\)$/.exec(path);
    const all: Json[] = GLOBAL_OPTION_SETS.map((o) => ({ "@odata.type": `#${NS}OptionSetMetadata`, ...optionSetJson(o) }));
    if (one) {
      const found = all.find((o) => o.Name === one[1]);
      if (!found) throw new ODataError(404, "0x80040217", `Could not find optionset with name '${one[1]}'.`);
      return { "@odata.context": `${base}$metadata#GlobalOptionSetDefinitions/$entity`, ...found };
    }
    if (path === "GlobalOptionSetDefinitions") return collection(base, "GlobalOptionSetDefinitions", list(all, q));
  }
  if (path.startsWith("RelationshipDefinitions")) return relationshipsGet(store, base, path, q);

  const m = /^EntityDefinitions\((?:(?:LogicalName=)?'([^']+)'|([0-9a-fA-F-]{36}))\)(?:\/(.*))?$/.exec(path);
  if (!m) return null;
  const t = m[1] !== undefined ? store.table(m[1]) : [...store.tables.values()].find((x) => metaId(`entity:${x.def.logicalName}`) === m[2].toLowerCase());
  if (!t) throw new ODataError(404, "0x80040217", m[1] !== undefined ? `Could not find entity with name '${m[1]}'.` : `Could not find entity with id '${m[2]}'.`);
  const rest = m[3] ?? "";
  if (rest === "") return { "@odata.context": `${base}$metadata#EntityDefinitions/$entity`, ...applySelect(entityJson(t.def), q.get("$select")) };
  if (rest === "OneToManyRelationships" || rest === "ManyToOneRelationships") {
    const side = rest === "OneToManyRelationships" ? "referencedEntity" : "referencingEntity";
    const rels = oneToManyRelationships(store).filter((r) => r[side] === t.def.logicalName);
    return collection(base, `EntityDefinitions('${t.def.logicalName}')/${rest}`, list(rels.map(oneToManyJson), q));
  }
  if (rest === "ManyToManyRelationships") {
    const rels = MANY_TO_MANY.filter((r) => r.entity1 === t.def.logicalName || r.entity2 === t.def.logicalName);
    return collection(base, `EntityDefinitions('${t.def.logicalName}')/ManyToManyRelationships`, list(rels.map(relationshipJson), q));
  }
  const a = /^Attributes(?:\((?:LogicalName=)?'([^']+)'\))?(?:\/Microsoft\.Dynamics\.CRM\.(\w+))?$/.exec(rest);
  if (!a) throw notFoundSegment(rest.split("/")[0]);
  const [, one, cast] = a;
  if (cast && !Object.values(CAST).includes(cast)) throw notFoundSegment(`Microsoft.Dynamics.CRM.${cast}`);
  const attrs = t.attributes.filter((x) => !cast || CAST[x.kind] === cast || cast === "AttributeMetadata");
  if (one) {
    const found = attrs.find((x) => x.name === one);
    if (!found) throw new ODataError(404, "0x80040217", `Could not find attribute '${one}' for entity '${t.def.logicalName}'.`);
    return { "@odata.context": `${base}$metadata#EntityDefinitions('${t.def.logicalName}')/Attributes/$entity`, ...applySelect(attributeJson(t, found, expand), q.get("$select"), expand) };
  }
  const json = attrs.map((x) => attributeJson(t, x, expand));
  return collection(base, `EntityDefinitions('${t.def.logicalName}')/Attributes${cast ? `/${NS}${cast}` : ""}`, list(json, q, expand));
}

/** RelationshipDefinitions: both kinds, either cast, or one by SchemaName='…' or MetadataId. */
function relationshipsGet(store: Store, base: string, path: string, q: URLSearchParams): Json {
  const all = [...oneToManyRelationships(store).map(oneToManyJson), ...MANY_TO_MANY.map(relationshipJson)];
  const cast = /^RelationshipDefinitions\/Microsoft\.Dynamics\.CRM\.(OneToManyRelationshipMetadata|ManyToManyRelationshipMetadata)$/.exec(path);
  if (path === "RelationshipDefinitions" || cast) {
    const items = cast ? all.filter((r) => r["@odata.type"] === `#${NS}${cast[1]}`) : all;
    return collection(base, `RelationshipDefinitions${cast ? `/${NS}${cast[1]}` : ""}`, list(items, q));
  }
  const one = /^RelationshipDefinitions\((?:SchemaName='([^']+)'|([0-9a-fA-F-]{36}))\)(?:\/Microsoft\.Dynamics\.CRM\.(\w+))?$/.exec(path);
  if (!one) throw notFoundSegment(path.split("/")[1] ?? path);
  const found = all.find((r) => (one[1] !== undefined ? r.SchemaName === one[1] : r.MetadataId === one[2].toLowerCase()));
  if (!found || (one[3] && found["@odata.type"] !== `#${NS}${one[3]}`)) {
    throw new ODataError(404, "0x80040217", `Could not find relationship '${one[1] ?? one[2]}'.`);
  }
  return { "@odata.context": `${base}$metadata#RelationshipDefinitions/$entity`, ...applySelect(found, q.get("$select")) };
}
