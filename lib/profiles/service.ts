import "server-only";
import { z } from "zod";
import { type Actor, assertAdmin } from "../auth/actor";
import type { Db } from "../db";
import type { DestinationKind } from "../destinations/types";
import { ConflictError, NotFoundError, ValidationError } from "../errors";
import { encryptSecret } from "../secrets";
import { activateProfile, deactivateProfile, readThroughput, requestFailedRecordResync, requestTableResync } from "../sync/profile-store";
import { parseInput } from "../validation";
import { ZActivation, ZProfileId, ZProfileInput, ZProfileListQuery, ZProfileUpdate } from "./schemas";
import { assertTargetKind, storedTargetText } from "./target";

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
  lagSeconds: number | null;
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
}

export interface ThroughputPoint {
  minute: string;
  entity: string;
  written: number;
  failed: number;
}

const NOT_FOUND = "That profile does not exist.";

const TABLE_SELECT = {
  logicalName: true, kind: true, enabled: true, metadataState: true, initialSyncState: true, initialDone: true,
  initialTotal: true, totalNotifications: true, successNotifications: true, failureNotifications: true,
  lastChangeAt: true, lastExportDate: true, lastError: true,
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
  lastChangeAt: Date | null; lastExportDate: Date | null; lastError: string | null;
};
type SummaryRow = {
  id: string; name: string; state: string; organizationId: string; destinationType: string; lastSyncAt: Date | null;
  metadataActive: boolean; dataActive: boolean; organization: { name: string }; tables: TableRow[];
};

const asState = (s: string): ProfileState => (["draft", "activating", "active", "inactive", "failed"].includes(s) ? (s as ProfileState) : "draft");
const asKind = (s: string): DestinationKind => (s === "postgres" || s === "mssql" ? s : "sqlite");
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
      // Only whether a connection string is stored: the value never leaves the store here.
      destinationEnc: true,
      organization: { select: { name: true, url: true } },
      _count: { select: { failedRecords: true } },
    },
  });
  if (!p) throw new NotFoundError(NOT_FOUND);
  const now = Date.now();
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
    metadataActive: p.metadataActive,
    dataActive: p.dataActive,
    lastError: p.lastError,
    failedRecords: p._count.failedRecords,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
    tableNames: p.tables.filter((t) => t.enabled && t.kind !== "relationship").map((t) => t.logicalName),
    relationshipNames: p.tables.filter((t) => t.enabled && t.kind === "relationship").map((t) => t.logicalName),
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
        lagSeconds: phase === "in-sync" ? lag : null,
      };
    }),
  };
}

async function loadOrganizationForProfile(db: Db, organizationId: string) {
  const org = await db.organization.findUnique({ where: { id: organizationId }, select: { id: true, name: true, privacyAcceptedAt: true } });
  if (!org) throw new ValidationError("That organization does not exist.", { organizationId: "That organization does not exist." });
  return org;
}

export function privacyNotAccepted(orgName: string): ValidationError {
  const msg = `The privacy terms of ${orgName} have not been accepted yet. An admin must accept them (Organizations → Privacy terms) before a profile can export its data.`;
  return new ValidationError(msg, { organizationId: msg });
}

function nameTaken(name: string): ConflictError {
  return new ConflictError(`A profile named "${name}" already exists. Choose another name.`, "name");
}

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === "P2002";

export async function createProfile(db: Db, actor: Actor, input: unknown, opts: { activate?: boolean } = {}): Promise<ProfileDetail> {
  assertAdmin(actor);
  const data = parseInput(ZProfileInput, input);
  const org = await loadOrganizationForProfile(db, data.organizationId);
  if (!org.privacyAcceptedAt) throw privacyNotAccepted(org.name);
  if (data.connectionString) await assertTargetKind(data.destinationType, data.connectionString);
  // A Key Vault secret is read when the profile is validated or activated, not stored here.
  if (await db.profile.findUnique({ where: { name: data.name }, select: { id: true } })) throw nameTaken(data.name);
  // Activating at once: the engine needs the secret's value now (read before anything is written).
  let keyVaultText: string | null = null;
  if (opts.activate && data.keyVaultSecretUrl) {
    keyVaultText = await storedTargetText({ destinationEnc: null, destinationKeyVaultUri: data.keyVaultSecretUrl });
    await assertTargetKind(data.destinationType, keyVaultText, "keyVaultSecretUrl");
  }
  let id: string;
  try {
    id = await db.$transaction(async (tx) => {
      const created = await tx.profile.create({
        data: {
          name: data.name,
          organizationId: data.organizationId,
          destinationType: data.destinationType,
          destinationEnc: data.connectionString ? encryptSecret(data.connectionString) : keyVaultText ? encryptSecret(keyVaultText) : null,
          destinationKeyVaultUri: data.keyVaultSecretUrl ?? null,
          schemaName: data.schemaName,
          prefix: data.prefix,
          retryCount: data.retryCount,
          retryIntervalSeconds: data.retryIntervalSeconds,
          writeDeleteLog: data.writeDeleteLog,
          ...(opts.activate ? { state: "activating", metadataActive: true, dataActive: true } : {}),
          tables: {
            create: [
              ...data.tables.map((logicalName) => ({ logicalName, kind: "entity" })),
              ...data.relationships.map((logicalName) => ({ logicalName, kind: "relationship" })),
            ],
          },
        },
        select: { id: true },
      });
      return created.id;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(data.name);
    throw err;
  }
  return getProfile(db, actor, id);
}

// The engine opens the stored (encrypted) connection string; a Key Vault secret is copied there
// at each activation, so rotating the secret takes effect at the next activation.
async function cacheKeyVaultTarget(db: Db, id: string): Promise<void> {
  const p = await db.profile.findUnique({ where: { id }, select: { destinationType: true, destinationKeyVaultUri: true, destinationEnc: true } });
  if (!p?.destinationKeyVaultUri) return;
  const text = await storedTargetText(p);
  await assertTargetKind(asKind(p.destinationType), text, "keyVaultSecretUrl");
  await db.profile.update({ where: { id }, data: { destinationEnc: encryptSecret(text) } });
}

const FIXED_AFTER_EXPORT = { destinationType: "target type", schemaName: "schema", prefix: "prefix" } as const;

export async function updateProfile(db: Db, actor: Actor, id: unknown, input: unknown): Promise<ProfileDetail> {
  assertAdmin(actor);
  const profileId = parseInput(ZProfileId, id);
  const data = parseInput(ZProfileUpdate, input ?? {});
  const p = await db.profile.findUnique({
    where: { id: profileId },
    select: {
      id: true, name: true, destinationType: true, schemaName: true, prefix: true, destinationKeyVaultUri: true, metadataActive: true, dataActive: true,
      tables: { select: { logicalName: true, kind: true, metadataState: true } },
    },
  });
  if (!p) throw new NotFoundError(NOT_FOUND);
  // The saved checkpoints describe the tables already created in the target.
  const exported = p.tables.some((t) => t.metadataState === "Created");
  if (exported) {
    for (const [field, label] of Object.entries(FIXED_AFTER_EXPORT) as [keyof typeof FIXED_AFTER_EXPORT, string][]) {
      if (data[field] !== undefined && data[field] !== p[field]) {
        const msg = `The ${label} cannot change once tables exist in the target. Create a new profile instead.`;
        throw new ValidationError(msg, { [field]: msg });
      }
    }
  }
  const destinationType = data.destinationType ?? asKind(p.destinationType);
  if (data.connectionString) await assertTargetKind(destinationType, data.connectionString);
  else if (data.destinationType && data.destinationType !== p.destinationType && !data.keyVaultSecretUrl) {
    const msg = "Enter the connection string of the new target type.";
    throw new ValidationError(msg, { connectionString: msg });
  }
  if (data.name && data.name !== p.name && (await db.profile.findUnique({ where: { name: data.name }, select: { id: true } }))) throw nameTaken(data.name);
  // A running profile restarts with the new target at once, so a new Key Vault secret is read now.
  let keyVaultText: string | null = null;
  if (data.keyVaultSecretUrl && (p.metadataActive || p.dataActive)) {
    keyVaultText = await storedTargetText({ destinationEnc: null, destinationKeyVaultUri: data.keyVaultSecretUrl });
    await assertTargetKind(destinationType, keyVaultText, "keyVaultSecretUrl");
  }

  const wanted =
    data.tables || data.relationships
      ? [
          ...(data.tables ?? p.tables.filter((t) => t.kind !== "relationship").map((t) => t.logicalName)).map((logicalName) => ({ logicalName, kind: "entity" })),
          ...(data.relationships ?? p.tables.filter((t) => t.kind === "relationship").map((t) => t.logicalName)).map((logicalName) => ({ logicalName, kind: "relationship" })),
        ]
      : null;
  try {
    await db.$transaction(async (tx) => {
      await tx.profile.update({
        where: { id: profileId },
        data: {
          ...(data.name !== undefined ? { name: data.name } : {}),
          ...(data.destinationType !== undefined ? { destinationType: data.destinationType } : {}),
          ...(data.connectionString ? { destinationEnc: encryptSecret(data.connectionString), destinationKeyVaultUri: null } : {}),
          ...(data.keyVaultSecretUrl ? { destinationKeyVaultUri: data.keyVaultSecretUrl, destinationEnc: keyVaultText ? encryptSecret(keyVaultText) : null } : {}),
          ...(data.schemaName !== undefined ? { schemaName: data.schemaName } : {}),
          ...(data.prefix !== undefined ? { prefix: data.prefix } : {}),
          ...(data.retryCount !== undefined ? { retryCount: data.retryCount } : {}),
          ...(data.retryIntervalSeconds !== undefined ? { retryIntervalSeconds: data.retryIntervalSeconds } : {}),
          ...(data.writeDeleteLog !== undefined ? { writeDeleteLog: data.writeDeleteLog } : {}),
          // A running profile restarts with the new settings (the worker watches the version).
          version: { increment: 1 },
        },
      });
      if (wanted) {
        // Left-out tables are disabled, not deleted: their state is kept and they resume if re-added.
        for (const t of wanted) {
          await tx.profileTable.upsert({
            where: { profileId_logicalName: { profileId, logicalName: t.logicalName } },
            create: { profileId, logicalName: t.logicalName, kind: t.kind },
            update: { enabled: true, kind: t.kind },
          });
        }
        await tx.profileTable.updateMany({ where: { profileId, logicalName: { notIn: wanted.map((t) => t.logicalName) } }, data: { enabled: false } });
      }
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(data.name ?? p.name);
    throw err;
  }
  return getProfile(db, actor, profileId);
}

/** Stops the profile and forgets it; the target's tables and data are left as they are. */
export async function deleteProfile(db: Db, actor: Actor, id: unknown): Promise<void> {
  assertAdmin(actor);
  const profileId = parseInput(ZProfileId, id);
  const exists = await db.profile.findUnique({ where: { id: profileId }, select: { id: true } });
  if (!exists) throw new NotFoundError(NOT_FOUND);
  await deactivateProfile(db, profileId);
  // Tables, failure log, markers and stats go with it (onDelete: Cascade).
  await db.profile.delete({ where: { id: profileId } });
}

export async function activate(db: Db, actor: Actor, id: unknown, what: unknown = "all"): Promise<ProfileDetail> {
  assertAdmin(actor);
  const profileId = parseInput(ZProfileId, id);
  const mode = parseInput(ZActivation, what);
  const p = await db.profile.findUnique({
    where: { id: profileId },
    select: { destinationEnc: true, destinationKeyVaultUri: true, organization: { select: { name: true, privacyAcceptedAt: true } }, _count: { select: { tables: { where: { enabled: true } } } } },
  });
  if (!p) throw new NotFoundError(NOT_FOUND);
  if (!p.organization.privacyAcceptedAt) throw privacyNotAccepted(p.organization.name);
  if (!p.destinationEnc && !p.destinationKeyVaultUri) throw new ValidationError("This profile has no target connection string; edit it and enter one.", { connectionString: "Enter the target's connection string." });
  if (p._count.tables === 0) throw new ValidationError("This profile has no tables to export; edit it and choose at least one.", { tables: "Choose at least one table." });
  await cacheKeyVaultTarget(db, profileId);
  await activateProfile(db, profileId, mode === "all" ? {} : mode === "metadata" ? { metadata: true, data: false } : { metadata: true, data: true });
  return getProfile(db, actor, profileId);
}

export async function deactivate(db: Db, actor: Actor, id: unknown): Promise<ProfileDetail> {
  assertAdmin(actor);
  const profileId = parseInput(ZProfileId, id);
  if (!(await db.profile.findUnique({ where: { id: profileId }, select: { id: true } }))) throw new NotFoundError(NOT_FOUND);
  await deactivateProfile(db, profileId);
  return getProfile(db, actor, profileId);
}

export async function resyncTable(db: Db, actor: Actor, id: unknown, logicalName: unknown): Promise<void> {
  assertAdmin(actor);
  const profileId = parseInput(ZProfileId, id);
  const name = parseInput(z.string({ message: "Choose a table." }).trim().min(1, "Choose a table.").max(128), logicalName);
  if (!(await db.profile.findUnique({ where: { id: profileId }, select: { id: true } }))) throw new NotFoundError(NOT_FOUND);
  if (!(await requestTableResync(db, profileId, name))) throw new NotFoundError(`The table ${name} is not part of this profile.`);
}

export async function resyncFailedRecords(db: Db, actor: Actor, id: unknown): Promise<void> {
  assertAdmin(actor);
  const profileId = parseInput(ZProfileId, id);
  if (!(await db.profile.findUnique({ where: { id: profileId }, select: { id: true } }))) throw new NotFoundError(NOT_FOUND);
  await requestFailedRecordResync(db, profileId);
}

const ZSinceMinutes = z.preprocess(
  (v) => (typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v),
  z.number({ message: "Give the period in minutes (1 to 10080)." }).int().min(1, "Give the period in minutes (1 to 10080).").max(10080, "Give the period in minutes (1 to 10080)."),
);

export async function getThroughput(db: Db, _actor: Actor, id: unknown, sinceMinutes: unknown = 60): Promise<ThroughputPoint[]> {
  const profileId = parseInput(ZProfileId, id);
  const minutes = parseInput(ZSinceMinutes, sinceMinutes);
  if (!(await db.profile.findUnique({ where: { id: profileId }, select: { id: true } }))) throw new NotFoundError(NOT_FOUND);
  const rows = await readThroughput(db, profileId, new Date(Date.now() - minutes * 60_000));
  return rows.map((r) => ({ minute: r.minute.toISOString(), entity: r.entity, written: r.written, failed: r.failed }));
}
