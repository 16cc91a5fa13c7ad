// The new-profile wizard's state: what each step holds, what it must satisfy before the next one,
// and how a draft survives leaving the page (sessionStorage). Pure, so the browser and tests share it.
import { z } from "zod";
import { ZProfileProperties, type TDestinationType } from "../profiles/schemas";

export const WIZARD_STEPS = ["Properties", "Tables", "Relationships", "Validation", "Summary"] as const;
export type WizardStep = 0 | 1 | 2 | 3 | 4;

export type TargetSource = "connectionString" | "keyVault" | "connection";

export interface DraftProperties {
  name: string;
  organizationId: string;
  destinationType: TDestinationType;
  targetSource: TargetSource;
  connectionString: string;
  keyVaultSecretUrl: string;
  /** A named connection (targetSource "connection"): its id. */
  connectionId: string;
  schemaName: string;
  prefix: string;
  /** Kept as typed so a half-typed number is not lost; checked by ZProfileProperties. */
  retryCount: string;
  retryIntervalSeconds: string;
  writeDeleteLog: boolean;
  /** Data lake targets (kept as typed, like the retry fields). */
  lakeMode: "appendOnly" | "inPlace";
  lakePartition: "Year" | "Month";
  lakeSnapshotMinutes: string;
  lakeSnapshotKeep: string;
  lakeIncrementalFolders: boolean;
  lakeFormat: "csv" | "delta";
  lakeDeltaCompactMinutes: string;
  lakeDeltaVacuumMinutes: string;
  lakeDeltaRetentionHours: string;
  /** A lake database name; blank: no database (files at the lake's root). */
  lakeDatabase: string;
  /** Data lake targets: continuous, every N hours or cron (kept as typed). */
  refreshMode: "continuous" | "hours" | "cron";
  refreshEveryHours: string;
  refreshCron: string;
}

export interface ProfileDraft {
  step: WizardStep;
  properties: DraftProperties;
  tables: string[];
  relationships: string[];
}

const LAKE_DEFAULTS = {
  lakeMode: "appendOnly", lakePartition: "Year", lakeSnapshotMinutes: "60", lakeSnapshotKeep: "5", lakeIncrementalFolders: false,
  lakeFormat: "csv", lakeDeltaCompactMinutes: "60", lakeDeltaVacuumMinutes: "1440", lakeDeltaRetentionHours: "168",
  lakeDatabase: "",
  refreshMode: "continuous", refreshEveryHours: "24", refreshCron: "0 2 * * *",
} as const;

export function emptyDraft(defaults: { organizationId?: string; connectionString?: string; connection?: { id: string; destinationType: TDestinationType } } = {}): ProfileDraft {
  return {
    step: 0,
    properties: {
      name: "",
      organizationId: defaults.organizationId ?? "",
      destinationType: defaults.connection?.destinationType ?? "sqlite",
      targetSource: defaults.connection ? "connection" : "connectionString",
      connectionString: defaults.connectionString ?? "",
      keyVaultSecretUrl: "",
      connectionId: defaults.connection?.id ?? "",
      schemaName: "dbo",
      prefix: "",
      retryCount: "12",
      retryIntervalSeconds: "5",
      writeDeleteLog: false,
      ...LAKE_DEFAULTS,
    },
    tables: [],
    relationships: [],
  };
}

/** What the services take (ZProfileProperties / ZProfileInput): only the chosen kind of target. */
export function toPropertiesInput(p: DraftProperties): Record<string, unknown> {
  return {
    name: p.name,
    organizationId: p.organizationId,
    destinationType: p.destinationType,
    connectionString: p.targetSource === "connectionString" ? p.connectionString : undefined,
    keyVaultSecretUrl: p.targetSource === "keyVault" ? p.keyVaultSecretUrl : undefined,
    connectionId: p.targetSource === "connection" ? p.connectionId : undefined,
    schemaName: p.schemaName,
    prefix: p.prefix,
    retryCount: p.retryCount,
    retryIntervalSeconds: p.retryIntervalSeconds,
    writeDeleteLog: p.writeDeleteLog,
    ...(p.destinationType === "datalake"
      ? {
          lakeMode: p.lakeMode,
          lakePartition: p.lakePartition,
          lakeSnapshotMinutes: p.lakeSnapshotMinutes,
          lakeSnapshotKeep: p.lakeSnapshotKeep,
          lakeIncrementalFolders: p.lakeIncrementalFolders,
          lakeFormat: p.lakeFormat,
          lakeDeltaCompactMinutes: p.lakeDeltaCompactMinutes,
          lakeDeltaVacuumMinutes: p.lakeDeltaVacuumMinutes,
          lakeDeltaRetentionHours: p.lakeDeltaRetentionHours,
          ...(p.lakeDatabase.trim() ? { lakeDatabase: p.lakeDatabase } : {}),
          refreshMode: p.refreshMode,
          ...(p.refreshMode === "hours" ? { refreshEveryHours: p.refreshEveryHours } : {}),
          ...(p.refreshMode === "cron" ? { refreshCron: p.refreshCron } : {}),
        }
      : {}),
  };
}

export function toProfileInput(d: ProfileDraft): Record<string, unknown> {
  return { ...toPropertiesInput(d.properties), tables: d.tables, relationships: d.relationships };
}

/** Field errors of one step (empty when it may move on). Keys are the draft's field names. */
export function stepErrors(d: ProfileDraft, step: WizardStep): Record<string, string> {
  if (step === 0) {
    const r = ZProfileProperties.safeParse(toPropertiesInput(d.properties));
    if (r.success) return {};
    const errors: Record<string, string> = {};
    for (const issue of r.error.issues) {
      let key = String(issue.path[0] ?? "_");
      // The "one target" rule is reported on connectionString; show it where the user types.
      if (key === "connectionString" && d.properties.targetSource === "keyVault") key = "keyVaultSecretUrl";
      if (key === "connectionString" && d.properties.targetSource === "connection") key = "connectionId";
      errors[key] ??= issue.message;
    }
    return errors;
  }
  if (step === 1) return d.tables.length ? {} : { tables: "Choose at least one table." };
  return {};
}

/** Relationships are only those among the chosen tables: dropping a table drops its relationships. */
export function keepRelationships(d: ProfileDraft, available: readonly { schemaName: string; entity1: string; entity2: string }[]): string[] {
  const tables = new Set(d.tables);
  const ok = new Set(available.filter((r) => tables.has(r.entity1) && tables.has(r.entity2)).map((r) => r.schemaName));
  return d.relationships.filter((r) => ok.has(r));
}

// What is kept between visits. Secrets are not: a connection string with a password stays only
// in memory, and a SQLite target (a file path, no secret) is kept.
const ZStoredDraft = z.object({
  step: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
  properties: z.object({
    name: z.string().max(1000),
    organizationId: z.string().max(100),
    destinationType: z.enum(["sqlite", "postgres", "mssql", "datalake"]),
    targetSource: z.enum(["connectionString", "keyVault", "connection"]),
    connectionString: z.string().max(4000),
    keyVaultSecretUrl: z.string().max(1000),
    connectionId: z.string().max(100).default(""),
    schemaName: z.string().max(1000),
    prefix: z.string().max(1000),
    retryCount: z.string().max(100),
    retryIntervalSeconds: z.string().max(100),
    writeDeleteLog: z.boolean(),
    // Drafts stored before the lake options existed get the defaults.
    lakeMode: z.enum(["appendOnly", "inPlace"]).default(LAKE_DEFAULTS.lakeMode),
    lakePartition: z.enum(["Year", "Month"]).default(LAKE_DEFAULTS.lakePartition),
    lakeSnapshotMinutes: z.string().max(100).default(LAKE_DEFAULTS.lakeSnapshotMinutes),
    lakeSnapshotKeep: z.string().max(100).default(LAKE_DEFAULTS.lakeSnapshotKeep),
    lakeIncrementalFolders: z.boolean().default(false),
    lakeFormat: z.enum(["csv", "delta"]).default(LAKE_DEFAULTS.lakeFormat),
    lakeDeltaCompactMinutes: z.string().max(100).default(LAKE_DEFAULTS.lakeDeltaCompactMinutes),
    lakeDeltaVacuumMinutes: z.string().max(100).default(LAKE_DEFAULTS.lakeDeltaVacuumMinutes),
    lakeDeltaRetentionHours: z.string().max(100).default(LAKE_DEFAULTS.lakeDeltaRetentionHours),
    lakeDatabase: z.string().max(200).default(""),
    refreshMode: z.enum(["continuous", "hours", "cron"]).default(LAKE_DEFAULTS.refreshMode),
    refreshEveryHours: z.string().max(100).default(LAKE_DEFAULTS.refreshEveryHours),
    refreshCron: z.string().max(200).default(LAKE_DEFAULTS.refreshCron),
  }),
  tables: z.array(z.string().max(200)).max(1000),
  relationships: z.array(z.string().max(200)).max(1000),
});

export const DRAFT_STORAGE_KEY = "dataverse-export.profile-draft.v1";

export function serializeDraft(d: ProfileDraft): string {
  // A folder lake (lake:PATH) holds no secret either; Azure lake targets may hold a key or SAS.
  const keepTarget = d.properties.destinationType === "sqlite" || (d.properties.destinationType === "datalake" && /^lake:/i.test(d.properties.connectionString.trim()));
  // Validation results are never stored: returning to step 4 or 5 re-validates from step 4.
  const step = d.step > 3 ? 3 : d.step;
  return JSON.stringify({ ...d, step, properties: { ...d.properties, connectionString: keepTarget ? d.properties.connectionString : "" } });
}

/** A stored draft, or null when there is none or it is not one of ours. */
export function parseDraft(text: string | null): ProfileDraft | null {
  if (!text) return null;
  try {
    const r = ZStoredDraft.safeParse(JSON.parse(text));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

export function isBlankDraft(d: ProfileDraft): boolean {
  return !d.properties.name && d.tables.length === 0;
}
