import "server-only";
// Changes to export profiles: create, update, delete, activate, deactivate, re-sync requests. Each
// answers with the profile as status.ts reads it.
import { z } from "zod";
import { recordAudit } from "../audit/record";
import { type Actor, assertMayChangeProfiles } from "../auth/actor";
import type { Db } from "../db";
import { ConflictError, NotFoundError, ValidationError } from "../errors";
import { encryptSecret } from "../secrets";
import { activateProfile, deactivateProfile, requestFailedRecordResync, requestTableResync } from "../sync/profile-store";
import { parseInput } from "../validation";
import { profileAuditFields, profileName } from "./audit-fields";
import { ZActivation, ZProfileId, ZProfileInput, ZProfileUpdate } from "./schemas";
import { asKind, getProfile, NOT_FOUND, type ProfileDetail } from "./status";
import { assertTargetKind, KIND_NAMES, storedTargetText } from "./target";
import { assertMayManageProfile, assertMayUseInlineTarget, withConnectionType } from "./access";
import { usableConnection } from "../connections/service";
import { assertDatabaseFitsTarget, assertDatabaseFree } from "../lake-database/rules";
import { decryptSecret } from "../secrets";
import { refreshSettings } from "./refresh-schemas";

async function loadOrganizationForProfile(db: Db, organizationId: string) {
  const org = await db.organization.findUnique({ where: { id: organizationId }, select: { id: true, name: true, privacyAcceptedAt: true } });
  if (!org) throw new ValidationError("That organization does not exist.", { organizationId: "That organization does not exist." });
  return org;
}

export function privacyNotAccepted(orgName: string): ValidationError {
  const msg = `The privacy terms of ${orgName} have not been accepted yet. An admin must accept them (Organizations → Privacy terms) before a profile can export its data.`;
  return new ValidationError(msg, { organizationId: msg });
}

/** The target type follows the connection: a different one given with it is a mistake. */
function assertConnectionType(connection: { name: string; destinationType: string }, destinationType: string): void {
  if (connection.destinationType !== destinationType) {
    const msg = `The connection "${connection.name}" is a ${KIND_NAMES[asKind(connection.destinationType)]} target, not ${KIND_NAMES[asKind(destinationType)]}.`;
    throw new ValidationError(msg, { destinationType: msg });
  }
}

function nameTaken(name: string): ConflictError {
  return new ConflictError(`A profile named "${name}" already exists. Choose another name.`, "name");
}

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === "P2002";

export async function createProfile(db: Db, actor: Actor, input: unknown, opts: { activate?: boolean } = {}): Promise<ProfileDetail> {
  assertMayChangeProfiles(actor);
  const data = parseInput(ZProfileInput, await withConnectionType(db, input));
  const connection = data.connectionId ? await usableConnection(db, actor, data.connectionId) : null;
  if (!connection) assertMayUseInlineTarget(actor);
  else assertConnectionType(connection, data.destinationType);
  const org = await loadOrganizationForProfile(db, data.organizationId);
  if (!org.privacyAcceptedAt) throw privacyNotAccepted(org.name);
  if (data.connectionString) await assertTargetKind(data.destinationType, data.connectionString);
  // A Key Vault secret is read when the profile is validated or activated, not stored here.
  const refresh = refreshSettings(data, null, data.destinationType);
  if (await db.profile.findUnique({ where: { name: data.name }, select: { id: true } })) throw nameTaken(data.name);
  // Activating at once: the engine needs the secret's value now (read before anything is written).
  let keyVaultText: string | null = null;
  if (opts.activate && data.keyVaultSecretUrl) {
    keyVaultText = await storedTargetText({ destinationEnc: null, destinationKeyVaultUri: data.keyVaultSecretUrl });
    await assertTargetKind(data.destinationType, keyVaultText, "keyVaultSecretUrl");
  }
  assertDatabaseFitsTarget(data.lakeDatabase, data.destinationType, data.lakeFormat);
  if (data.lakeDatabase) await assertDatabaseFree(db, data.lakeDatabase, connection ? decryptSecret(connection.secretEnc) : (data.connectionString ?? keyVaultText), null);
  let id: string;
  try {
    id = await db.$transaction(async (tx) => {
      const created = await tx.profile.create({
        data: {
          name: data.name,
          organizationId: data.organizationId,
          destinationType: data.destinationType,
          connectionId: connection?.id ?? null,
          destinationEnc: connection ? connection.secretEnc : data.connectionString ? encryptSecret(data.connectionString) : keyVaultText ? encryptSecret(keyVaultText) : null,
          destinationKeyVaultUri: data.keyVaultSecretUrl ?? null,
          schemaName: data.schemaName,
          prefix: data.prefix,
          retryCount: data.retryCount,
          retryIntervalSeconds: data.retryIntervalSeconds,
          writeDeleteLog: data.writeDeleteLog,
          lakeMode: data.lakeMode,
          lakePartition: data.lakePartition,
          lakeSnapshotMinutes: data.lakeSnapshotMinutes,
          lakeSnapshotKeep: data.lakeSnapshotKeep,
          lakeIncrementalFolders: data.lakeIncrementalFolders,
          lakeFormat: data.lakeFormat,
          lakeDeltaCompactMinutes: data.lakeDeltaCompactMinutes,
          lakeDeltaVacuumMinutes: data.lakeDeltaVacuumMinutes,
          lakeDeltaRetentionHours: data.lakeDeltaRetentionHours,
          lakeDatabase: data.lakeDatabase ?? null,
          ...refresh,
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
  await recordAudit(db, actor, { action: "profile.create", object: { type: "profile", id, label: data.name }, after: await profileAuditFields(db, id) });
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
  assertMayChangeProfiles(actor);
  const profileId = parseInput(ZProfileId, id);
  const data = parseInput(ZProfileUpdate, input ?? {});
  await assertMayManageProfile(db, actor, profileId);
  // A contributor keeps to shared connections; an admin may also give a target of the profile's own
  // (which leaves the connection).
  if (data.connectionString || data.keyVaultSecretUrl) assertMayUseInlineTarget(actor);
  const connection = data.connectionId ? await usableConnection(db, actor, data.connectionId) : null;
  const p = await db.profile.findUnique({
    where: { id: profileId },
    select: {
      id: true, name: true, destinationType: true, schemaName: true, prefix: true, destinationKeyVaultUri: true, metadataActive: true, dataActive: true, connectionId: true,
      lakeDatabase: true, lakeFormat: true, destinationEnc: true,
      refreshMode: true, refreshEveryHours: true, refreshCron: true,
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
  if (connection && !data.destinationType && connection.destinationType !== p.destinationType) data.destinationType = connection.destinationType;
  if (connection && exported && connection.destinationType !== p.destinationType) {
    const msg = "The target type cannot change once tables exist in the target. Choose a connection of the same type, or create a new profile.";
    throw new ValidationError(msg, { connectionId: msg });
  }
  const destinationType = data.destinationType ?? asKind(p.destinationType);
  if (connection) assertConnectionType(connection, destinationType);
  if (data.connectionString) await assertTargetKind(destinationType, data.connectionString);
  else if (data.destinationType && data.destinationType !== p.destinationType && !data.keyVaultSecretUrl && !connection) {
    const msg = "Enter the connection string of the new target type.";
    throw new ValidationError(msg, { connectionString: msg });
  }
  const refresh = refreshSettings(data, p, destinationType);
  if (data.name && data.name !== p.name && (await db.profile.findUnique({ where: { name: data.name }, select: { id: true } }))) throw nameTaken(data.name);
  // A running profile restarts with the new target at once, so a new Key Vault secret is read now.
  let keyVaultText: string | null = null;
  if (data.keyVaultSecretUrl && (p.metadataActive || p.dataActive)) {
    keyVaultText = await storedTargetText({ destinationEnc: null, destinationKeyVaultUri: data.keyVaultSecretUrl });
    await assertTargetKind(destinationType, keyVaultText, "keyVaultSecretUrl");
  }
  // Lake database: a new name starts a new database (the engine finds no export marker in the new
  // folder and exports everything again); the old one is kept, listed as previous, not updated.
  const database = data.lakeDatabase ?? p.lakeDatabase;
  assertDatabaseFitsTarget(database, destinationType, data.lakeFormat ?? p.lakeFormat);
  const renamed = data.lakeDatabase !== undefined && data.lakeDatabase !== p.lakeDatabase;
  if (database && (renamed || data.connectionString || connection || data.keyVaultSecretUrl)) {
    const text = data.connectionString ?? (connection ? decryptSecret(connection.secretEnc) : null) ?? keyVaultText ?? (!data.keyVaultSecretUrl && p.destinationEnc ? decryptSecret(p.destinationEnc) : null);
    await assertDatabaseFree(db, database, text, profileId);
  }
  const stopDatabase = renamed && p.lakeDatabase && exported ? p.lakeDatabase : null;

  const before = await profileAuditFields(db, profileId);
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
          ...(data.connectionString ? { destinationEnc: encryptSecret(data.connectionString), destinationKeyVaultUri: null, connectionId: null } : {}),
          ...(data.keyVaultSecretUrl ? { destinationKeyVaultUri: data.keyVaultSecretUrl, destinationEnc: keyVaultText ? encryptSecret(keyVaultText) : null, connectionId: null } : {}),
          ...(connection ? { connectionId: connection.id, destinationEnc: connection.secretEnc, destinationKeyVaultUri: null } : {}),
          ...(data.schemaName !== undefined ? { schemaName: data.schemaName } : {}),
          ...(data.prefix !== undefined ? { prefix: data.prefix } : {}),
          ...(data.retryCount !== undefined ? { retryCount: data.retryCount } : {}),
          ...(data.retryIntervalSeconds !== undefined ? { retryIntervalSeconds: data.retryIntervalSeconds } : {}),
          ...(data.writeDeleteLog !== undefined ? { writeDeleteLog: data.writeDeleteLog } : {}),
          ...(data.lakeMode !== undefined ? { lakeMode: data.lakeMode } : {}),
          ...(data.lakePartition !== undefined ? { lakePartition: data.lakePartition } : {}),
          ...(data.lakeSnapshotMinutes !== undefined ? { lakeSnapshotMinutes: data.lakeSnapshotMinutes } : {}),
          ...(data.lakeSnapshotKeep !== undefined ? { lakeSnapshotKeep: data.lakeSnapshotKeep } : {}),
          ...(data.lakeIncrementalFolders !== undefined ? { lakeIncrementalFolders: data.lakeIncrementalFolders } : {}),
          ...(data.lakeFormat !== undefined ? { lakeFormat: data.lakeFormat } : {}),
          ...(data.lakeDeltaCompactMinutes !== undefined ? { lakeDeltaCompactMinutes: data.lakeDeltaCompactMinutes } : {}),
          ...(data.lakeDeltaVacuumMinutes !== undefined ? { lakeDeltaVacuumMinutes: data.lakeDeltaVacuumMinutes } : {}),
          ...(data.lakeDeltaRetentionHours !== undefined ? { lakeDeltaRetentionHours: data.lakeDeltaRetentionHours } : {}),
          ...(renamed ? { lakeDatabase: data.lakeDatabase, lakeDatabaseBuiltAt: null } : {}),
          ...(refresh ?? {}),
          // A running profile restarts with the new settings (the worker watches the version).
          version: { increment: 1 },
        },
      });
      if (stopDatabase) await tx.previousLakeDatabase.create({ data: { profileId, name: stopDatabase } });
      if (wanted) {
        // Left-out tables are disabled, not deleted: their state is kept and they resume if re-added.
        // frozenAt: from then on the table is no longer updated (a lake database keeps its view).
        for (const t of wanted) {
          await tx.profileTable.upsert({
            where: { profileId_logicalName: { profileId, logicalName: t.logicalName } },
            create: { profileId, logicalName: t.logicalName, kind: t.kind },
            update: { enabled: true, kind: t.kind, frozenAt: null },
          });
        }
        await tx.profileTable.updateMany({ where: { profileId, enabled: true, logicalName: { notIn: wanted.map((t) => t.logicalName) } }, data: { enabled: false, frozenAt: new Date() } });
      }
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(data.name ?? p.name);
    throw err;
  }
  const after = await profileAuditFields(db, profileId);
  await recordAudit(db, actor, { action: "profile.update", object: { type: "profile", id: profileId, label: String(after?.name ?? p.name) }, before, after });
  return getProfile(db, actor, profileId);
}

/** Stops the profile and forgets it; the target's tables and data are left as they are. */
export async function deleteProfile(db: Db, actor: Actor, id: unknown): Promise<void> {
  assertMayChangeProfiles(actor);
  const profileId = parseInput(ZProfileId, id);
  await assertMayManageProfile(db, actor, profileId);
  const before = await profileAuditFields(db, profileId);
  if (!before) throw new NotFoundError(NOT_FOUND);
  await deactivateProfile(db, profileId);
  // Tables, failure log, markers and stats go with it (onDelete: Cascade).
  await db.profile.delete({ where: { id: profileId } });
  await recordAudit(db, actor, { action: "profile.delete", object: { type: "profile", id: profileId, label: String(before.name) }, before });
}

export async function activate(db: Db, actor: Actor, id: unknown, what: unknown = "all"): Promise<ProfileDetail> {
  assertMayChangeProfiles(actor);
  const profileId = parseInput(ZProfileId, id);
  const mode = parseInput(ZActivation, what);
  await assertMayManageProfile(db, actor, profileId);
  const p = await db.profile.findUnique({
    where: { id: profileId },
    select: { destinationEnc: true, destinationKeyVaultUri: true, organization: { select: { name: true, privacyAcceptedAt: true } }, _count: { select: { tables: { where: { enabled: true } } } } },
  });
  if (!p) throw new NotFoundError(NOT_FOUND);
  if (!p.organization.privacyAcceptedAt) throw privacyNotAccepted(p.organization.name);
  if (!p.destinationEnc && !p.destinationKeyVaultUri) throw new ValidationError("This profile has no target connection string; edit it and enter one.", { connectionString: "Enter the target's connection string." });
  if (p._count.tables === 0) throw new ValidationError("This profile has no tables to export; edit it and choose at least one.", { tables: "Choose at least one table." });
  const before = await profileAuditFields(db, profileId);
  await cacheKeyVaultTarget(db, profileId);
  await activateProfile(db, profileId, mode === "all" ? {} : mode === "metadata" ? { metadata: true, data: false } : { metadata: true, data: true });
  await recordStateChange(db, actor, "profile.activate", profileId, before);
  return getProfile(db, actor, profileId);
}

export async function deactivate(db: Db, actor: Actor, id: unknown): Promise<ProfileDetail> {
  assertMayChangeProfiles(actor);
  const profileId = parseInput(ZProfileId, id);
  await assertMayManageProfile(db, actor, profileId);
  const before = await profileAuditFields(db, profileId);
  await deactivateProfile(db, profileId);
  await recordStateChange(db, actor, "profile.deactivate", profileId, before);
  return getProfile(db, actor, profileId);
}

async function recordStateChange(db: Db, actor: Actor, action: "profile.activate" | "profile.deactivate", id: string, before: Record<string, unknown> | null) {
  const after = await profileAuditFields(db, id);
  await recordAudit(db, actor, { action, object: { type: "profile", id, label: String(after?.name ?? before?.name ?? "") }, before, after });
}

export async function resyncTable(db: Db, actor: Actor, id: unknown, logicalName: unknown): Promise<void> {
  assertMayChangeProfiles(actor);
  const profileId = parseInput(ZProfileId, id);
  const name = parseInput(z.string({ message: "Choose a table." }).trim().min(1, "Choose a table.").max(128), logicalName);
  await assertMayManageProfile(db, actor, profileId);
  if (!(await requestTableResync(db, profileId, name))) throw new NotFoundError(`The table ${name} is not part of this profile.`);
  await recordAudit(db, actor, { action: "profile.resync_table", object: { type: "profile", id: profileId, label: await profileName(db, profileId) }, after: { table: name } });
}

export async function resyncFailedRecords(db: Db, actor: Actor, id: unknown): Promise<void> {
  assertMayChangeProfiles(actor);
  const profileId = parseInput(ZProfileId, id);
  await assertMayManageProfile(db, actor, profileId);
  await requestFailedRecordResync(db, profileId);
  await recordAudit(db, actor, { action: "profile.resync_failed", object: { type: "profile", id: profileId, label: await profileName(db, profileId) } });
}
