// The OpenAPI 3.1 document of /crm/exporter (served at /crm/exporter/swagger.json). Bodies are
// described with zod and converted with z.toJSONSchema; limits come from the services' schemas.
import { z } from "zod";
import { ALERT_KINDS } from "../alerts/schemas";
import { KEY_VAULT_SECRET_URL, PROFILE_STATES } from "../profiles/schemas";
import { DES_STATES } from "./des-shapes";
import { LINK_LIFETIME_SECONDS } from "./signed-url";

const guid = () => z.string().uuid();
const when = () => z.string().datetime().nullable();
const TABLE_STATES = ["NotStarted", "InProgress", "Completed", "CompletedWithFailures", "Failed"] as const;

const RECONCILIATION_RUN = z.object({
  Id: guid(),
  Status: z.enum(["Requested", "Running", "Completed", "Failed"]),
  Trigger: z.enum(["portal", "api", "cli", "schedule"]),
  Repair: z.boolean(),
  Entities: z.array(z.string()).nullable(),
  RequestedOn: z.string().datetime(),
  StartedOn: when(),
  FinishedOn: when(),
  DurationMs: z.number().int().nullable(),
  Missing: z.number().int().nullable().meta({ description: "Rows at the source that the target lacks." }),
  Extra: z.number().int().nullable().meta({ description: "Rows in the target that the source no longer has." }),
  Stale: z.number().int().nullable().meta({ description: "Rows whose versionnumber differs." }),
  IsEqual: z.boolean().nullable().meta({ description: "Finished with every table compared and nothing missing, extra or stale." }),
  Error: z.string().nullable(),
  Results: z.array(z.object({
    Entity: z.string(),
    TableName: z.string().nullable(),
    SourceCount: z.number().int(),
    TargetCount: z.number().int(),
    Missing: z.number().int(),
    Extra: z.number().int(),
    Stale: z.number().int(),
    Samples: z.object({ Missing: z.array(z.string()), Extra: z.array(z.string()), Stale: z.array(z.string()) }).meta({ description: "A few record ids of each kind." }),
    DurationMs: z.number().int(),
    Repaired: z.boolean(),
    RepairedRows: z.number().int(),
    RepairFailed: z.number().int().meta({ description: "Rows the target still refused (see the failure log)." }),
    Error: z.string().nullable(),
  })),
});

const REFRESH = z.object({
  Mode: z.enum(["Continuous", "EveryHours", "Cron"]),
  EveryHours: z.number().int().min(1).max(168).nullable().meta({ description: "Mode EveryHours: hours between runs (at most 168: Dataverse keeps changes 7 days)." }),
  Cron: z.string().nullable().meta({ description: 'Mode Cron: five fields, UTC, e.g. "0 */6 * * *"; runs at most 7 days apart.' }),
});
const REFRESH_REQUEST = REFRESH.partial().meta({
  description: "Data lake exports only (a schedule on a SQL target is refused). EveryHours or Cron alone imply their mode. A new schedule counts from the time it is saved; POST profiles/{id}/run runs at once.",
});

const AUDIT_ENTRY = z.object({
  Id: z.number().int(),
  Time: z.string().datetime(),
  ActorKind: z.enum(["user", "token", "cli", "anonymous"]).meta({ description: "anonymous: a failed sign-in." }),
  ActorId: z.string().nullable().meta({ description: "The user's or API token's id." }),
  Actor: z.string().meta({ description: "Email, `token:<name>` or `cli:<user>@<host>` at the time." }),
  Action: z.string().meta({ description: "e.g. auth.sign_in, auth.sign_in_failed, user.role_change, token.create, organization.privacy_accept, profile.update, profile.activate." }),
  ObjectType: z.string().meta({ description: "user, token, organization, profile, connection…" }),
  ObjectId: z.string().nullable(),
  ObjectName: z.string().nullable(),
  Before: z.record(z.string(), z.unknown()).nullable().meta({ description: "The changed fields before the action; secrets are \"[redacted]\"." }),
  After: z.record(z.string(), z.unknown()).nullable().meta({ description: "The changed fields after the action; secrets are \"[redacted]\"." }),
  IpAddress: z.string().nullable().meta({ description: "The client's address (x-forwarded-for only when TRUST_PROXY is set)." }),
});

const ALERT_RULE = z.object({ Id: guid(), Kind: z.enum(ALERT_KINDS), Threshold: z.number().int(), Description: z.string().meta({ description: "The rule in words." }), Enabled: z.boolean() });
const ALERT_CHANNEL = z
  .object({ Id: guid(), Name: z.string(), Kind: z.enum(["webhook", "email"]), Description: z.string().meta({ description: "The format, or the SMTP server and recipients; never the webhook URL or password." }) })
  .meta({ description: "The channel's secret (webhook URL, SMTP password) is never returned." });
const ALERT_DELIVERY = z.object({ Id: z.number().int(), ChannelName: z.string(), Event: z.enum(["fired", "resolved", "test"]), Ok: z.boolean(), Attempts: z.number().int(), Error: z.string().nullable(), At: z.string().datetime() });

const SCHEMAS = {
  Error: z.object({
    error: z.object({
      code: z.string().meta({ description: "Unauthorized, Forbidden, NotFound, ValidationFailed, Conflict, SourceUnavailable, InternalError" }),
      message: z.string().meta({ description: "What went wrong, in plain words; for a 400 it starts with the field's name." }),
      fields: z.record(z.string(), z.string()).optional().meta({ description: "Field name (dotted for nested fields, e.g. RetryPolicy.MaxRetryCount) → message." }),
    }),
  }),
  Organization: z.object({
    OrganizationId: guid(),
    OrganizationName: z.string(),
    OrganizationUrl: z.string(),
    ConnectorUrl: z.string().meta({ description: "Base URL of the profile operations: {ConnectorUrl}/crm/exporter/" }),
    DataverseOrganizationId: z.string().nullable(),
    IsDemo: z.boolean(),
    AuthenticationType: z.enum(["StaticToken", "ClientCredentials"]),
    PrivacyTermsAccepted: z.boolean(),
    PrivacyTermsAcceptedOn: when(),
    PrivacyTermsAcceptedBy: z.string().nullable(),
    ProfileCount: z.number().int(),
    ClientSecretExpiresOn: z.string().nullable().meta({ description: "The day the client secret expires (YYYY-MM-DD), as an admin recorded it on the Edit organization page; null when not recorded. The credentials-expiry alert rule fires N days before it." }),
  }),
  Connector: z.object({ OrganizationId: guid(), OrganizationUrl: z.string(), ConnectorUrl: z.string() }),
  Entity: z.object({
    LogicalName: z.string(),
    DisplayName: z.string(),
    EntitySetName: z.string(),
    IsChangeTrackingEnabled: z.boolean(),
    IsExportable: z.boolean(),
    NotExportableReason: z.string().nullable(),
    ApproximateRecordCount: z.number().int().nullable(),
  }),
  Relationship: z.object({ SchemaName: z.string(), Entity1LogicalName: z.string(), Entity2LogicalName: z.string(), IntersectEntityName: z.string() }),
  EntityStatus: z.object({
    TotalNotifications: z.number().int(),
    SuccessNotifications: z.number().int(),
    FailureNotifications: z.number().int(),
    LastExportDate: when(),
    EntityMetadataState: z.enum(["NotCreated", "Created", "Failed"]),
    InitialSyncState: z.enum(TABLE_STATES),
    InitialSyncProgress: z.object({ Done: z.number().int(), Total: z.number().int().nullable() }),
    Phase: z.enum(["disabled", "draft", "inactive", "failed", "metadata", "metadata-only", "initial-export", "in-sync"]),
    LastChangeDate: when(),
    LagSeconds: z.number().int().nullable(),
    LastError: z.string().nullable(),
  }),
  Profile: z.object({
    Id: guid(),
    Version: z.number().int().meta({ description: "Moves on with every update and activation." }),
    State: z.enum(PROFILE_STATES.map((s) => DES_STATES[s]) as [string, ...string[]]),
    Name: z.string(),
    OrganizationId: guid(),
    OrganizationUrl: z.string(),
    // Status: an EntityStatus (linked in openApiDocument), with ?status=true and after activate/deactivate.
    Entities: z.array(z.object({ Type: z.string(), Status: z.object({}).optional() })),
    Relationships: z.array(z.object({ Type: z.string(), Status: z.object({}).optional() })),
    DestinationType: z.enum(["sqlite", "postgres", "mssql", "datalake"]),
    DestinationKeyVaultUri: z.string().nullable(),
    DestinationPrefix: z.string(),
    DestinationSchemaName: z.string(),
    HasDestinationConnectionString: z.boolean().meta({ description: "The connection string itself is write-only and never returned." }),
    Connection: z
      .object({ Id: guid(), Name: z.string(), DestinationType: z.enum(["sqlite", "postgres", "mssql", "datalake"]) })
      .nullable()
      .meta({ description: "The named connection the profile exports over (name and type only); null when the profile has a target of its own." }),
    RetryPolicy: z.object({ MaxRetryCount: z.number().int(), IntervalInSeconds: z.number().int(), Backoff: z.literal("Constant") }),
    WriteDeleteLog: z.boolean(),
    DataLake: z
      .object({
        Mode: z.enum(["AppendOnly", "InPlace"]),
        PartitionGranularity: z.enum(["Year", "Month"]),
        SnapshotIntervalMinutes: z.number().int(),
        SnapshotRetention: z.number().int(),
        IncrementalUpdateFolders: z.boolean(),
        LastSnapshotDate: when().optional(),
        SnapshotCount: z.number().int().optional(),
        FilesWritten: z.number().int().optional(),
        BytesWritten: z.number().optional(),
        Format: z.enum(["Csv", "Delta"]),
        Database: z.string().nullable().optional().meta({ description: "The lake database: the files are under <container>[/path]/<Database>/." }),
        LakeDatabase: z
          .object({ Name: z.string().nullable(), BuiltOn: when(), PreviousDatabases: z.array(z.object({ Name: z.string(), StoppedOn: z.string() })) })
          .optional()
          .meta({ description: "With status: when the DuckDB database file was last built, and databases the export stopped updating when renamed." }),
        Delta: z
          .object({
            CompactionIntervalMinutes: z.number().int(),
            VacuumIntervalMinutes: z.number().int(),
            RetentionHours: z.number().int(),
            Version: z.number().int().nullable().optional(),
            LiveFiles: z.number().int().optional(),
            LastCompactionDate: when().optional(),
          })
          .optional()
          .meta({ description: "Format Delta only: the schedule, and with ?status=true the newest Delta version, live data files and last compaction." }),
      })
      .nullable()
      .meta({ description: "DestinationType datalake only (null otherwise). The figures (LastSnapshotDate…) come with ?status=true." }),
    Refresh: REFRESH.extend({ NextRunDate: when(), RunRequestedDate: when().meta({ description: "A Run now waiting for the worker." }) }).meta({
      description: "Continuous (DES style; every SQL target) or, for data lake exports, every N hours or a cron expression (UTC): the worker reads and writes the changes only at each run, with no Dataverse traffic between runs.",
    }),
    Status: z
      .object({
        LastSyncDate: when(),
        LagSeconds: z.number().int().nullable(),
        RecordsSynced: z.number().int(),
        Failures: z.number().int(),
        FailedRecords: z.number().int(),
        InitialSyncProgress: z.object({ Done: z.number().int(), Total: z.number().int() }).nullable(),
        LastError: z.string().nullable(),
        Owner: z
          .object({
            WorkerId: z.string(),
            Host: z.string(),
            Pid: z.number().int(),
            Role: z.enum(["worker", "web+worker", "cli"]),
            Epoch: z.number().int().meta({ description: "Fencing epoch: incremented on every takeover of the profile." }),
            LastHeartbeat: z.string().datetime(),
          })
          .nullable()
          .meta({ description: "The process running this profile now (exactly one runner per profile); null when no live process holds it." }),
      })
      .optional(),
    CreatedOn: z.string().datetime(),
    ModifiedOn: z.string().datetime(),
  }),
  ProfileRequest: z
    .object({
      Name: z.string().min(1).max(100).meta({ description: "Unique." }),
      OrganizationId: guid().meta({ description: "From metadata/organizations. Its privacy terms must be accepted." }),
      DestinationType: z.enum(["sqlite", "postgres", "mssql", "datalake"]).meta({ description: "Also accepted: SqlServer, AzureSql (mssql), PostgreSql; datalake: the Azure Synapse Link lake layout." }),
      DestinationConnectionString: z.string().min(1).max(4000).optional().meta({ description: "sqlite:PATH, postgres://…, mssql://…, an ADO.NET SQL Server string, or a data lake: lake:PATH, abfss://CONTAINER@ACCOUNT.dfs.core.windows.net/PATH[;AccountKey=…], https://ACCOUNT.blob.core.windows.net/CONTAINER/PATH?SAS, a storage connection string with ;Container=NAME. Write-only. Give this or DestinationKeyVaultUri." }),
      DestinationKeyVaultUri: z.string().regex(KEY_VAULT_SECRET_URL).optional().meta({ description: "https://<vault>.vault.azure.net/secrets/<name>[/<version>]: a secret holding the connection string, read with the server's Azure identity at validation and activation." }),
      ConnectionId: guid().optional().meta({ description: "A named connection (GET connections) instead of a target of the profile's own; DestinationType may then be left out. The only way a contributor can export: over a connection shared with contributors." }),
      DestinationSchemaName: z.string().regex(/^[A-Za-z0-9]+$/).max(64).default("dbo"),
      DestinationPrefix: z.string().regex(/^[A-Za-z0-9]*$/).max(14).default(""),
      Entities: z.array(z.union([z.string(), z.object({ Type: z.string() })])).min(1).meta({ description: "Table logical names, or { Type } objects as the old product took them." }),
      Relationships: z.array(z.union([z.string(), z.object({ Type: z.string() })])).default([]).meta({ description: "N:N relationship schema names." }),
      RetryPolicy: z.object({ MaxRetryCount: z.number().int().min(0).max(20).default(12), IntervalInSeconds: z.number().int().min(0).max(3600).default(5) }).optional(),
      WriteDeleteLog: z.boolean().default(false),
      DataLake: z
        .object({
          Mode: z.enum(["AppendOnly", "InPlace"]).default("AppendOnly").meta({ description: "AppendOnly: every change is a new row, a delete a row with IsDelete=True. InPlace: partition files are rewritten." }),
          PartitionGranularity: z.enum(["Year", "Month"]).default("Year").meta({ description: "Partition files by the record's createdon year or month." }),
          SnapshotIntervalMinutes: z.number().int().min(0).max(10080).default(60),
          SnapshotRetention: z.number().int().min(1).max(1000).default(5),
          IncrementalUpdateFolders: z.boolean().default(false).meta({ description: "Accepted and stored; not written yet." }),
          Format: z.enum(["Csv", "Delta"]).default("Csv").meta({ description: "Csv: Synapse Link CSV + model.json. Delta: Delta tables at deltalake/<table>_partitioned/ (protocol reader 1 / writer 2)." }),
          Database: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/).max(128).optional().meta({ description: "A lake database (Csv only): files under <container>[/path]/<Database>/, a DuckDB database file and a Synapse script over them. Unique per lake location." }),
          Delta: z
            .object({
              CompactionIntervalMinutes: z.number().int().min(0).max(10080).default(60),
              VacuumIntervalMinutes: z.number().int().min(0).max(43200).default(1440),
              RetentionHours: z.number().int().min(0).max(8760).default(168).meta({ description: "Removed files are kept this long: time travel reaches this far back." }),
            })
            .optional(),
        })
        .optional()
        .meta({ description: "DestinationType datalake only." }),
      Refresh: REFRESH_REQUEST.optional(),
    }),
  ProfileUpdate: z
    .object({
      Name: z.string().min(1).max(100),
      DestinationType: z.enum(["sqlite", "postgres", "mssql", "datalake"]).meta({ description: "Only while no table exists in the target." }),
      DestinationConnectionString: z.string().min(1).max(4000).meta({ description: "Omit to keep the stored one." }),
      DestinationKeyVaultUri: z.string().regex(KEY_VAULT_SECRET_URL),
      ConnectionId: guid().meta({ description: "Export over this named connection from now on (a connection string or Key Vault URL instead leaves it; admins only)." }),
      DestinationSchemaName: z.string().regex(/^[A-Za-z0-9]+$/).max(64).meta({ description: "Only while no table exists in the target." }),
      DestinationPrefix: z.string().regex(/^[A-Za-z0-9]*$/).max(14).meta({ description: "Only while no table exists in the target." }),
      Entities: z.array(z.union([z.string(), z.object({ Type: z.string() })])).min(1).meta({ description: "Left-out tables stop syncing; their data stays in the target." }),
      Relationships: z.array(z.union([z.string(), z.object({ Type: z.string() })])),
      RetryPolicy: z.object({ MaxRetryCount: z.number().int().min(0).max(20), IntervalInSeconds: z.number().int().min(0).max(3600) }).partial(),
      WriteDeleteLog: z.boolean(),
      Refresh: REFRESH_REQUEST,
      DataLake: z.object({ Mode: z.enum(["AppendOnly", "InPlace"]), PartitionGranularity: z.enum(["Year", "Month"]), SnapshotIntervalMinutes: z.number().int().min(0).max(10080), SnapshotRetention: z.number().int().min(1).max(1000), IncrementalUpdateFolders: z.boolean(), Format: z.enum(["Csv", "Delta"]), Database: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/).max(128).meta({ description: "A new name starts a new database (a full export into its folder); the old one stops updating. It cannot be removed." }), Delta: z.object({ CompactionIntervalMinutes: z.number().int().min(0).max(10080), VacuumIntervalMinutes: z.number().int().min(0).max(43200), RetentionHours: z.number().int().min(0).max(8760) }).partial() }).partial().meta({ description: "Mode and PartitionGranularity apply to tables not yet in the lake." }),
    })
    .partial()
    .meta({ description: "Fields present are changed; absent ones are kept." }),
  ValidationReport: z.object({
    IsValid: z.boolean(),
    Checks: z.array(z.object({ Id: z.string(), Name: z.string(), Passed: z.boolean(), Detail: z.string(), Fix: z.string().nullable().meta({ description: "Exactly what to do, e.g. the GRANT statement to run." }) })),
  }),
  ReconcileRequest: z
    .object({
      Entities: z.array(z.string()).optional().meta({ description: "Logical names of the tables (and N:N relationships) to compare; all enabled ones when absent." }),
      Repair: z.boolean().optional().meta({ description: "true: re-sync the missing and stale rows and delete the extra ones (DeleteLog when on)." }),
    })
    .meta({ description: "Optional; an empty body compares every table without repairing." }),
  RefreshRuns: z.object({
    ProfileId: guid(),
    Mode: z.enum(["Continuous", "EveryHours", "Cron"]),
    Schedule: z.string().meta({ description: 'e.g. "every 6 hours", "cron 0 2 * * * (UTC)", "continuous".' }),
    NextRunDate: when(),
    RunRequestedDate: when(),
    Runs: z.array(
      z.object({
        Id: guid(),
        Trigger: z.enum(["Schedule", "Manual"]),
        RequestedBy: z.string().nullable(),
        DueOn: z.string().datetime(),
        StartedOn: z.string().datetime(),
        EndedOn: when(),
        Result: z.enum(["Running", "Succeeded", "Failed"]),
        RowsWritten: z.number().int().meta({ description: "Rows written and deleted in the target by this run." }),
        Message: z.string().nullable().meta({ description: "Why the run failed (tables that failed, or the error)." }),
      }),
    ).meta({ description: "Newest first." }),
    NextCursor: z.string().nullable().meta({ description: "Pass as `before` for older runs; null on the last page." }),
  }),
  Reconciliation: z.object({
    ProfileId: guid(),
    Schedule: z.object({
      Enabled: z.boolean(),
      TimeOfDayUtc: z.string().meta({ description: "HH:MM, UTC: the daily run." }),
      EveryHours: z.number().int().nullable().meta({ description: "When set, every N hours instead of daily." }),
      NextRunOn: when(),
    }),
    Latest: z.lazy(() => RECONCILIATION_RUN).nullable().meta({ description: "The newest request, whatever its state." }),
    LastCompleted: z.lazy(() => RECONCILIATION_RUN).nullable().meta({ description: "The newest finished run: the last result." }),
  }),
  AuditEntry: AUDIT_ENTRY,
  AuditPage: z.object({
    Entries: z.array(AUDIT_ENTRY),
    NextCursor: z.string().nullable().meta({ description: "Pass as ?cursor= for the next (older) page; null on the last page." }),
  }),
  Connection: z
    .object({
      Id: guid(),
      Name: z.string(),
      DestinationType: z.enum(["sqlite", "postgres", "mssql", "datalake"]),
      SharedWithContributors: z.boolean().optional().meta({ description: "Admins only (false) or contributors too (true)." }),
      Target: z.string().optional().meta({ description: "The target without password, key or SAS." }),
      TermsAcceptedOn: z.string().datetime().optional(),
      TermsAcceptedBy: z.string().optional(),
      CreatedBy: z.string().nullable().optional(),
      CreatedOn: z.string().datetime().optional(),
      ModifiedOn: z.string().datetime().optional(),
      Exports: z.array(z.object({ Id: guid(), Name: z.string(), State: z.string() })).optional(),
    })
    .meta({ description: "Contributors and viewers get Id, Name and DestinationType only, and only for connections shared with contributors. The secret is never returned." }),
  ConnectionRequest: z.object({
    Name: z.string().min(1).max(100).meta({ description: "Display name, unique." }),
    DestinationType: z.enum(["sqlite", "postgres", "mssql", "datalake"]),
    ConnectionString: z.string().min(1).max(4000).meta({ description: "The target, as DestinationConnectionString of a profile. Write-only." }),
    SharedWithContributors: z.boolean().default(false),
    AgreeToDataPrivacyAndCompliance: z.literal(true).meta({ description: "Required: the data privacy and compliance terms (recorded with who and when)." }),
  }),
  ConnectionUpdate: z
    .object({
      Name: z.string().min(1).max(100),
      ConnectionString: z.string().min(1).max(4000).meta({ description: "A new secret: needs AgreeToDataPrivacyAndCompliance again; every export over the connection uses it from now on." }),
      SharedWithContributors: z.boolean().meta({ description: "Changing it keeps the exports." }),
      AgreeToDataPrivacyAndCompliance: z.boolean(),
    })
    .partial(),
  AlertRule: ALERT_RULE,
  AlertRuleRequest: z.object({
    Kind: z.enum(ALERT_KINDS),
    Threshold: z.number().int().optional().meta({
      description: "lag: minutes (default 30); failures: per hour (10); profile-failed: minutes stopped (5); credentials-expiry: days before the organization's client secret expires (14; needs its expiry date, Edit organization); reconcile-differences: differences (0); none for table-failed and credentials.",
    }),
  }),
  AlertChannel: ALERT_CHANNEL,
  AlertChannelRequest: z
    .object({
      Kind: z.enum(["webhook", "email"]),
      Name: z.string().min(1).max(100),
      Url: z.string().max(2000).optional().meta({ description: "webhook: the http(s) URL (secret, write-only). On PUT: omit or empty to keep the stored one." }),
      Format: z.enum(["json", "teams", "slack"]).optional().meta({ description: "webhook: the body format (default json)." }),
      Host: z.string().optional().meta({ description: "email: the SMTP server." }),
      Port: z.number().int().min(1).max(65535).optional().meta({ description: "email: default 587." }),
      Security: z.enum(["starttls", "tls", "none"]).optional().meta({ description: "email: default starttls." }),
      User: z.string().optional(),
      Password: z.string().optional().meta({ description: "email: write-only. On PUT: omit or empty to keep the stored one." }),
      From: z.string().optional(),
      To: z.array(z.string()).optional().meta({ description: "email: 1–50 recipients." }),
    })
    .meta({ description: "A channel's kind cannot change on PUT." }),
  AlertDelivery: ALERT_DELIVERY,
  Alerts: z.object({
    ProfileId: guid(),
    Rules: z.array(ALERT_RULE),
    Channels: z.array(ALERT_CHANNEL),
    Alerts: z
      .array(
        z.object({
          Id: guid(), Kind: z.string(), Subject: z.string().nullable().meta({ description: "table-failed: the table; credentials-expiry: secret-expires:<date>." }),
          Message: z.string(), Open: z.boolean(), FiredOn: z.string().datetime(), ResolvedOn: z.string().datetime().nullable(), Deliveries: z.array(ALERT_DELIVERY),
        }),
      )
      .meta({ description: "The alert history, newest first, at most 50." }),
    Tests: z.array(ALERT_DELIVERY).meta({ description: "Test alerts sent, newest first, at most 10." }),
  }),
  AlertTestResult: z.object({ ChannelName: z.string(), Sent: z.literal(true) }),
  FailuresLink: z.object({
    Uri: z.string().meta({ description: `Download of the failure log, usable without a token for ${LINK_LIFETIME_SECONDS / 3600} hours.` }),
    ExpiresOn: z.string().datetime(),
    Format: z.enum(["des", "csv"]),
    FailureCount: z.number().int(),
  }),
};

type Op = { summary: string; description?: string; tags: string[]; params?: string[]; body?: string; bodyOptional?: true; ok: { status: number; schema?: string; array?: boolean; scalar?: object; text?: boolean; media?: string }; errors: number[]; security?: false };

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const ORG = ["organizationId", "organizationUrl"];

const OPERATIONS: Record<string, Record<string, Op>> = {
  "/crm/exporter/metadata/organizations": { get: { summary: "Organizations registered in this portal", tags: ["Metadata"], ok: { status: 200, schema: "Organization", array: true }, errors: [401] } },
  "/crm/exporter/metadata/discover": { get: { summary: "One organization, by URL or id", tags: ["Metadata"], params: ORG, ok: { status: 200, schema: "Organization" }, errors: [400, 401, 404] } },
  "/crm/exporter/metadata/connector": { get: { summary: "Where the profile operations of an organization live", tags: ["Metadata"], params: ORG, ok: { status: 200, schema: "Connector" }, errors: [400, 401, 404] } },
  "/crm/exporter/metadata/entities": { get: { summary: "Tables of an organization, and whether each can be exported", tags: ["Metadata"], params: ORG, ok: { status: 200, schema: "Entity", array: true }, errors: [400, 401, 404, 502] } },
  "/crm/exporter/metadata/relationships": { get: { summary: "N:N relationships of an organization (only among `entities` when given)", tags: ["Metadata"], params: [...ORG, "entities"], ok: { status: 200, schema: "Relationship", array: true }, errors: [400, 401, 404, 502] } },
  "/crm/exporter/metadata/hasorgacceptedprivacyterms": { get: { summary: "Whether an admin accepted the organization's privacy terms", tags: ["Metadata"], params: ORG, ok: { status: 200, scalar: { type: "boolean" } }, errors: [400, 401, 404] } },
  "/crm/exporter/metadata/acceptprivacyterms": { post: { summary: "Accept the organization's privacy terms (admin; records who and when)", tags: ["Metadata"], params: ORG, ok: { status: 200, schema: "Organization" }, errors: [400, 401, 403, 404] } },
  "/crm/exporter/profiles": {
    get: { summary: "Export profiles (of one organization when given)", tags: ["Profiles"], params: [...ORG, "status"], ok: { status: 200, schema: "Profile", array: true }, errors: [400, 401, 404] },
    post: { summary: "Create an export profile (admin; contributor over a connection shared with contributors; inactive until activated)", tags: ["Profiles"], body: "ProfileRequest", ok: { status: 201, schema: "Profile" }, errors: [400, 401, 403, 409] },
  },
  "/crm/exporter/profiles/validate": { post: { summary: "Check a profile description before creating it: source, tables, target, permissions, names", tags: ["Profiles"], body: "ProfileRequest", ok: { status: 200, schema: "ValidationReport" }, errors: [400, 401, 403] } },
  "/crm/exporter/profiles/{id}": {
    get: { summary: "One profile (with per-table status when status=true)", tags: ["Profiles"], params: ["id", "status"], ok: { status: 200, schema: "Profile" }, errors: [401, 404] },
    put: { summary: "Update a profile (admin; contributor when it uses a shared connection)", tags: ["Profiles"], params: ["id"], body: "ProfileUpdate", ok: { status: 200, schema: "Profile" }, errors: [400, 401, 403, 404, 409] },
    delete: { summary: "Delete a profile (admin; contributor when it uses a shared connection): stops it and forgets it; the target's tables and data stay", tags: ["Profiles"], params: ["id"], ok: { status: 204 }, errors: [401, 403, 404] },
  },
  "/crm/exporter/profiles/{id}/activate": { post: { summary: "Activate table definitions and data replication (admin; contributor over a shared connection)", tags: ["Profiles"], params: ["id"], ok: { status: 200, schema: "Profile" }, errors: [400, 401, 403, 404] } },
  "/crm/exporter/profiles/{id}/activatemetadata": { post: { summary: "Activate table definitions only (admin; contributor over a shared connection)", tags: ["Profiles"], params: ["id"], ok: { status: 200, schema: "Profile" }, errors: [400, 401, 403, 404] } },
  "/crm/exporter/profiles/{id}/activatedata": { post: { summary: "Activate data replication (admin; creates the tables first when needed)", tags: ["Profiles"], params: ["id"], ok: { status: 200, schema: "Profile" }, errors: [400, 401, 403, 404] } },
  "/crm/exporter/profiles/{id}/deactivate": { post: { summary: "Stop replication (admin; contributor over a shared connection)", tags: ["Profiles"], params: ["id"], ok: { status: 200, schema: "Profile" }, errors: [401, 403, 404] } },
  "/crm/exporter/profiles/{id}/resyncentity": { post: { summary: "Re-export one table alone (admin; not in the old product): its rows are read again, the other tables keep syncing", tags: ["Profiles"], params: ["id", "entity"], ok: { status: 200, schema: "Profile" }, errors: [400, 401, 403, 404] } },
  "/crm/exporter/profiles/{id}/resyncfailedrecords": { post: { summary: "Write again every record whose last attempt failed (admin; not in the old product); the failure log is kept", tags: ["Profiles"], params: ["id"], ok: { status: 200, schema: "Profile" }, errors: [401, 403, 404] } },
  "/crm/exporter/profiles/{id}/reconcile": {
    post: {
      summary: "Compare the target with the source, table by table (admin; not in the old product); with Repair, fix the differences",
      description: "Stores the request and answers 202 at once: the sync worker runs it beside the delta sync (ids and versionnumber only, 5,000 a page). Poll GET profiles/{id}/reconciliation for the result.",
      tags: ["Profiles"], params: ["id"], body: "ReconcileRequest", bodyOptional: true, ok: { status: 202, schema: "Reconciliation" }, errors: [400, 401, 403, 404],
    },
  },
  "/crm/exporter/profiles/{id}/reconciliation": { get: { summary: "The latest reconciliation of a profile (running or finished), the last result and the schedule", tags: ["Profiles"], params: ["id"], ok: { status: 200, schema: "Reconciliation" }, errors: [401, 404] } },
  "/crm/exporter/profiles/{id}/run": {
    post: {
      summary: "Run now: a scheduled data lake export reads and writes the changes since its last run at once (admin; contributor over a shared connection; not in the old product)",
      description: "Stores the request and answers 202; the worker running the export starts the run at its next look at the store (a few seconds). 409 when the export is continuous or inactive. Poll GET profiles/{id}/runs for the result.",
      tags: ["Profiles"], params: ["id"], ok: { status: 202, schema: "RefreshRuns" }, errors: [401, 403, 404, 409],
    },
  },
  "/crm/exporter/profiles/{id}/runs": { get: { summary: "The run history of a scheduled export (newest first) and its next run time", tags: ["Profiles"], params: ["id", "runsLimit", "before"], ok: { status: 200, schema: "RefreshRuns" }, errors: [400, 401, 404] } },
  "/crm/exporter/profiles/{id}/test": { get: { summary: "Run the validation checks for a saved profile", tags: ["Profiles"], params: ["id"], ok: { status: 200, schema: "ValidationReport" }, errors: [401, 404] } },
  "/crm/exporter/profiles/{id}/failures": { get: { summary: "A signed link to the profile's failure log", tags: ["Profiles"], params: ["id", "format"], ok: { status: 200, schema: "FailuresLink" }, errors: [400, 401, 404] } },
  "/crm/exporter/profiles/{id}/lake-database/duckdb": {
    get: {
      summary: "The export's lake database as a DuckDB database file (not in the old product; admins, and contributors over a shared connection: an Azure lake's file holds the rows)",
      description: "One view per table over its latest state (highest versionnumber per Id, deletes removed), raw.<table> with every row, lake_database_tables listing the tables and when a removed one stopped updating. Built by the worker after a cycle that wrote. A folder lake's views read its CSV files in place; an Azure lake's raw tables hold a copy. database=NAME: a previous database of the export.",
      tags: ["Lake database"], params: ["id", "lakeDatabase"], ok: { status: 200, media: "application/octet-stream" }, errors: [400, 401, 403, 404],
    },
  },
  "/crm/exporter/profiles/{id}/lake-database/synapse.sql": {
    get: {
      summary: "The Synapse serverless SQL script of the export's lake database (not in the old product; any role: it holds table definitions only)",
      description: "CREATE EXTERNAL DATA SOURCE over the lake's container, then one CREATE OR ALTER VIEW … OPENROWSET(BULK '<database>/<table>/*.csv', FORMAT='CSV', PARSER_VERSION='2.0') WITH (typed columns) per table found at the last build; removed tables kept with a comment. database=NAME: a previous database.",
      tags: ["Lake database"], params: ["id", "lakeDatabase"], ok: { status: 200, media: "application/sql" }, errors: [400, 401, 403, 404],
    },
  },
  "/crm/exporter/downloads/failures": {
    get: {
      summary: "The failure log behind a signed link (no token)",
      description: "One line per failure, oldest first: `Entity: account, RecordId: …, NotificationTime: 8/31/2016 6:50:38 PM, ChangeType: New, FailureReason: …` (or CSV). Links come from GET profiles/{id}/failures.",
      tags: ["Downloads"], params: ["linkProfileId", "format", "expires", "signature"], ok: { status: 200, text: true }, errors: [400, 403, 404], security: false,
    },
  },
  "/crm/exporter/audit": {
    get: {
      summary: "The audit log (admin; not in the old product): sign-ins and every change, newest first",
      description: "Filters: actor (part of the email or token name), action (one action or a family such as profile), objectType, object (id or part of the name), from/to (ISO times). Pages of `limit` entries (1–200, default 50); pass NextCursor back as cursor. format=csv streams every matching entry, oldest first.",
      tags: ["Audit"], params: ["auditActor", "auditAction", "auditObjectType", "auditObject", "from", "to", "cursor", "limit", "auditFormat"], ok: { status: 200, schema: "AuditPage" }, errors: [400, 401, 403],
    },
  },
  "/crm/exporter/connections": {
    get: { summary: "Named connections: all in full for admins; for others the ones shared with contributors, name and type only", tags: ["Connections"], ok: { status: 200, schema: "Connection", array: true }, errors: [401] },
    post: { summary: "Define a connection (admin): target and secret, who may use it, and the data privacy and compliance agreement", tags: ["Connections"], body: "ConnectionRequest", ok: { status: 201, schema: "Connection" }, errors: [400, 401, 403, 409] },
  },
  "/crm/exporter/connections/{id}": {
    get: { summary: "One connection (a non-admin: only a shared one, name and type)", tags: ["Connections"], params: ["connectionId"], ok: { status: 200, schema: "Connection" }, errors: [401, 404] },
    put: { summary: "Rename, share or un-share (exports are kept), or replace the secret (admin)", tags: ["Connections"], params: ["connectionId"], body: "ConnectionUpdate", ok: { status: 200, schema: "Connection" }, errors: [400, 401, 403, 404, 409] },
    delete: { summary: "Remove a connection (admin); refused (409) while exports use it: remove or detach them first", tags: ["Connections"], params: ["connectionId"], ok: { status: 204 }, errors: [401, 403, 404, 409] },
  },
  "/crm/exporter/profiles/{id}/detach": { post: { summary: "Detach an export from its connection (admin): it keeps its tables and history and becomes inactive until it gets a target", tags: ["Profiles"], params: ["id"], ok: { status: 200, schema: "Profile" }, errors: [400, 401, 403, 404] } },
  "/crm/exporter/profiles/{id}/alerts": {
    get: { summary: "A profile's alert rules, channels (without secrets), alert history and test alerts sent", tags: ["Alerts"], params: ["id"], ok: { status: 200, schema: "Alerts" }, errors: [401, 404] },
  },
  "/crm/exporter/profiles/{id}/alerts/rules": {
    post: { summary: "Add an alert rule (admin)", tags: ["Alerts"], params: ["id"], body: "AlertRuleRequest", ok: { status: 201, schema: "AlertRule" }, errors: [400, 401, 403, 404] },
  },
  "/crm/exporter/profiles/{id}/alerts/rules/{ruleId}": {
    delete: { summary: "Remove an alert rule and its alerts (admin)", tags: ["Alerts"], params: ["id", "ruleId"], ok: { status: 204 }, errors: [401, 403, 404] },
  },
  "/crm/exporter/profiles/{id}/alerts/channels": {
    post: { summary: "Add a channel (admin): a webhook (JSON, Teams, Slack) or email over SMTP; its secret is stored encrypted", tags: ["Alerts"], params: ["id"], body: "AlertChannelRequest", ok: { status: 201, schema: "AlertChannel" }, errors: [400, 401, 403, 404] },
  },
  "/crm/exporter/profiles/{id}/alerts/channels/{channelId}": {
    put: { summary: "Change a channel's name and target (admin); its secret only when given again", tags: ["Alerts"], params: ["id", "channelId"], body: "AlertChannelRequest", ok: { status: 200, schema: "AlertChannel" }, errors: [400, 401, 403, 404] },
    delete: { summary: "Remove a channel (admin)", tags: ["Alerts"], params: ["id", "channelId"], ok: { status: 204 }, errors: [401, 403, 404] },
  },
  "/crm/exporter/profiles/{id}/alerts/channels/{channelId}/test": {
    post: { summary: "Send a test alert to a channel now (admin); 502 says why it failed", tags: ["Alerts"], params: ["id", "channelId"], ok: { status: 200, schema: "AlertTestResult" }, errors: [401, 403, 404, 502] },
  },
  "/crm/exporter/swagger.json": { get: { summary: "This document", tags: ["Documentation"], ok: { status: 200, scalar: { type: "object" } }, errors: [], security: false } },
};

const PARAMETERS: Record<string, object> = {
  organizationId: { name: "organizationId", in: "query", required: false, description: "The organization's id (from metadata/organizations). Give this or organizationUrl.", schema: { type: "string", format: "uuid" } },
  organizationUrl: { name: "organizationUrl", in: "query", required: false, description: "The environment URL, e.g. https://contoso.crm.dynamics.com.", schema: { type: "string" } },
  entity: { name: "entity", in: "query", required: true, description: "The table's logical name, e.g. account.", schema: { type: "string" } },
  entities: { name: "entities", in: "query", required: false, description: "Comma-separated table logical names.", schema: { type: "string" } },
  status: { name: "status", in: "query", required: false, description: "true: include per-table status.", schema: { type: "boolean" } },
  id: { name: "id", in: "path", required: true, description: "Profile id.", schema: { type: "string", format: "uuid" } },
  connectionId: { name: "id", in: "path", required: true, description: "Connection id.", schema: { type: "string", format: "uuid" } },
  lakeDatabase: { name: "database", in: "query", required: false, description: "A previous database of the export, by name (default: the current one).", schema: { type: "string" } },
  ruleId: { name: "ruleId", in: "path", required: true, description: "Alert rule id.", schema: { type: "string", format: "uuid" } },
  channelId: { name: "channelId", in: "path", required: true, description: "Alert channel id.", schema: { type: "string", format: "uuid" } },
  format: { name: "format", in: "query", required: false, description: "des (the old product's lines, default) or csv.", schema: { type: "string", enum: ["des", "csv"] } },
  auditActor: { name: "actor", in: "query", required: false, description: "Part of the actor's email or token name.", schema: { type: "string" } },
  auditAction: { name: "action", in: "query", required: false, description: "One action (profile.activate) or a family (profile).", schema: { type: "string" } },
  auditObjectType: { name: "objectType", in: "query", required: false, schema: { type: "string", enum: ["session", "user", "token", "organization", "profile", "connection", "alert"] } },
  auditObject: { name: "object", in: "query", required: false, description: "The object's id, or part of its name.", schema: { type: "string" } },
  from: { name: "from", in: "query", required: false, description: "Entries at or after this time (ISO 8601).", schema: { type: "string", format: "date-time" } },
  to: { name: "to", in: "query", required: false, description: "Entries at or before this time (ISO 8601).", schema: { type: "string", format: "date-time" } },
  cursor: { name: "cursor", in: "query", required: false, description: "NextCursor of the previous page.", schema: { type: "string" } },
  limit: { name: "limit", in: "query", required: false, description: "Entries per page, 1–200 (default 50).", schema: { type: "integer", minimum: 1, maximum: 200 } },
  auditFormat: { name: "format", in: "query", required: false, description: "json (default) or csv (every matching entry, oldest first).", schema: { type: "string", enum: ["json", "csv"] } },
  runsLimit: { name: "limit", in: "query", required: false, description: "Runs per page, 1–100 (default 20).", schema: { type: "integer", minimum: 1, maximum: 100 } },
  before: { name: "before", in: "query", required: false, description: "NextCursor of the previous page: older runs.", schema: { type: "string", format: "date-time" } },
  linkProfileId: { name: "profileId", in: "query", required: true, schema: { type: "string", format: "uuid" } },
  expires: { name: "expires", in: "query", required: true, description: "Unix time the link expires.", schema: { type: "integer" } },
  signature: { name: "signature", in: "query", required: true, schema: { type: "string" } },
};

const ERROR_TEXT: Record<number, string> = {
  400: "Invalid request: the message and `fields` name the field.",
  401: "No token, or a token that is unknown, revoked or expired.",
  403: "The token's role may not do this (viewer tokens only read; contributor tokens change only profiles over connections shared with contributors; the audit log is for admins), or the link is invalid or expired.",
  404: "No such organization, profile or connection.",
  409: "A profile or connection with that name already exists, or a connection still has exports.",
  502: "The Dataverse organization could not be read, or (a test alert) the channel refused or did not answer.",
};

function jsonSchema(s: z.ZodType): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

function operation(path: string, method: string, op: Op): Record<string, unknown> {
  const okContent = op.ok.media
    ? { [op.ok.media]: { schema: { type: "string", ...(op.ok.media === "application/octet-stream" ? { format: "binary" } : {}) } } }
    : op.ok.text
    ? { "text/plain": { schema: { type: "string" } }, "text/csv": { schema: { type: "string" } } }
    : op.ok.schema
      ? { "application/json": { schema: op.ok.array ? { type: "array", items: ref(op.ok.schema) } : ref(op.ok.schema) } }
      : op.ok.scalar
        ? { "application/json": { schema: op.ok.scalar } }
        : undefined;
  const responses: Record<string, unknown> = {
    [String(op.ok.status)]: { description: op.ok.status === 204 ? "Done." : "OK.", ...(okContent ? { content: okContent } : {}) },
  };
  for (const code of op.errors) responses[String(code)] = { description: ERROR_TEXT[code], content: { "application/json": { schema: ref("Error") } } };
  return {
    operationId: `${method}${path.replace("/crm/exporter", "").replace(/\{(\w+)\}/g, "By_$1").split(/[/.]/).map((s) => s.charAt(0).toUpperCase() + s.slice(1)).join("")}`,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: op.tags,
    ...(op.params ? { parameters: op.params.map((p) => PARAMETERS[p]) } : {}),
    ...(op.body ? { requestBody: { required: op.bodyOptional !== true, content: { "application/json": { schema: ref(op.body) } } } } : {}),
    ...(op.security === false ? { security: [] } : {}),
    responses,
  };
}

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function componentSchemas(): Obj {
  const out: Obj = Object.fromEntries(Object.entries(SCHEMAS).map(([name, s]) => [name, jsonSchema(s)]));
  for (const list of ["Entities", "Relationships"]) {
    out.Profile.properties[list].items.properties.Status = { ...ref("EntityStatus"), description: "With status=true, and in the answers of activate/deactivate." };
  }
  return out;
}

export function openApiDocument(serverUrl: string): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: {
      title: "dataverse-export API",
      version: "1.0",
      description:
        "The Data Export Service's REST operations (metadata + profiles) with its field names. Authenticate with `Authorization: Bearer <token>`: an API token (portal → API tokens, or `npx dataverse-export token create`), or an Entra ID access token when Entra ID is configured. Viewer tokens can only read; contributor tokens also create and run profiles over connections shared with contributors.",
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    tags: [{ name: "Metadata" }, { name: "Profiles" }, { name: "Connections" }, { name: "Lake database" }, { name: "Alerts" }, { name: "Audit" }, { name: "Downloads" }, { name: "Documentation" }],
    paths: Object.fromEntries(Object.entries(OPERATIONS).map(([path, ops]) => [path, Object.fromEntries(Object.entries(ops).map(([m, op]) => [m, operation(path, m, op)]))])),
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "An API token (dvx_…) or an Entra ID access token." } },
      schemas: componentSchemas(),
    },
  };
}

/** Paths and methods the document describes (for the test that compares it with the route files). */
export function documentedOperations(): string[] {
  return Object.entries(OPERATIONS).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)).sort();
}
