// The REST API speaks the old product's JSON (PascalCase field names); the services speak ours.
// Everything that maps between the two lives here, including field names in error messages.
import { ConflictError, ValidationError } from "../errors";
import type { OrganizationRelationship, OrganizationSummary, OrganizationTable } from "../organizations/service";
import type { ProfileDetail, ProfileTableStatus } from "../profiles/status";
import type { ValidationReport } from "../profiles/validation";

type Json = Record<string, unknown>;

export const DES_STATES: Record<string, string> = { draft: "Draft", activating: "Activating", active: "Active", inactive: "Inactive", failed: "Failed" };

export function desOrganization(o: OrganizationSummary, connectorUrl: string): Json {
  return {
    OrganizationId: o.id,
    OrganizationName: o.name,
    OrganizationUrl: o.url,
    ConnectorUrl: connectorUrl,
    DataverseOrganizationId: o.dataverseOrgId,
    IsDemo: o.isDemo,
    AuthenticationType: o.authKind === "token" ? "StaticToken" : "ClientCredentials",
    PrivacyTermsAccepted: o.privacyAcceptedAt !== null,
    PrivacyTermsAcceptedOn: o.privacyAcceptedAt,
    PrivacyTermsAcceptedBy: o.privacyAcceptedBy,
    ProfileCount: o.profileCount,
    ClientSecretExpiresOn: o.clientSecretExpiresOn,
  };
}

export function desEntity(t: OrganizationTable): Json {
  return {
    LogicalName: t.logicalName,
    DisplayName: t.displayName,
    EntitySetName: t.entitySetName,
    IsChangeTrackingEnabled: t.changeTrackingEnabled,
    IsExportable: t.notSelectableReason === null,
    NotExportableReason: t.notSelectableReason,
    ApproximateRecordCount: t.approxRowCount,
  };
}

export function desRelationship(r: OrganizationRelationship): Json {
  return { SchemaName: r.schemaName, Entity1LogicalName: r.entity1, Entity2LogicalName: r.entity2, IntersectEntityName: r.intersectEntity };
}

function desTableStatus(t: ProfileTableStatus): Json {
  return {
    TotalNotifications: t.totalNotifications,
    SuccessNotifications: t.successNotifications,
    FailureNotifications: t.failureNotifications,
    LastExportDate: t.lastExportDate,
    EntityMetadataState: t.metadataState,
    InitialSyncState: t.initialSyncState,
    InitialSyncProgress: { Done: t.initialDone, Total: t.initialTotal },
    Phase: t.phase,
    LastChangeDate: t.lastChangeAt,
    LagSeconds: t.lagSeconds,
    LastError: t.lastError,
  };
}

/** A profile as the old product returned it; per-table `Status` only when asked (`?status=true`). */
export function desProfile(p: ProfileDetail, withStatus: boolean): Json {
  const item = (t: ProfileTableStatus) => ({ Type: t.logicalName, ...(withStatus ? { Status: desTableStatus(t) } : {}) });
  const enabled = p.tables.filter((t) => t.enabled);
  return {
    Id: p.id,
    Version: p.version,
    State: DES_STATES[p.state] ?? p.state,
    Name: p.name,
    OrganizationId: p.organizationId,
    OrganizationUrl: p.organizationUrl,
    Entities: enabled.filter((t) => t.kind === "entity").map(item),
    Relationships: enabled.filter((t) => t.kind === "relationship").map(item),
    DestinationType: p.destinationType,
    DestinationKeyVaultUri: p.keyVaultSecretUrl,
    DestinationPrefix: p.prefix,
    DestinationSchemaName: p.schemaName,
    HasDestinationConnectionString: p.hasConnectionString,
    // A named connection (beyond the old product): its id, name and type only.
    Connection: p.connection ? { Id: p.connection.id, Name: p.connection.name, DestinationType: p.connection.destinationType } : null,
    RetryPolicy: { MaxRetryCount: p.retryCount, IntervalInSeconds: p.retryIntervalSeconds, Backoff: "Constant" },
    WriteDeleteLog: p.writeDeleteLog,
    DataLake: p.lake
      ? {
            Mode: p.lake.mode === "inPlace" ? "InPlace" : "AppendOnly",
            PartitionGranularity: p.lake.partition,
            SnapshotIntervalMinutes: p.lake.snapshotMinutes,
            SnapshotRetention: p.lake.snapshotKeep,
            IncrementalUpdateFolders: p.lake.incrementalFolders,
            Format: p.lake.format === "delta" ? "Delta" : "Csv",
            // A lake database (issue 13): its name; with status, its build time and earlier names.
            Database: p.lake.database?.name || null,
            ...(withStatus && p.lake.database
              ? {
                  LakeDatabase: {
                    Name: p.lake.database.name || null,
                    BuiltOn: p.lake.database.builtAt,
                    PreviousDatabases: p.lake.database.previous.map((d) => ({ Name: d.name, StoppedOn: d.stoppedAt })),
                  },
                }
              : {}),
            ...(p.lake.delta
              ? {
                  Delta: {
                    CompactionIntervalMinutes: p.lake.delta.compactMinutes,
                    VacuumIntervalMinutes: p.lake.delta.vacuumMinutes,
                    RetentionHours: p.lake.delta.retentionHours,
                    ...(withStatus ? { Version: p.lake.delta.version, LiveFiles: p.lake.delta.files, LastCompactionDate: p.lake.delta.lastCompactionAt } : {}),
                  },
                }
              : {}),
            ...(withStatus
              ? { LastSnapshotDate: p.lake.lastSnapshotAt, SnapshotCount: p.lake.snapshotCount, FilesWritten: p.lake.filesWritten, BytesWritten: p.lake.bytesWritten }
              : {}),
          }
      : null,
    // Beyond the old product: continuous (DES style) or, for data lake exports, a schedule.
    Refresh: p.refresh ? desRefresh(p.refresh) : { Mode: "Continuous", EveryHours: null, Cron: null, NextRunDate: null, RunRequestedDate: null },
    ...(withStatus
      ? {
          Status: {
            LastSyncDate: p.lastSyncAt,
            LagSeconds: p.lagSeconds,
            RecordsSynced: p.recordsSynced,
            Failures: p.failures,
            FailedRecords: p.failedRecords,
            InitialSyncProgress: p.initialProgress ? { Done: p.initialProgress.done, Total: p.initialProgress.total } : null,
            LastError: p.lastError,
            // The process running the profile now (one runner per profile), null when none.
            Owner: p.owner
              ? { WorkerId: p.owner.workerId, Host: p.owner.host, Pid: p.owner.pid, Role: p.owner.role, Epoch: p.owner.epoch, LastHeartbeat: p.owner.heartbeatAt }
              : null,
          },
        }
      : {}),
    CreatedOn: p.createdAt,
    ModifiedOn: p.updatedAt,
  };
}

const REFRESH_MODE_NAMES = { continuous: "Continuous", hours: "EveryHours", cron: "Cron" } as const;

export function desRefresh(r: NonNullable<ProfileDetail["refresh"]>): Json {
  return { Mode: REFRESH_MODE_NAMES[r.mode], EveryHours: r.everyHours, Cron: r.cron, NextRunDate: r.nextRunAt, RunRequestedDate: r.requestedAt };
}

export function desValidationReport(r: ValidationReport): Json {
  return { IsValid: r.ok, Checks: r.checks.map((c) => ({ Id: c.id, Name: c.label, Passed: c.ok, Detail: c.detail, Fix: c.fix })) };
}

// ---- requests ------------------------------------------------------------------------------

/** Our field name → the API's (dotted for nested fields). */
export const DES_FIELDS: Record<string, string> = {
  name: "Name",
  organizationId: "OrganizationId",
  destinationType: "DestinationType",
  connectionString: "DestinationConnectionString",
  keyVaultSecretUrl: "DestinationKeyVaultUri",
  connectionId: "ConnectionId",
  schemaName: "DestinationSchemaName",
  prefix: "DestinationPrefix",
  retryCount: "RetryPolicy.MaxRetryCount",
  retryIntervalSeconds: "RetryPolicy.IntervalInSeconds",
  writeDeleteLog: "WriteDeleteLog",
  lakeMode: "DataLake.Mode",
  lakePartition: "DataLake.PartitionGranularity",
  lakeSnapshotMinutes: "DataLake.SnapshotIntervalMinutes",
  lakeSnapshotKeep: "DataLake.SnapshotRetention",
  lakeIncrementalFolders: "DataLake.IncrementalUpdateFolders",
  lakeFormat: "DataLake.Format",
  lakeDatabase: "DataLake.Database",
  lakeDeltaCompactMinutes: "DataLake.Delta.CompactionIntervalMinutes",
  lakeDeltaVacuumMinutes: "DataLake.Delta.VacuumIntervalMinutes",
  lakeDeltaRetentionHours: "DataLake.Delta.RetentionHours",
  refreshMode: "Refresh.Mode",
  refreshEveryHours: "Refresh.EveryHours",
  refreshCron: "Refresh.Cron",
  tables: "Entities",
  relationships: "Relationships",
  organizationUrl: "organizationUrl",
};

const DESTINATION_ALIASES: Record<string, string> = {
  sqlite: "sqlite", postgres: "postgres", postgresql: "postgres", mssql: "mssql", sqlserver: "mssql", azuresql: "mssql", azuresqldatabase: "mssql",
  datalake: "datalake", adls: "datalake", synapselink: "datalake",
};

function rename(key: string): string {
  const [head, ...rest] = key.split(".");
  const mapped = DES_FIELDS[head];
  if (!mapped) return key;
  return [mapped, ...rest].join(".");
}

/** Re-throws a service's validation or conflict error with the API's field names. */
export async function withDesFieldNames<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ValidationError) {
      const fields = Object.fromEntries(Object.entries(err.fieldErrors).map(([k, v]) => [rename(k), v]));
      const first = Object.keys(err.fieldErrors)[0];
      const message = first && err.message.startsWith(`${first}:`) ? `${rename(first)}:${err.message.slice(first.length + 1)}` : err.message;
      throw new ValidationError(message, fields);
    }
    if (err instanceof ConflictError && err.field) throw new ConflictError(err.message, rename(err.field));
    throw err;
  }
}

function listOfNames(v: unknown): unknown {
  if (!Array.isArray(v)) return v;
  // The old product took [{ "Type": "account" }]; plain names are accepted too.
  return v.map((x) => (x && typeof x === "object" && !Array.isArray(x) ? ((x as Json).Type ?? (x as Json).LogicalName ?? (x as Json).SchemaName ?? x) : x));
}

/**
 * A profile body in the API's names → the services' input. Values are passed through unchanged
 * (the services' schemas report wrong types); only absent fields are left out.
 */
export function fromDesProfile(body: unknown): Json {
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new ValidationError("The request body must be a JSON object describing the profile.");
  const b = body as Json;
  const out: Json = {};
  const put = (ours: string, v: unknown) => {
    if (v !== undefined) out[ours] = v;
  };
  put("name", b.Name);
  put("organizationId", b.OrganizationId);
  put("destinationType", typeof b.DestinationType === "string" ? (DESTINATION_ALIASES[b.DestinationType.toLowerCase()] ?? b.DestinationType) : b.DestinationType);
  put("connectionString", b.DestinationConnectionString);
  put("keyVaultSecretUrl", b.DestinationKeyVaultUri);
  put("connectionId", b.ConnectionId);
  put("schemaName", b.DestinationSchemaName);
  put("prefix", b.DestinationPrefix);
  put("writeDeleteLog", b.WriteDeleteLog);
  put("tables", listOfNames(b.Entities));
  put("relationships", listOfNames(b.Relationships));
  if (b.RetryPolicy !== undefined && b.RetryPolicy !== null) {
    if (typeof b.RetryPolicy !== "object" || Array.isArray(b.RetryPolicy)) {
      throw new ValidationError("RetryPolicy: must be an object like { \"MaxRetryCount\": 12, \"IntervalInSeconds\": 5 }.", { RetryPolicy: "Must be an object like { \"MaxRetryCount\": 12, \"IntervalInSeconds\": 5 }." });
    }
    const r = b.RetryPolicy as Json;
    put("retryCount", r.MaxRetryCount);
    put("retryIntervalSeconds", r.IntervalInSeconds);
  }
  if (b.DataLake !== undefined && b.DataLake !== null) {
    if (typeof b.DataLake !== "object" || Array.isArray(b.DataLake)) {
      throw new ValidationError('DataLake: must be an object like { "Mode": "AppendOnly", "PartitionGranularity": "Year" }.', { DataLake: "Must be an object." });
    }
    const l = b.DataLake as Json;
    const mode = typeof l.Mode === "string" ? ({ appendonly: "appendOnly", inplace: "inPlace" } as Json)[l.Mode.toLowerCase()] ?? l.Mode : l.Mode;
    put("lakeMode", mode);
    put("lakePartition", l.PartitionGranularity);
    put("lakeSnapshotMinutes", l.SnapshotIntervalMinutes);
    put("lakeSnapshotKeep", l.SnapshotRetention);
    put("lakeIncrementalFolders", l.IncrementalUpdateFolders);
    put("lakeDatabase", l.Database === null ? undefined : l.Database);
    put("lakeFormat", typeof l.Format === "string" ? (({ csv: "csv", delta: "delta" }) as Json)[l.Format.toLowerCase()] ?? l.Format : l.Format);
    if (l.Delta !== undefined && l.Delta !== null) {
      if (typeof l.Delta !== "object" || Array.isArray(l.Delta)) {
        throw new ValidationError('DataLake.Delta: must be an object like { "CompactionIntervalMinutes": 60, "VacuumIntervalMinutes": 1440, "RetentionHours": 168 }.', { "DataLake.Delta": "Must be an object." });
      }
      const d = l.Delta as Json;
      put("lakeDeltaCompactMinutes", d.CompactionIntervalMinutes);
      put("lakeDeltaVacuumMinutes", d.VacuumIntervalMinutes);
      put("lakeDeltaRetentionHours", d.RetentionHours);
    }
  }
  if (b.Refresh !== undefined && b.Refresh !== null) {
    if (typeof b.Refresh !== "object" || Array.isArray(b.Refresh)) {
      throw new ValidationError('Refresh: must be an object like { "Mode": "EveryHours", "EveryHours": 6 } or { "Mode": "Cron", "Cron": "0 2 * * *" }.', { Refresh: "Must be an object." });
    }
    const r = b.Refresh as Json;
    const modes: Json = { continuous: "continuous", everyhours: "hours", hours: "hours", cron: "cron" };
    put("refreshMode", typeof r.Mode === "string" ? (modes[r.Mode.toLowerCase()] ?? r.Mode) : r.Mode);
    put("refreshEveryHours", r.EveryHours);
    put("refreshCron", r.Cron);
  }
  return out;
}

/** `?organizationId=` or `?organizationUrl=` (either may be spelled with any case). */
export function organizationRef(url: URL): { organizationId?: string; organizationUrl?: string } {
  const get = (name: string) => {
    for (const [k, v] of url.searchParams) if (k.toLowerCase() === name.toLowerCase()) return v;
    return undefined;
  };
  const organizationId = get("organizationId");
  const organizationUrl = get("organizationUrl");
  return { ...(organizationId ? { organizationId } : {}), ...(organizationUrl ? { organizationUrl } : {}) };
}

export function queryFlag(url: URL, name: string): boolean {
  for (const [k, v] of url.searchParams) if (k.toLowerCase() === name.toLowerCase()) return /^(true|1|yes)$/i.test(v);
  return false;
}
