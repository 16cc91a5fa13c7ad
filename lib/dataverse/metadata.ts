// Metadata reads (EntityDefinitions, Attributes and their typed casts, relationships, global
// option sets) mapped to the plain types of types.ts.
import type { HttpClient } from "./http.ts";
import { NotFoundError } from "./errors.ts";
import type { AttributeInfo, AttributeKind, ManyToManyInfo, OptionSetInfo, TableInfo, TableSchema } from "./types.ts";

interface Label { UserLocalizedLabel?: { Label?: string } | null; LocalizedLabels?: { Label?: string }[] }
interface ODataList<T> { value: T[] }

export function labelText(l: Label | null | undefined, fallback = ""): string {
  return l?.UserLocalizedLabel?.Label ?? l?.LocalizedLabels?.[0]?.Label ?? fallback;
}

interface EntityJson {
  LogicalName: string; SchemaName: string; EntitySetName: string | null; PrimaryIdAttribute: string;
  PrimaryNameAttribute?: string | null; ChangeTrackingEnabled?: boolean | null; DisplayName?: Label;
  IsIntersect?: boolean | null; ObjectTypeCode?: number | null;
}

const ENTITY_SELECT = "LogicalName,SchemaName,EntitySetName,PrimaryIdAttribute,PrimaryNameAttribute,ChangeTrackingEnabled,DisplayName,IsIntersect,ObjectTypeCode";

function toTable(e: EntityJson): TableInfo {
  return {
    logicalName: e.LogicalName, schemaName: e.SchemaName, entitySetName: e.EntitySetName ?? "",
    primaryIdAttribute: e.PrimaryIdAttribute, primaryNameAttribute: e.PrimaryNameAttribute ?? undefined,
    displayName: labelText(e.DisplayName, e.SchemaName), changeTrackingEnabled: e.ChangeTrackingEnabled === true,
    isIntersect: e.IsIntersect === true, objectTypeCode: e.ObjectTypeCode ?? undefined,
  };
}

export async function listTables(http: HttpClient, changeTrackingOnly = false): Promise<TableInfo[]> {
  const filter = changeTrackingOnly ? "&$filter=ChangeTrackingEnabled eq true" : "";
  const res = await http.json<ODataList<EntityJson>>(`EntityDefinitions?$select=${ENTITY_SELECT}${filter}`);
  // Tables without an entity set are internal and cannot be read through the Web API.
  return res.value.filter((e) => e.EntitySetName).map(toTable).sort((a, b) => a.logicalName.localeCompare(b.logicalName));
}

const KINDS = new Set<AttributeKind>([
  "String", "Memo", "Integer", "BigInt", "Decimal", "Double", "Money", "Boolean", "DateTime", "Picklist", "State",
  "Status", "Lookup", "Owner", "Customer", "Uniqueidentifier", "MultiSelectPicklist", "EntityName", "Virtual",
]);

/** AttributeTypeName.Value ("MultiSelectPicklistType") is more precise than AttributeType ("Virtual"). */
export function kindOf(typeName: string): AttributeKind {
  const k = typeName.replace(/Type$/, "") as AttributeKind;
  return KINDS.has(k) ? k : "Other";
}

interface AttributeJson {
  LogicalName: string; AttributeType?: string; AttributeTypeName?: { Value?: string } | null; DisplayName?: Label;
  IsPrimaryId?: boolean; IsValidForRead?: boolean | null; AttributeOf?: string | null;
}
interface OptionJson { Value: number; Label?: Label; State?: number }
interface OptionSetJson { Name?: string; IsGlobal?: boolean; Options?: OptionJson[] }
interface CastJson {
  LogicalName: string; MaxLength?: number; Precision?: number; Format?: string; DateTimeBehavior?: { Value?: string } | null;
  Targets?: string[]; OptionSet?: OptionSetJson | null; GlobalOptionSet?: OptionSetJson | null;
}

function toOptionSet(os: OptionSetJson): OptionSetInfo {
  return {
    name: os.Name ?? "", isGlobal: os.IsGlobal === true,
    options: (os.Options ?? []).map((o) => ({ value: o.Value, label: labelText(o.Label, String(o.Value)), ...(o.State !== undefined ? { state: o.State } : {}) })),
  };
}

/** Typed casts to read, per kind present on the table. */
const CASTS: { type: string; kinds: AttributeKind[]; query: string }[] = [
  { type: "StringAttributeMetadata", kinds: ["String"], query: "$select=LogicalName,MaxLength" },
  { type: "MemoAttributeMetadata", kinds: ["Memo"], query: "$select=LogicalName,MaxLength" },
  { type: "DecimalAttributeMetadata", kinds: ["Decimal"], query: "$select=LogicalName,Precision" },
  { type: "DoubleAttributeMetadata", kinds: ["Double"], query: "$select=LogicalName,Precision" },
  { type: "MoneyAttributeMetadata", kinds: ["Money"], query: "$select=LogicalName,Precision" },
  { type: "DateTimeAttributeMetadata", kinds: ["DateTime"], query: "$select=LogicalName,Format,DateTimeBehavior" },
  { type: "LookupAttributeMetadata", kinds: ["Lookup", "Owner", "Customer"], query: "$select=LogicalName,Targets" },
  { type: "PicklistAttributeMetadata", kinds: ["Picklist"], query: "$select=LogicalName&$expand=OptionSet,GlobalOptionSet" },
  { type: "StateAttributeMetadata", kinds: ["State"], query: "$select=LogicalName&$expand=OptionSet" },
  { type: "StatusAttributeMetadata", kinds: ["Status"], query: "$select=LogicalName&$expand=OptionSet" },
  { type: "MultiSelectPicklistAttributeMetadata", kinds: ["MultiSelectPicklist"], query: "$select=LogicalName&$expand=OptionSet,GlobalOptionSet" },
];

export async function getTableSchema(http: HttpClient, logicalName: string): Promise<TableSchema> {
  if (!/^[a-z0-9_]+$/i.test(logicalName)) throw new NotFoundError(`'${logicalName}' is not a table logical name (letters, digits and underscores only).`);
  const path = `EntityDefinitions(LogicalName='${logicalName}')`;
  let entity: EntityJson;
  try {
    entity = await http.json<EntityJson>(`${path}?$select=${ENTITY_SELECT}`);
  } catch (err) {
    if (err instanceof NotFoundError) {
      throw new NotFoundError(`Table '${logicalName}' does not exist in this environment (it may have been deleted or renamed). Check the table's logical name or remove it from the export profile.`, err.code, { cause: err });
    }
    throw err;
  }
  const base = await http.json<ODataList<AttributeJson>>(`${path}/Attributes?$select=LogicalName,AttributeType,AttributeTypeName,DisplayName,IsPrimaryId,IsValidForRead,AttributeOf`);
  // Companion attributes (AttributeOf set, e.g. "parentaccountidname") are not columns of the Web API.
  const attrs = base.value.filter((a) => !a.AttributeOf);
  const kinds = new Set(attrs.map((a) => kindOf(a.AttributeTypeName?.Value ?? `${a.AttributeType}Type`)));
  const casts = await Promise.all(
    CASTS.filter((c) => c.kinds.some((k) => kinds.has(k))).map((c) =>
      http.json<ODataList<CastJson>>(`${path}/Attributes/Microsoft.Dynamics.CRM.${c.type}?${c.query}`)),
  );
  const detail = new Map<string, CastJson>();
  for (const list of casts) for (const c of list.value) detail.set(c.LogicalName, c);

  const attributes: AttributeInfo[] = attrs.map((a) => {
    const typeName = a.AttributeTypeName?.Value ?? `${a.AttributeType ?? "Unknown"}Type`;
    const kind = kindOf(typeName);
    const d = detail.get(a.LogicalName);
    const info: AttributeInfo = {
      logicalName: a.LogicalName, kind, typeName, displayName: labelText(a.DisplayName) || undefined,
      isPrimaryId: a.IsPrimaryId === true || a.LogicalName === entity.PrimaryIdAttribute,
      isValidForRead: a.IsValidForRead !== false && kind !== "Virtual" && kind !== "Other",
    };
    if (d?.MaxLength !== undefined) info.maxLength = d.MaxLength;
    if (d?.Precision !== undefined) info.precision = d.Precision;
    if (kind === "DateTime" && d) info.dateFormat = d.Format === "DateOnly" || d.DateTimeBehavior?.Value === "DateOnly" ? "DateOnly" : "DateAndTime";
    if (d?.Targets) info.targets = d.Targets;
    const os = d?.GlobalOptionSet ?? d?.OptionSet;
    if (os) info.optionSet = toOptionSet(os);
    return info;
  });
  return { table: toTable(entity), attributes };
}

interface RelationshipJson {
  SchemaName: string; Entity1LogicalName: string; Entity2LogicalName: string; IntersectEntityName: string;
  Entity1IntersectAttribute: string; Entity2IntersectAttribute: string;
}

export async function listManyToMany(http: HttpClient, logicalNames?: string[]): Promise<ManyToManyInfo[]> {
  const res = await http.json<ODataList<RelationshipJson>>(
    "RelationshipDefinitions/Microsoft.Dynamics.CRM.ManyToManyRelationshipMetadata?$select=SchemaName,Entity1LogicalName,Entity2LogicalName,IntersectEntityName,Entity1IntersectAttribute,Entity2IntersectAttribute",
  );
  const wanted = logicalNames ? new Set(logicalNames) : null;
  return res.value
    .filter((r) => !wanted || wanted.has(r.Entity1LogicalName) || wanted.has(r.Entity2LogicalName))
    .map((r) => ({
      schemaName: r.SchemaName, entity1LogicalName: r.Entity1LogicalName, entity2LogicalName: r.Entity2LogicalName,
      intersectEntityName: r.IntersectEntityName, entity1IntersectAttribute: r.Entity1IntersectAttribute,
      entity2IntersectAttribute: r.Entity2IntersectAttribute,
    }))
    .sort((a, b) => a.schemaName.localeCompare(b.schemaName));
}

export async function listGlobalOptionSets(http: HttpClient): Promise<OptionSetInfo[]> {
  const res = await http.json<ODataList<OptionSetJson & { "@odata.type"?: string }>>("GlobalOptionSetDefinitions");
  // Boolean global option sets have TrueOption/FalseOption instead of Options: not option lists.
  return res.value.filter((o) => Array.isArray(o.Options)).map(toOptionSet).sort((a, b) => a.name.localeCompare(b.name));
}
