// Prisma reads and writes of profiles, per-table state, checkpoints, counters, failed-record
// markers and throughput. The engine and the portal both go through these functions.
import type { TargetStats } from "../destinations/types";
import type { Db } from "../db";

export type ProfileState = "draft" | "activating" | "active" | "inactive" | "failed";
export type InitialSyncState = "NotStarted" | "InProgress" | "Completed" | "CompletedWithFailures" | "Failed";
export type MetadataState = "NotCreated" | "Created" | "Failed";

export interface TableRow {
  id: string;
  logicalName: string;
  kind: "entity" | "relationship";
  sourceName: string | null;
  enabled: boolean;
  metadataState: string;
  initialSyncState: string;
  resumeLink: string | null;
  deltaLink: string | null;
  initialTotal: number | null;
  initialDone: number;
  totalNotifications: number;
  successNotifications: number;
  failureNotifications: number;
  lastExportDate: Date | null;
  lastChangeAt: Date | null;
  lastError: string | null;
  resyncRequested: boolean;
  sweepPending: boolean;
  reexportReason: string | null;
}

export interface ProfileRow {
  id: string;
  name: string;
  version: number;
  state: string;
  destinationType: string;
  /** Encrypted; decrypt only where the connection is opened. */
  destinationEnc: string | null;
  schemaName: string;
  prefix: string;
  retryCount: number;
  retryIntervalSeconds: number;
  writeDeleteLog: boolean;
  metadataActive: boolean;
  dataActive: boolean;
  syncIntervalSeconds: number;
  resyncFailedRequested: boolean;
  targetGeneration: string | null;
  lastError: string | null;
  lastSyncAt: Date | null;
  /** Data lake targets only (see LakeSettings). */
  lakeMode: string;
  lakePartition: string;
  lakeSnapshotMinutes: number;
  lakeSnapshotKeep: number;
  lakeIncrementalFolders: boolean;
  lakeFormat: string;
  lakeDeltaCompactMinutes: number;
  lakeDeltaVacuumMinutes: number;
  lakeDeltaRetentionHours: number;
  /** A lake database export (issue 13): the files go under <lake>/<lakeDatabase>/. */
  lakeDatabase?: string | null;
  organization: {
    id: string;
    url: string;
    tenantId: string | null;
    clientId: string | null;
    clientSecretEnc: string | null;
    staticTokenEnc: string | null;
  };
  tables: TableRow[];
}

const TABLE_SELECT = {
  id: true, logicalName: true, kind: true, sourceName: true, enabled: true, metadataState: true,
  initialSyncState: true, resumeLink: true, deltaLink: true, initialTotal: true, initialDone: true,
  totalNotifications: true, successNotifications: true, failureNotifications: true,
  lastExportDate: true, lastChangeAt: true, lastError: true, resyncRequested: true, sweepPending: true, reexportReason: true,
} as const;

/** A profile with its organization (secrets still encrypted) and tables; null when missing. */
export async function loadProfile(db: Db, profileId: string): Promise<ProfileRow | null> {
  const p = await db.profile.findUnique({
    where: { id: profileId },
    select: {
      id: true, name: true, version: true, state: true, destinationType: true, destinationEnc: true,
      schemaName: true, prefix: true, retryCount: true, retryIntervalSeconds: true, writeDeleteLog: true,
      metadataActive: true, dataActive: true, syncIntervalSeconds: true, resyncFailedRequested: true,
      targetGeneration: true, lastError: true, lastSyncAt: true,
      lakeMode: true, lakePartition: true, lakeSnapshotMinutes: true, lakeSnapshotKeep: true, lakeIncrementalFolders: true,
      lakeFormat: true, lakeDeltaCompactMinutes: true, lakeDeltaVacuumMinutes: true, lakeDeltaRetentionHours: true,
      lakeDatabase: true,
      organization: { select: { id: true, url: true, tenantId: true, clientId: true, clientSecretEnc: true, staticTokenEnc: true } },
      tables: { select: TABLE_SELECT, orderBy: { logicalName: "asc" } },
    },
  });
  return p ? { ...p, tables: p.tables.map((t) => ({ ...t, kind: t.kind === "relationship" ? "relationship" : "entity" })) } : null;
}

export async function loadTable(db: Db, tableId: string): Promise<TableRow | null> {
  const t = await db.profileTable.findUnique({ where: { id: tableId }, select: TABLE_SELECT });
  return t ? { ...t, kind: t.kind === "relationship" ? "relationship" : "entity" } : null;
}

export async function updateTable(
  db: Db,
  tableId: string,
  data: Partial<Pick<TableRow, "metadataState" | "initialSyncState" | "resumeLink" | "deltaLink" | "initialTotal" | "initialDone" | "lastExportDate" | "lastChangeAt" | "lastError" | "resyncRequested" | "sourceName" | "sweepPending" | "reexportReason">>,
): Promise<void> {
  await db.profileTable.update({ where: { id: tableId }, data });
}

export interface Checkpoint {
  /** Within an initial export: the nextLink to resume from; null once finished. */
  resumeLink?: string | null;
  /** Set when a read finished (or a delta continuation link). */
  deltaLink?: string | null;
  initialDoneInc?: number;
  total?: number;
  success?: number;
  failure?: number;
  lastChangeAt?: Date;
  initialSyncState?: InitialSyncState;
  lastExportDate?: Date;
  lastError?: string | null;
  sweepPending?: boolean;
}

/**
 * Saves a checkpoint and the counters of the batch it covers, in one statement. Call it only
 * after the batch is committed in the target.
 */
export async function saveCheckpoint(db: Db, tableId: string, c: Checkpoint): Promise<void> {
  const data: Record<string, unknown> = {};
  if (c.resumeLink !== undefined) data.resumeLink = c.resumeLink;
  if (c.deltaLink !== undefined) data.deltaLink = c.deltaLink;
  if (c.initialDoneInc) data.initialDone = { increment: c.initialDoneInc };
  if (c.total) data.totalNotifications = { increment: c.total };
  if (c.success) data.successNotifications = { increment: c.success };
  if (c.failure) data.failureNotifications = { increment: c.failure };
  if (c.lastChangeAt) data.lastChangeAt = c.lastChangeAt;
  if (c.initialSyncState) data.initialSyncState = c.initialSyncState;
  if (c.lastExportDate) data.lastExportDate = c.lastExportDate;
  if (c.lastError !== undefined) data.lastError = c.lastError;
  if (c.sweepPending !== undefined) data.sweepPending = c.sweepPending;
  await db.profileTable.update({ where: { id: tableId }, data });
}

/** Adds to the per-minute throughput bucket of one table. */
export async function recordStat(db: Db, profileId: string, entity: string, written: number, failed: number, at = new Date()): Promise<void> {
  if (!written && !failed) return;
  const minute = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
  await db.syncStat.upsert({
    where: { profileId_entity_minute: { profileId, entity, minute } },
    create: { profileId, entity, minute, written, failed },
    update: { written: { increment: written }, failed: { increment: failed } },
  });
}

export async function readThroughput(db: Db, profileId: string, since: Date): Promise<{ entity: string; minute: Date; written: number; failed: number }[]> {
  return db.syncStat.findMany({
    where: { profileId, minute: { gte: since } },
    orderBy: [{ minute: "asc" }, { entity: "asc" }],
    select: { entity: true, minute: true, written: true, failed: true },
  });
}

// ---- failed-record markers --------------------------------------------------------------

/** id → version of the records of one table whose last attempt failed. */
export async function loadFailedMarkers(db: Db, profileId: string, entity: string): Promise<Map<string, string>> {
  const rows = await db.failedRecord.findMany({ where: { profileId, entity }, select: { recordId: true, version: true } });
  return new Map(rows.map((r) => [r.recordId, r.version]));
}

export async function markFailedRecord(
  db: Db,
  profileId: string,
  m: { entity: string; recordId: string; version: string; changeType: string; reason: string },
): Promise<void> {
  const data = { version: m.version, changeType: m.changeType, reason: m.reason.slice(0, 2000), failedAt: new Date() };
  await db.failedRecord.upsert({
    where: { profileId_entity_recordId: { profileId, entity: m.entity, recordId: m.recordId } },
    create: { profileId, entity: m.entity, recordId: m.recordId, ...data },
    update: data,
  });
}

export async function clearFailedRecords(db: Db, profileId: string, entity: string, recordIds: string[]): Promise<void> {
  if (recordIds.length === 0) return;
  await db.failedRecord.deleteMany({ where: { profileId, entity, recordId: { in: recordIds } } });
}

export async function listFailedRecords(db: Db, profileId: string): Promise<{ entity: string; recordId: string; version: string; changeType: string }[]> {
  return db.failedRecord.findMany({
    where: { profileId },
    orderBy: [{ entity: "asc" }, { recordId: "asc" }],
    select: { entity: true, recordId: true, version: true, changeType: true },
  });
}

// ---- profile state (the portal calls these) ---------------------------------------------

/** Only while the profile is still active: a runner that is being stopped never undoes a deactivation. */
const STILL_ACTIVE = { OR: [{ metadataActive: true }, { dataActive: true }] };

/** `lastErrorKind` says what lastError is ("credentials", or null for anything else): alerts read it. */
export async function setProfileState(db: Db, profileId: string, state: ProfileState, lastError?: string | null, lastErrorKind?: "credentials" | null): Promise<void> {
  await db.profile.updateMany({
    where: { id: profileId, ...STILL_ACTIVE },
    data: { state, ...(lastError !== undefined ? { lastError } : {}), ...(lastErrorKind !== undefined ? { lastErrorKind } : {}) },
  });
}

/** A lake's figures after a cycle, for the profile page. */
export async function saveTargetStats(db: Db, profileId: string, s: TargetStats): Promise<void> {
  await db.profile.updateMany({
    where: { id: profileId },
    data: {
      lakeLastSnapshotAt: s.lastSnapshotAt, lakeSnapshotCount: s.snapshotCount, lakeFilesWritten: s.filesWritten, lakeBytesWritten: s.bytesWritten,
      ...(s.delta ? { lakeDeltaVersion: s.delta.version, lakeDeltaFiles: s.delta.files, lakeLastCompactionAt: s.delta.lastCompactionAt } : {}),
    },
  });
}

export async function touchProfile(db: Db, profileId: string, data: { state?: ProfileState; lastError?: string | null } = {}): Promise<void> {
  await db.profile.updateMany({ where: { id: profileId, ...STILL_ACTIVE }, data: { lastSyncAt: new Date(), ...data } });
}

/** DES "activate": metadata + data. The worker picks the change up on its next poll. */
export async function activateProfile(db: Db, profileId: string, what: { metadata?: boolean; data?: boolean } = {}): Promise<void> {
  const metadata = what.metadata ?? true;
  const data = what.data ?? true;
  await db.profile.update({
    where: { id: profileId },
    // Data needs the tables: activating data activates metadata too.
    data: { metadataActive: metadata || data, dataActive: data, state: "activating", lastError: null, version: { increment: 1 } },
  });
}

export const activateMetadata = (db: Db, profileId: string) => activateProfile(db, profileId, { metadata: true, data: false });
export const activateData = (db: Db, profileId: string) => activateProfile(db, profileId, { metadata: true, data: true });

export async function deactivateProfile(db: Db, profileId: string): Promise<void> {
  await db.profile.update({ where: { id: profileId }, data: { metadataActive: false, dataActive: false, state: "inactive" } });
}

/** Re-export one table alone: its delta link is dropped and its initial export re-run (the table is kept). */
export async function requestTableResync(db: Db, profileId: string, logicalName: string): Promise<boolean> {
  const r = await db.profileTable.updateMany({ where: { profileId, logicalName }, data: { resyncRequested: true } });
  return r.count > 0;
}

/** Re-fetch and re-write every record in the FailedRecord list (the failure log itself stays). */
export async function requestFailedRecordResync(db: Db, profileId: string): Promise<void> {
  await db.profile.update({ where: { id: profileId }, data: { resyncFailedRequested: true } });
}

/** Links dropped: the table is exported again from the start, for `reason` (shown on the profile page). */
export const REEXPORT = (reason: string) =>
  ({ resumeLink: null, deltaLink: null, initialSyncState: "NotStarted", resyncRequested: false, reexportReason: reason }) as const;

export interface ProfileStatus {
  id: string;
  name: string;
  state: string;
  metadataActive: boolean;
  dataActive: boolean;
  lastSyncAt: Date | null;
  lastError: string | null;
  failedRecords: number;
  tables: Omit<TableRow, "resumeLink" | "deltaLink" | "sweepPending">[];
}

/** What the portal polls: profile state and per-table counters (no links, no secrets). */
export async function getProfileStatus(db: Db, profileId: string): Promise<ProfileStatus | null> {
  const p = await db.profile.findUnique({
    where: { id: profileId },
    select: {
      id: true, name: true, state: true, metadataActive: true, dataActive: true, lastSyncAt: true, lastError: true,
      tables: { select: { ...TABLE_SELECT, resumeLink: false, deltaLink: false, sweepPending: false }, orderBy: { logicalName: "asc" } },
      _count: { select: { failedRecords: true } },
    },
  });
  if (!p) return null;
  const { _count, tables, ...rest } = p;
  return { ...rest, failedRecords: _count.failedRecords, tables: tables.map((t) => ({ ...t, kind: t.kind === "relationship" ? "relationship" : "entity" })) };
}

/** Profiles the worker should be running (metadata or data active), with their config version. */
export async function listActiveProfiles(db: Db): Promise<{ id: string; version: number; name: string }[]> {
  return db.profile.findMany({
    where: { OR: [{ metadataActive: true }, { dataActive: true }] },
    select: { id: true, version: true, name: true },
  });
}
