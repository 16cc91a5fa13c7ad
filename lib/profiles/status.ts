import "server-only";
// The read side of export profiles: what the portal's lists, detail pages and charts and the REST
// API show — state, per-table phase and progress, lag, throughput. Mutations are in service.ts.
import { z } from "zod";
import type { Actor } from "../auth/actor";
import type { Db } from "../db";
import type { DestinationKind } from "../destinations/types";
import { NotFoundError } from "../errors";
import { readThroughput } from "../sync/profile-store";
import { LEASE_OWNER_SELECT, ownerOfLease, type ProfileOwner } from "../workers/service";
import { parseInput } from "../validation";
import { ZProfileId, ZProfileListQuery } from "./schemas";
import { describeRefresh } from "../sync/refresh/schedule";
import { scheduleOf } from "../sync/refresh/store";

export type ProfileState = "draft" | "activating" | "active" | "inactive" | "failed";
export type TablePhase = "disabled" | "draft" | "inactive" | "failed" | "metadata" | "metadata-only" | "initial-export" | "in-sync";

export interface ProfileSummary {
  id: string;
  name: string;
  state: ProfileState;
  organizationId: string;
  organizationName: string;
  destinationType: DestinationKind;
  tableCount: number;
  lastSyncAt: string | null;
  /** Seconds since the engine last finished a pass over every table; null when it is not syncing data. */
  lagSeconds: number | null;
  recordsSynced: number;
  failures: number;
  /** While an initial export runs: records read so far and the expected total. */
  initialProgress: { done: number; total: number } | null;
}

export interface ProfileTableStatus {
  logicalName: string;
  kind: "entity" | "relationship";
  enabled: boolean;
  phase: TablePhase;
  metadataState: string;
  initialSyncState: string;
  initialDone: number;
  initialTotal: number | null;
  totalNotifications: number;
  successNotifications: number;
  failureNotifications: number;
  lastChangeAt: string | null;
  lastExportDate: string | null;
  lastError: string | null;
  /** Why the table was last exported again from the start (target changed, table missing, …). */
  reexportReason: string | null;
  lagSeconds: number | null;
  /** Removed from the export then: no longer updated (a lake database keeps its view). */
  frozenAt?: string | null;
}

export interface ProfileDetail extends ProfileSummary {
  version: number;
  organizationUrl: string;
  schemaName: string;
  prefix: string;
  retryCount: number;
  retryIntervalSeconds: number;
  writeDeleteLog: boolean;
  keyVaultSecretUrl: string | null;
  /** The connection string itself is write-only. */
  hasConnectionString: boolean;
  /** The named connection the profile exports over (name and type only), or null for its own target. */
  connection: { id: string; name: string; destinationType: DestinationKind } | null;
  metadataActive: boolean;
  dataActive: boolean;
  lastError: string | null;
  failedRecords: number;
  createdAt: string;
  updatedAt: string;
  /** Enabled table logical names and relationship schema names (what an edit form starts from). */
  tableNames: string[];
  relationshipNames: string[];
  tables: ProfileTableStatus[];
  /** The process running the profile now (its unexpired lease), or null. */
  owner: ProfileOwner | null;
  /** Data lake targets: their options and what the lake reported after the last cycle; else null. */
  lake?: ProfileLake | null;
  /** How the export refreshes: continuous (every SQL target) or on a schedule (lake targets). */
  refresh?: ProfileRefresh;
}

export interface ProfileRefresh {
  mode: "continuous" | "hours" | "cron";
  everyHours: number | null;
  cron: string | null;
  /** "every 6 hours", "cron 0 2 * * * (UTC)", "continuous". */
  description: string;
  nextRunAt: string | null;
  /** A "Run now" waiting for the worker. */
  requestedAt: string | null;
}

export interface ProfileLake {
  mode: "appendOnly" | "inPlace";
  partition: "Year" | "Month";
  snapshotMinutes: number;
  snapshotKeep: number;
  incrementalFolders: boolean;
  lastSnapshotAt: string | null;
  snapshotCount: number;
  filesWritten: number;
  bytesWritten: number;
  /** csv (Synapse Link CSV + model.json) or delta (Delta tables). */
  format: "csv" | "delta";
  /** A lake database export (issue 13): its name, when its DuckDB file was built, earlier names. */
  database?: { name: string; builtAt: string | null; previous: { name: string; stoppedAt: string }[] } | null;
  /** Delta format only (else null): settings and what the last cycle reported. */
  delta: {
    compactMinutes: number;
    vacuumMinutes: number;
    retentionHours: number;
    version: number | null;
    files: number;
    lastCompactionAt: string | null;
  } | null;
}

export interface ThroughputPoint {
  minute: string;
  entity: string;
  written: number;
  failed: number;
}

export const NOT_FOUND = "That profile does not exist.";

const TABLE_SELECT = {
  logicalName: true, kind: true, enabled: true, metadataState: true, initialSyncState: true, initialDone: true,
  initialTotal: true, totalNotifications: true, successNotifications: true, failureNotifications: true,
  lastChangeAt: true, lastExportDate: true, lastError: true, reexportReason: true, frozenAt: true,
} as const;

const SUMMARY_SELECT = {
  id: true, name: true, state: true, organizationId: true, destinationType: true, lastSyncAt: true,
  metadataActive: true, dataActive: true,
  organization: { select: { name: true } },
  tables: { select: TABLE_SELECT, orderBy: { logicalName: "asc" } },
} as const;

type TableRow = {
  logicalName: string; kind: string; enabled: boolean; metadataState: string; initialSyncState: string; initialDone: number;
  initialTotal: number | null; totalNotifications: number; successNotifications: number; failureNotifications: number;
  lastChangeAt: Date | null; lastExportDate: Date | null; lastError: string | null; reexportReason: string | null; frozenAt: Date | null;
};
type SummaryRow = {
  id: string; name: string; state: string; organizationId: string; destinationType: string; lastSyncAt: Date | null;
  metadataActive: boolean; dataActive: boolean; organization: { name: string }; tables: TableRow[];
};

const asState = (s: string): ProfileState => (["draft", "activating", "active", "inactive", "failed"].includes(s) ? (s as ProfileState) : "draft");
export const asKind = (s: string): DestinationKind => (s === "postgres" || s === "mssql" || s === "datalake" ? s : "sqlite");
const iso = (d: Date | null) => d?.toISOString() ?? null;
const initialDone = (t: TableRow) => t.initialSyncState === "Completed" || t.initialSyncState === "CompletedWithFailures";

function syncing(p: SummaryRow): boolean {
  return p.dataActive && (p.state === "active" || p.state === "activating");
}

function lagOf(p: SummaryRow, now: number): number | null {
  if (!syncing(p) || !p.lastSyncAt) return null;
  return Math.max(0, Math.round((now - p.lastSyncAt.getTime()) / 1000));
}

function phaseOf(p: SummaryRow, t: TableRow): TablePhase {
  if (!t.enabled) return "disabled";
  if (t.metadataState === "Failed" || t.initialSyncState === "Failed") return "failed";
  if (p.state === "draft") return "draft";
  if (!p.metadataActive && !p.dataActive) return "inactive";
  if (t.metadataState !== "Created") return "metadata";
  if (!p.dataActive) return "metadata-only";
  return initialDone(t) ? "in-sync" : "initial-export";
}

function toSummary(p: SummaryRow, now = Date.now()): ProfileSummary {
  const enabled = p.tables.filter((t) => t.enabled);
  const exporting = syncing(p) ? enabled.filter((t) => !initialDone(t) && t.initialSyncState !== "Failed") : [];
  const progress = exporting.length
    ? exporting.reduce((acc, t) => ({ done: acc.done + t.initialDone, total: acc.total + Math.max(t.initialTotal ?? 0, t.initialDone) }), { done: 0, total: 0 })
    : null;
  return {
    id: p.id,
    name: p.name,
    state: asState(p.state),
    organizationId: p.organizationId,
    organizationName: p.organization.name,
    destinationType: asKind(p.destinationType),
    tableCount: enabled.length,
    lastSyncAt: iso(p.lastSyncAt),
    lagSeconds: lagOf(p, now),
    recordsSynced: p.tables.reduce((n, t) => n + t.successNotifications, 0),
    failures: p.tables.reduce((n, t) => n + t.failureNotifications, 0),
    initialProgress: progress,
  };
}

export async function listProfiles(db: Db, _actor: Actor, query: unknown = {}): Promise<ProfileSummary[]> {
  const { organizationId, state } = parseInput(ZProfileListQuery, query ?? {});
  const rows = await db.profile.findMany({
    where: { ...(organizationId ? { organizationId } : {}), ...(state ? { state } : {}) },
    select: SUMMARY_SELECT,
    orderBy: { name: "asc" },
  });
  return rows.map((r) => toSummary(r));
}

export async function getProfile(db: Db, _actor: Actor, id: unknown): Promise<ProfileDetail> {
  const profileId = parseInput(ZProfileId, id);
  const p = await db.profile.findUnique({
    where: { id: profileId },
    select: {
      ...SUMMARY_SELECT,
      version: true, schemaName: true, prefix: true, retryCount: true, retryIntervalSeconds: true, writeDeleteLog: true,
      destinationKeyVaultUri: true, lastError: true, createdAt: true, updatedAt: true,
      lakeMode: true, lakePartition: true, lakeSnapshotMinutes: true, lakeSnapshotKeep: true, lakeIncrementalFolders: true,
      lakeLastSnapshotAt: true, lakeSnapshotCount: true, lakeFilesWritten: true, lakeBytesWritten: true,
      lakeFormat: true, lakeDeltaCompactMinutes: true, lakeDeltaVacuumMinutes: true, lakeDeltaRetentionHours: true,
      lakeDeltaVersion: true, lakeDeltaFiles: true, lakeLastCompactionAt: true,
      lakeDatabase: true, lakeDatabaseBuiltAt: true,
      previousLakeDatabases: { select: { name: true, stoppedAt: true }, orderBy: { stoppedAt: "desc" } },
      refreshMode: true, refreshEveryHours: true, refreshCron: true, refreshNextAt: true, refreshRequestedAt: true,
      // Only whether a connection string is stored: the value never leaves the store here.
      destinationEnc: true,
      connectionId: true,
      organization: { select: { name: true, url: true } },
      _count: { select: { failedRecords: true } },
      lease: { select: LEASE_OWNER_SELECT },
    },
  });
  if (!p) throw new NotFoundError(NOT_FOUND);
  const connection = p.connectionId ? await db.connection.findUnique({ where: { id: p.connectionId }, select: { id: true, name: true, destinationType: true } }) : null;
  const now = Date.now();
  const owner = ownerOfLease(p.lease, new Date(now));
  const summary = toSummary(p, now);
  const lag = summary.lagSeconds;
  return {
    ...summary,
    version: p.version,
    organizationUrl: p.organization.url,
    schemaName: p.schemaName,
    prefix: p.prefix,
    retryCount: p.retryCount,
    retryIntervalSeconds: p.retryIntervalSeconds,
    writeDeleteLog: p.writeDeleteLog,
    keyVaultSecretUrl: p.destinationKeyVaultUri,
    hasConnectionString: p.destinationEnc !== null || p.destinationKeyVaultUri !== null,
    connection: connection ? { ...connection, destinationType: asKind(connection.destinationType) } : null,
    metadataActive: p.metadataActive,
    dataActive: p.dataActive,
    lastError: p.lastError,
    failedRecords: p._count.failedRecords,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
    tableNames: p.tables.filter((t) => t.enabled && t.kind !== "relationship").map((t) => t.logicalName),
    relationshipNames: p.tables.filter((t) => t.enabled && t.kind === "relationship").map((t) => t.logicalName),
    owner,
    lake:
      p.destinationType === "datalake"
        ? {
            mode: p.lakeMode === "inPlace" ? "inPlace" : "appendOnly",
            partition: p.lakePartition === "Month" ? "Month" : "Year",
            snapshotMinutes: p.lakeSnapshotMinutes,
            snapshotKeep: p.lakeSnapshotKeep,
            incrementalFolders: p.lakeIncrementalFolders,
            lastSnapshotAt: iso(p.lakeLastSnapshotAt),
            snapshotCount: p.lakeSnapshotCount,
            filesWritten: p.lakeFilesWritten,
            bytesWritten: p.lakeBytesWritten,
            format: p.lakeFormat === "delta" ? "delta" : "csv",
            database:
              p.lakeDatabase || p.previousLakeDatabases.length
                ? {
                    name: p.lakeDatabase ?? "",
                    builtAt: iso(p.lakeDatabaseBuiltAt),
                    previous: p.previousLakeDatabases.map((d) => ({ name: d.name, stoppedAt: d.stoppedAt.toISOString() })),
                  }
                : null,
            delta:
              p.lakeFormat === "delta"
                ? {
                    compactMinutes: p.lakeDeltaCompactMinutes,
                    vacuumMinutes: p.lakeDeltaVacuumMinutes,
                    retentionHours: p.lakeDeltaRetentionHours,
                    version: p.lakeDeltaVersion,
                    files: p.lakeDeltaFiles,
                    lastCompactionAt: iso(p.lakeLastCompactionAt),
                  }
                : null,
          }
        : null,
    refresh: profileRefresh(p),
    tables: p.tables.map((t) => {
      const phase = phaseOf(p, t);
      return {
        logicalName: t.logicalName,
        kind: t.kind === "relationship" ? "relationship" : "entity",
        enabled: t.enabled,
        phase,
        metadataState: t.metadataState,
        initialSyncState: t.initialSyncState,
        initialDone: t.initialDone,
        initialTotal: t.initialTotal,
        totalNotifications: t.totalNotifications,
        successNotifications: t.successNotifications,
        failureNotifications: t.failureNotifications,
        lastChangeAt: iso(t.lastChangeAt),
        lastExportDate: iso(t.lastExportDate),
        lastError: t.lastError,
        reexportReason: t.reexportReason,
        lagSeconds: phase === "in-sync" ? lag : null,
        frozenAt: t.enabled ? null : iso(t.frozenAt),
      };
    }),
  };
}


/** Throws NotFoundError unless the profile exists. */
export async function assertProfileExists(db: Db, profileId: string): Promise<void> {
  if (!(await db.profile.findUnique({ where: { id: profileId }, select: { id: true } }))) throw new NotFoundError(NOT_FOUND);
}

const ZSinceMinutes = z.preprocess(
  (v) => (typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v),
  z.number({ message: "Give the period in minutes (1 to 10080)." }).int().min(1, "Give the period in minutes (1 to 10080).").max(10080, "Give the period in minutes (1 to 10080)."),
);

export async function getThroughput(db: Db, _actor: Actor, id: unknown, sinceMinutes: unknown = 60): Promise<ThroughputPoint[]> {
  const profileId = parseInput(ZProfileId, id);
  const minutes = parseInput(ZSinceMinutes, sinceMinutes);
  await assertProfileExists(db, profileId);
  const rows = await readThroughput(db, profileId, new Date(Date.now() - minutes * 60_000));
  return rows.map((r) => ({ minute: r.minute.toISOString(), entity: r.entity, written: r.written, failed: r.failed }));
}

function profileRefresh(p: { destinationType: string; refreshMode: string; refreshEveryHours: number | null; refreshCron: string | null; refreshNextAt: Date | null; refreshRequestedAt: Date | null }): ProfileRefresh {
  const s = scheduleOf(p);
  const scheduled = s.mode !== "continuous";
  return {
    mode: s.mode,
    everyHours: s.mode === "hours" ? s.everyHours : null,
    cron: s.mode === "cron" ? s.cron : null,
    description: describeRefresh(s),
    nextRunAt: scheduled ? iso(p.refreshNextAt) : null,
    requestedAt: scheduled ? iso(p.refreshRequestedAt) : null,
  };
}
