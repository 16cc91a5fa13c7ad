import { z } from "zod";
import { ZOrganizationId } from "../organizations/schemas";
import { ZDateParam } from "../validation";
import { ZLakeDatabaseName } from "../lake-database/synapse-script";
import { REFRESH_BLANKABLE, refreshRule, refreshShape } from "./refresh-schemas";

export const DESTINATION_TYPES = ["sqlite", "postgres", "mssql", "datalake"] as const;
export const ZDestinationType = z.enum(DESTINATION_TYPES, { message: "Target type must be sqlite, postgres, mssql or datalake." });
export type TDestinationType = z.infer<typeof ZDestinationType>;

export const PROFILE_STATES = ["draft", "activating", "active", "inactive", "failed"] as const;
export const ZProfileState = z.enum(PROFILE_STATES, { message: "State must be draft, activating, active, inactive or failed." });

// Forms send numbers and booleans as text; the API sends JSON values. Both are accepted, nothing else.
const intIn = (label: string, min: number, max: number, unit = "") =>
  z.preprocess(
    (v) => (typeof v === "string" && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v),
    z
      .number({ message: `${label} must be a whole number from ${min} to ${max}${unit}.` })
      .int(`${label} must be a whole number from ${min} to ${max}${unit}.`)
      .min(min, `${label} must be a whole number from ${min} to ${max}${unit}.`)
      .max(max, `${label} must be a whole number from ${min} to ${max}${unit}.`),
  );
const bool = (label: string) =>
  z.preprocess(
    (v) => (v === "true" || v === "on" ? true : v === "false" || v === "off" ? false : v),
    z.boolean({ message: `${label} must be true or false.` }),
  );

export const ZProfileName = z
  .string({ message: "Enter a profile name." })
  .trim()
  .min(1, "Enter a profile name.")
  .max(100, "A profile name has at most 100 characters.");

export const ZSchemaName = z
  .string({ message: "Enter a schema name." })
  .trim()
  .min(1, "Enter a schema name (the default is dbo).")
  .max(64, "A schema name has at most 64 characters.")
  .regex(/^[A-Za-z0-9]+$/, "A schema name may hold only letters and digits.");

export const ZPrefix = z
  .string({ message: "The prefix must be text." })
  .trim()
  .max(14, "A prefix must be under 15 characters.")
  .regex(/^[A-Za-z0-9]*$/, "A prefix may hold only letters and digits.");

export const ZProfileConnectionId = z.string({ message: "Choose a connection." }).uuid({ message: "Choose a connection from the list." });

export const ZConnectionString = z
  .string({ message: "The connection string must be text." })
  .trim()
  .min(1, "Enter the target's connection string.")
  .max(4000, "A connection string has at most 4000 characters.");

/** https://<vault>.vault.azure.net/secrets/<name>[/<version>] (sovereign clouds' vault hosts too). */
export const KEY_VAULT_SECRET_URL = /^https:\/\/[a-z0-9-]{3,24}\.vault\.(azure\.net|azure\.cn|usgovcloudapi\.net|microsoftazure\.de)\/secrets\/[A-Za-z0-9-]{1,127}(\/[0-9a-f]{32})?\/?$/i;

export const ZKeyVaultSecretUrl = z
  .string({ message: "The Key Vault secret URL must be text." })
  .trim()
  .regex(KEY_VAULT_SECRET_URL, "The Key Vault secret URL looks like https://myvault.vault.azure.net/secrets/target-connection (optionally /<version>).");

const ZTableName = z
  .string({ message: "A table name must be text." })
  .trim()
  .regex(/^[A-Za-z0-9_]+$/, "Table names are logical names (letters, digits, _).")
  .transform((s) => s.toLowerCase());
const ZRelationshipName = z
  .string({ message: "A relationship name must be text." })
  .trim()
  .regex(/^[A-Za-z0-9_]+$/, "Relationship names are schema names (letters, digits, _).");

const unique = <T>(xs: T[]) => [...new Set(xs)];

export const ZTables = z
  .array(ZTableName, { message: "Tables must be a list of table logical names." })
  .min(1, "Choose at least one table.")
  .max(1000, "A profile has at most 1000 tables.")
  .transform(unique);
export const ZRelationships = z
  .array(ZRelationshipName, { message: "Relationships must be a list of N:N relationship schema names." })
  .max(1000, "A profile has at most 1000 relationships.")
  .transform(unique);

/** Data lake options (used when destinationType is datalake; stored for every profile). */
export const ZLakeMode = z.enum(["appendOnly", "inPlace"], { message: "The lake mode must be appendOnly or inPlace." });
export const ZLakePartition = z.enum(["Year", "Month"], { message: "Partition by Year or Month." });
export const ZLakeFormat = z.enum(["csv", "delta"], { message: "The lake format must be csv or delta." });
const lakeShape = {
  lakeMode: ZLakeMode.default("appendOnly"),
  lakePartition: ZLakePartition.default("Year"),
  lakeSnapshotMinutes: intIn("Snapshot interval", 0, 10080, " minutes").default(60),
  lakeSnapshotKeep: intIn("Snapshots kept", 1, 1000).default(5),
  lakeIncrementalFolders: bool("Incremental update folders").default(false),
  lakeFormat: ZLakeFormat.default("csv"),
  lakeDeltaCompactMinutes: intIn("Compaction interval", 0, 10080, " minutes").default(60),
  lakeDeltaVacuumMinutes: intIn("Vacuum interval", 0, 43200, " minutes").default(1440),
  lakeDeltaRetentionHours: intIn("Retention", 0, 8760, " hours").default(168),
  /** A lake database (issue 13): the files go under <lake>/<database>/. Absent: at the lake's root. */
  lakeDatabase: ZLakeDatabaseName.optional(),
};

const propertyShape = {
  ...lakeShape,
  ...refreshShape,
  name: ZProfileName,
  organizationId: ZOrganizationId,
  destinationType: ZDestinationType,
  connectionString: ZConnectionString.optional(),
  keyVaultSecretUrl: ZKeyVaultSecretUrl.optional(),
  /** A named connection (lib/connections) instead of a target of the profile's own. */
  connectionId: ZProfileConnectionId.optional(),
  schemaName: ZSchemaName.default("dbo"),
  prefix: ZPrefix.default(""),
  retryCount: intIn("Retry count", 0, 20).default(12),
  retryIntervalSeconds: intIn("Retry interval", 0, 3600, " seconds").default(5),
  writeDeleteLog: bool("Write delete log").default(false),
};

// Empty form fields mean "not given".
const blankToUndefined = (v: unknown) => {
  if (!v || typeof v !== "object" || Array.isArray(v)) return v;
  const o = { ...(v as Record<string, unknown>) };
  for (const k of ["connectionString", "keyVaultSecretUrl", "connectionId", ...REFRESH_BLANKABLE]) if (o[k] === "" || o[k] === null) delete o[k];
  return o;
};

const ONE_TARGET = "Give the target's connection string, or a Key Vault secret URL that holds it, or choose a connection (one of them).";
const oneTarget = (p: { connectionString?: string; keyVaultSecretUrl?: string; connectionId?: string }) =>
  [p.connectionString, p.keyVaultSecretUrl, p.connectionId].filter(Boolean).length === 1;

export const ZProfileProperties = z.preprocess(
  blankToUndefined,
  z.object(propertyShape).refine(oneTarget, { message: ONE_TARGET, path: ["connectionString"] }).superRefine(refreshRule),
);
export type TProfileProperties = z.infer<typeof ZProfileProperties>;

export const ZProfileInput = z.preprocess(
  blankToUndefined,
  z
    .object({ ...propertyShape, tables: ZTables, relationships: ZRelationships.default([]) })
    .refine(oneTarget, { message: ONE_TARGET, path: ["connectionString"] })
    .superRefine(refreshRule),
);
export type TProfileInput = z.infer<typeof ZProfileInput>;

/** Everything optional; a missing connection string keeps the stored one (it is write-only). */
export const ZProfileUpdate = z.preprocess(
  blankToUndefined,
  z
    .object({
      name: ZProfileName.optional(),
      destinationType: ZDestinationType.optional(),
      connectionString: ZConnectionString.optional(),
      keyVaultSecretUrl: ZKeyVaultSecretUrl.optional(),
      connectionId: ZProfileConnectionId.optional(),
      schemaName: ZSchemaName.optional(),
      prefix: ZPrefix.optional(),
      retryCount: intIn("Retry count", 0, 20).optional(),
      retryIntervalSeconds: intIn("Retry interval", 0, 3600, " seconds").optional(),
      writeDeleteLog: bool("Write delete log").optional(),
      lakeMode: ZLakeMode.optional(),
      lakePartition: ZLakePartition.optional(),
      lakeSnapshotMinutes: intIn("Snapshot interval", 0, 10080, " minutes").optional(),
      lakeSnapshotKeep: intIn("Snapshots kept", 1, 1000).optional(),
      lakeIncrementalFolders: bool("Incremental update folders").optional(),
      lakeFormat: ZLakeFormat.optional(),
      lakeDeltaCompactMinutes: intIn("Compaction interval", 0, 10080, " minutes").optional(),
      lakeDeltaVacuumMinutes: intIn("Vacuum interval", 0, 43200, " minutes").optional(),
      lakeDeltaRetentionHours: intIn("Retention", 0, 8760, " hours").optional(),
      /** A new name starts a new database; the old one stops updating. It cannot be removed. */
      lakeDatabase: ZLakeDatabaseName.optional(),
      ...refreshShape,
      tables: ZTables.optional(),
      relationships: ZRelationships.optional(),
    })
    .refine((p) => [p.connectionString, p.keyVaultSecretUrl, p.connectionId].filter(Boolean).length <= 1, { message: ONE_TARGET, path: ["connectionString"] }),
);
export type TProfileUpdate = z.infer<typeof ZProfileUpdate>;

export const ZProfileId = z.string({ message: "Choose a profile." }).uuid({ message: "Unknown profile." });

export const ZProfileListQuery = z.object({
  organizationId: ZOrganizationId.optional(),
  state: ZProfileState.optional(),
});

export const ZActivation = z.enum(["all", "metadata", "data"], { message: "Activate all, metadata or data." });

export const ZTargetTest = z.preprocess(
  blankToUndefined,
  z
    .object({ destinationType: ZDestinationType, connectionString: ZConnectionString.optional(), keyVaultSecretUrl: ZKeyVaultSecretUrl.optional(), connectionId: ZProfileConnectionId.optional() })
    .refine(oneTarget, { message: ONE_TARGET, path: ["connectionString"] }),
);

export const CHANGE_TYPES = ["New", "Update", "Delete", "Trigger Initial Export"] as const;

const ZDate = ZDateParam;

export const ZFailureFilters = z.object({
  profileId: ZProfileId.optional(),
  entity: z.string().trim().max(128, "A table name has at most 128 characters.").regex(/^[A-Za-z0-9_]*$/, "Table names are logical names (letters, digits, _).").optional().transform((s) => s || undefined),
  changeType: z.enum(CHANGE_TYPES, { message: "Change type must be New, Update, Delete or Trigger Initial Export." }).optional(),
  from: ZDate.optional(),
  to: ZDate.optional(),
  search: z.string().trim().max(200, "Search for at most 200 characters.").optional().transform((s) => s || undefined),
});

export const ZFailureQuery = ZFailureFilters.extend({
  /** Opaque: the nextCursor of the previous page. */
  cursor: z.string().regex(/^\d{1,15}\.\d{1,15}$/, "That page cursor is not valid; start from the first page.").optional(),
  limit: intIn("Limit", 1, 200).default(50),
});
export type TFailureQuery = z.infer<typeof ZFailureQuery>;

export const ZFailureDownload = ZFailureFilters.extend({
  format: z.enum(["des", "csv"], { message: "Format must be des or csv." }).default("des"),
});
export type TFailureDownload = z.infer<typeof ZFailureDownload>;
