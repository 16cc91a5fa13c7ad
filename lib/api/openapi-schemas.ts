// The bodies of the /crm/exporter OpenAPI document (lib/api/openapi.ts), described with zod and
// converted there with z.toJSONSchema; limits come from the services' schemas.
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

export const SCHEMAS = {
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
