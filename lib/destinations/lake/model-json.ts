// The CDM "model.json" manifest Synapse Link writes at the root of the container (and per table
// under Microsoft.Athena.TrickleFeedService/), plus the rules Microsoft's own reader
// (Azure/dataverse-to-sql CdmManifest.cs) applies before it reads one.
import type { LakeColumn } from "./lake-columns";

export type InitialSyncState = "NotStarted" | "InProgress" | "Completed";
export type Granularity = "Year" | "Month";

export interface Annotation {
  name: string;
  value: string;
}

export interface CdmAttribute {
  name: string;
  dataType: string;
  maxLength: number;
  "cdm:traits"?: { traitReference: string; arguments: { name: string; value: number }[] }[];
}

export interface CdmPartition {
  name: string;
  location: string;
  refreshTime: string;
  annotations?: Annotation[];
  fileFormatSettings: { $type: "CsvFormatSettings"; columnHeaders: false; delimiter: ","; quoteStyle: "QuoteStyle.Csv"; csvStyle: "CsvStyle.QuoteAlways"; encoding: "UTF-8" };
}

export interface CdmEntity {
  $type: "LocalEntity";
  name: string;
  description: string;
  annotations: Annotation[];
  attributes: CdmAttribute[];
  partitions: CdmPartition[];
}

export interface CdmManifest {
  name: "cdm";
  description: string;
  version: "1.0";
  entities: CdmEntity[];
}

export const COLUMN_COUNT_ANNOTATION = "dataverse-export:columnCount";

export function cdmAttribute(c: LakeColumn): CdmAttribute {
  const a: CdmAttribute = { name: c.name, dataType: c.dataType, maxLength: c.maxLength ?? -1 };
  if (c.dataType === "decimal") {
    a["cdm:traits"] = [{ traitReference: "is.dataFormat.numeric.shaped", arguments: [{ name: "precision", value: c.precision ?? 38 }, { name: "scale", value: c.scale ?? 10 }] }];
  } else if (c.dataType === "string" && c.maxLength) {
    a["cdm:traits"] = [{ traitReference: "is.constrained", arguments: [{ name: "maximumLength", value: c.maxLength }] }];
  }
  return a;
}

export function cdmPartition(name: string, location: string, refreshTime: Date, columnCount: number): CdmPartition {
  return {
    name,
    location,
    refreshTime: refreshTime.toISOString(),
    annotations: [{ name: COLUMN_COUNT_ANNOTATION, value: String(columnCount) }],
    fileFormatSettings: { $type: "CsvFormatSettings", columnHeaders: false, delimiter: ",", quoteStyle: "QuoteStyle.Csv", csvStyle: "CsvStyle.QuoteAlways", encoding: "UTF-8" },
  };
}

export function cdmEntity(opts: {
  name: string;
  columns: LakeColumn[];
  partitions: CdmPartition[];
  granularity: Granularity;
  initialSyncState: InitialSyncState;
  initialSyncCompletedAt: string | null;
}): CdmEntity {
  const annotations: Annotation[] = [
    { name: "Athena:PartitionGranularity", value: opts.granularity },
    { name: "Athena:InitialSyncState", value: opts.initialSyncState },
  ];
  if (opts.initialSyncCompletedAt) annotations.push({ name: "Athena:InitialSyncDataCompletedTime", value: opts.initialSyncCompletedAt });
  return {
    $type: "LocalEntity",
    name: opts.name,
    description: opts.name,
    annotations,
    attributes: opts.columns.map(cdmAttribute),
    partitions: opts.partitions,
  };
}

export function cdmManifest(entities: CdmEntity[]): CdmManifest {
  return { name: "cdm", description: "cdm", version: "1.0", entities: [...entities].sort((a, b) => a.name.localeCompare(b.name)) };
}

export function annotation(e: CdmEntity, name: string): string | undefined {
  return e.annotations?.find((a) => a.name === name)?.value;
}

/**
 * The entities Microsoft's reader would load from this manifest, or the reason it refuses the
 * manifest: name must be "cdm", version "1.0", and only entities whose InitialSyncState is
 * Completed are read. Also checks what that reader relies on: attributes with a name and a known
 * data type, and partitions with a location.
 */
export function readableEntities(m: unknown): { ok: true; entities: CdmEntity[] } | { ok: false; reason: string } {
  const man = m as Partial<CdmManifest> | null;
  if (!man || typeof man !== "object") return { ok: false, reason: "not a JSON object" };
  if (man.name !== "cdm") return { ok: false, reason: `name is ${JSON.stringify(man.name)}, not "cdm"` };
  if (man.version !== "1.0") return { ok: false, reason: `version is ${JSON.stringify(man.version)}, not "1.0"` };
  if (!Array.isArray(man.entities)) return { ok: false, reason: "no entities array" };
  const types = new Set(["guid", "string", "int64", "double", "decimal", "boolean", "dateTime", "dateTimeOffset"]);
  const out: CdmEntity[] = [];
  for (const e of man.entities) {
    if (e.$type !== "LocalEntity" || !e.name) return { ok: false, reason: `entity ${JSON.stringify(e.name)} is not a named LocalEntity` };
    for (const a of e.attributes ?? []) {
      if (!a.name || !types.has(a.dataType)) return { ok: false, reason: `${e.name}.${a.name}: unknown dataType ${JSON.stringify(a.dataType)}` };
    }
    for (const p of e.partitions ?? []) if (!p.location) return { ok: false, reason: `${e.name}: a partition has no location` };
    if (annotation(e, "Athena:InitialSyncState") === "Completed") out.push(e);
  }
  return { ok: true, entities: out };
}
