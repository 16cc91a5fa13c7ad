import "server-only";
import { recordAudit } from "../audit/record";
import { type Actor, assertAdmin } from "../auth/actor";
import { outboundLimiter } from "../auth/outbound-limit";
import type { DataverseClient } from "../dataverse/client";
import { DataverseError } from "../dataverse/errors";
import type { Db } from "../db";
import { ConflictError, NotFoundError, ValidationError } from "../errors";
import { decryptSecret, encryptSecret, SecretDecryptionError } from "../secrets";
import { parseInput } from "../validation";
import { SourceUnavailableError, UnreadableSecretError } from "./errors";
import { ZEditOrganization, ZNewOrganization, ZOrganizationId, ZOrganizationRef, ZTableNames } from "./schemas";
import { CONNECTION_SELECT, interactiveClient } from "./source";

export interface OrganizationSummary {
  id: string;
  name: string;
  url: string;
  dataverseOrgId: string | null;
  isDemo: boolean;
  authKind: "token" | "client-credentials";
  tenantId: string | null;
  clientId: string | null;
  privacyAcceptedAt: string | null;
  privacyAcceptedBy: string | null;
  profileCount: number;
  /** False when the stored client secret (or token) cannot be decrypted: an admin must enter it again. */
  secretReadable: boolean;
  /** The day the client secret expires (YYYY-MM-DD), as an admin recorded it; null when not recorded. */
  clientSecretExpiresOn: string | null;
}

export interface ConnectionTestResult {
  ok: boolean;
  message: string;
  userId?: string;
  organizationId?: string;
}

export interface OrganizationTable {
  logicalName: string;
  displayName: string;
  entitySetName: string;
  changeTrackingEnabled: boolean;
  /** Why the table cannot be picked for export; null when it can. */
  notSelectableReason: string | null;
  /** RetrieveTotalRecordCount's snapshot; null when the service did not say. */
  approxRowCount: number | null;
}

export interface OrganizationRelationship {
  schemaName: string;
  entity1: string;
  entity2: string;
  intersectEntity: string;
}

// Selected explicitly: the encrypted secrets are only asked whether they exist.
const SUMMARY_SELECT = {
  id: true, name: true, url: true, dataverseOrgId: true, isDemo: true, tenantId: true, clientId: true,
  privacyAcceptedAt: true, privacyAcceptedBy: true, staticTokenEnc: true, clientSecretEnc: true, clientSecretExpiresAt: true, _count: { select: { profiles: true } },
} as const;

type SummaryRow = {
  id: string; name: string; url: string; dataverseOrgId: string | null; isDemo: boolean; tenantId: string | null;
  clientId: string | null; privacyAcceptedAt: Date | null; privacyAcceptedBy: string | null; staticTokenEnc: string | null;
  clientSecretEnc: string | null; clientSecretExpiresAt: Date | null; _count: { profiles: number };
};

const day = (d: Date | null | undefined) => (d ? d.toISOString().slice(0, 10) : null);

function toSummary(o: SummaryRow): OrganizationSummary {
  return {
    id: o.id,
    name: o.name,
    url: o.url,
    dataverseOrgId: o.dataverseOrgId,
    isDemo: o.isDemo,
    authKind: o.staticTokenEnc ? "token" : "client-credentials",
    tenantId: o.tenantId,
    clientId: o.clientId,
    privacyAcceptedAt: o.privacyAcceptedAt?.toISOString() ?? null,
    privacyAcceptedBy: o.privacyAcceptedBy,
    profileCount: o._count.profiles,
    // Decrypted only to learn whether it can be; the value is dropped here.
    secretReadable: readable(o.staticTokenEnc ?? o.clientSecretEnc),
    clientSecretExpiresOn: day(o.clientSecretExpiresAt),
  };
}

function readable(stored: string | null): boolean {
  if (!stored) return true;
  try {
    decryptSecret(stored);
    return true;
  } catch (err) {
    if (err instanceof SecretDecryptionError) return false;
    throw err;
  }
}

const NOT_FOUND = "That organization does not exist.";

export async function listOrganizations(db: Db, _actor: Actor): Promise<OrganizationSummary[]> {
  const rows = await db.organization.findMany({ select: SUMMARY_SELECT, orderBy: [{ isDemo: "desc" }, { name: "asc" }] });
  return rows.map(toSummary);
}

export async function getOrganization(db: Db, _actor: Actor, id: unknown): Promise<OrganizationSummary> {
  const orgId = parseInput(ZOrganizationId, id);
  const row = await db.organization.findUnique({ where: { id: orgId }, select: SUMMARY_SELECT });
  if (!row) throw new NotFoundError(NOT_FOUND);
  return toSummary(row);
}

/** By id, or by environment URL as the old product's API did. */
export async function findOrganization(db: Db, _actor: Actor, ref: unknown): Promise<OrganizationSummary> {
  const { organizationId, organizationUrl } = parseInput(ZOrganizationRef, ref);
  const row = organizationId
    ? await db.organization.findUnique({ where: { id: organizationId }, select: SUMMARY_SELECT })
    : await db.organization.findUnique({ where: { url: organizationUrl! }, select: SUMMARY_SELECT });
  if (!row || (organizationId && organizationUrl && row.url !== organizationUrl)) {
    throw new NotFoundError(organizationId ? NOT_FOUND : `No organization is registered with the URL ${organizationUrl}.`);
  }
  return toSummary(row);
}

export async function addOrganization(db: Db, actor: Actor, input: unknown): Promise<OrganizationSummary> {
  assertAdmin(actor);
  const data = parseInput(ZNewOrganization, input);
  const existing = await db.organization.findUnique({ where: { url: data.url }, select: { id: true } });
  if (existing) throw new ConflictError(`An organization with the URL ${data.url} is already registered.`, "url");
  try {
    const row = await db.organization.create({
      data: {
        name: data.name, url: data.url, tenantId: data.tenantId, clientId: data.clientId, clientSecretEnc: encryptSecret(data.clientSecret),
        clientSecretExpiresAt: data.clientSecretExpiresAt ?? null,
      },
      select: SUMMARY_SELECT,
    });
    await recordAudit(db, actor, {
      action: "organization.create",
      object: { type: "organization", id: row.id, label: row.name },
      // The secret itself is redacted by the log: the entry says one was set.
      after: {
        name: data.name, url: data.url, tenantId: data.tenantId, clientId: data.clientId, clientSecret: data.clientSecret,
        ...(data.clientSecretExpiresAt ? { clientSecretExpiresOn: day(data.clientSecretExpiresAt) } : {}),
      },
    });
    return toSummary(row);
  } catch (err) {
    // Two admins adding the same URL at once: the unique index decides.
    if ((err as { code?: string }).code === "P2002") throw new ConflictError(`An organization with the URL ${data.url} is already registered.`, "url");
    throw err;
  }
}

/**
 * An admin edits a registered organization: name, tenant id, client id, and — to replace it, or
 * because the stored one cannot be decrypted any more — the client secret. The URL stays (profiles
 * and their targets belong to that environment); the demo organization is managed by the emulator.
 */
export async function updateOrganization(db: Db, actor: Actor, input: unknown): Promise<OrganizationSummary> {
  assertAdmin(actor);
  const data = parseInput(ZEditOrganization, input);
  const current = await db.organization.findUnique({
    where: { id: data.id },
    select: { name: true, tenantId: true, clientId: true, isDemo: true, staticTokenEnc: true, clientSecretEnc: true, clientSecretExpiresAt: true },
  });
  if (!current) throw new NotFoundError(NOT_FOUND);
  if (current.isDemo || current.staticTokenEnc) throw new ValidationError("The demo organization is set up by the local emulator and cannot be edited.");
  if (!data.clientSecret && !(current.clientSecretEnc && readable(current.clientSecretEnc))) {
    throw new ValidationError("Enter the client secret: the stored one cannot be decrypted.", { clientSecret: "Enter the client secret again." });
  }
  const row = await db.organization.update({
    where: { id: data.id },
    data: {
      name: data.name,
      tenantId: data.tenantId,
      clientId: data.clientId,
      ...(data.clientSecret ? { clientSecretEnc: encryptSecret(data.clientSecret) } : {}),
      // Absent keeps the recorded date; empty clears it.
      ...(data.clientSecretExpiresAt !== undefined ? { clientSecretExpiresAt: data.clientSecretExpiresAt } : {}),
    },
    select: SUMMARY_SELECT,
  });
  const expiryChanged = data.clientSecretExpiresAt !== undefined && day(data.clientSecretExpiresAt) !== day(current.clientSecretExpiresAt);
  const expiry = (d: Date | null | undefined) => (expiryChanged ? { clientSecretExpiresOn: day(d) } : {});
  await recordAudit(db, actor, {
    action: "organization.update",
    object: { type: "organization", id: data.id, label: data.name },
    // The secret itself is never written: only that it was replaced (redacted by name, too).
    before: { name: current.name, tenantId: current.tenantId, clientId: current.clientId, clientSecret: data.clientSecret ? "old" : undefined, ...expiry(current.clientSecretExpiresAt) },
    after: { name: data.name, tenantId: data.tenantId, clientId: data.clientId, clientSecret: data.clientSecret ? "new" : undefined, ...expiry(data.clientSecretExpiresAt) },
  });
  return toSummary(row);
}

/** A failure of the source in plain words (the client's messages already say what to do). */
export function explainSourceError(err: unknown, url: string): string {
  if (err instanceof UnreadableSecretError) return err.message;
  if (err instanceof SecretDecryptionError) return `${err.message} Enter the client secret again.`;
  if (err instanceof DataverseError) {
    const text = err.message.split("\n")[0];
    return text.length > 500 ? `${text.slice(0, 497)}...` : text;
  }
  return `Could not reach ${url}. Check the URL and that this server can reach it.`;
}

export async function testOrganizationConnection(db: Db, actor: Actor, id: unknown): Promise<ConnectionTestResult> {
  const orgId = parseInput(ZOrganizationId, id);
  await outboundLimiter(db).consume(actor);
  const org = await db.organization.findUnique({ where: { id: orgId }, select: { ...CONNECTION_SELECT, dataverseOrgId: true } });
  if (!org) throw new NotFoundError(NOT_FOUND);
  try {
    const who = await interactiveClient(org).whoAmI();
    if (org.dataverseOrgId !== who.organizationId) {
      await db.organization.update({ where: { id: orgId }, data: { dataverseOrgId: who.organizationId } });
    }
    return { ok: true, message: `Connected to ${org.url} as user ${who.userId}.`, userId: who.userId, organizationId: who.organizationId };
  } catch (err) {
    if (!(err instanceof DataverseError) && !(err instanceof SecretDecryptionError) && !(err instanceof UnreadableSecretError)) console.error("[testOrganizationConnection]", err);
    return { ok: false, message: explainSourceError(err, org.url) };
  }
}

/** Records who accepted and when; accepting again keeps the first acceptance. */
export async function acceptPrivacyTerms(db: Db, actor: Actor, id: unknown): Promise<OrganizationSummary> {
  assertAdmin(actor);
  const orgId = parseInput(ZOrganizationId, id);
  const accepted = await db.organization.updateMany({
    where: { id: orgId, privacyAcceptedAt: null },
    data: { privacyAcceptedAt: new Date(), privacyAcceptedBy: actor.email },
  });
  const row = await db.organization.findUnique({ where: { id: orgId }, select: SUMMARY_SELECT });
  if (!row) throw new NotFoundError(NOT_FOUND);
  if (accepted.count > 0) {
    await recordAudit(db, actor, {
      action: "organization.privacy_accept",
      object: { type: "organization", id: row.id, label: row.name },
      before: { privacyAcceptedAt: null, privacyAcceptedBy: null },
      after: { privacyAcceptedAt: row.privacyAcceptedAt, privacyAcceptedBy: row.privacyAcceptedBy },
    });
  }
  return toSummary(row);
}

async function sourceFor(db: Db, orgId: string): Promise<{ client: DataverseClient; url: string }> {
  const org = await db.organization.findUnique({ where: { id: orgId }, select: CONNECTION_SELECT });
  if (!org) throw new NotFoundError(NOT_FOUND);
  return { client: interactiveClient(org), url: org.url };
}

async function counts(client: DataverseClient, names: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  // One request per 100 tables instead of one per table; the numbers are only a hint.
  for (let i = 0; i < names.length; i += 100) {
    const chunk = names.slice(i, i + 100);
    try {
      const param = encodeURIComponent(`[${chunk.map((n) => `'${n}'`).join(",")}]`);
      const r = await client.http.json<{ EntityRecordCountCollection: { Keys: string[]; Values: number[] } }>(`RetrieveTotalRecordCount(EntityNames=@p1)?@p1=${param}`);
      r.EntityRecordCountCollection.Keys.forEach((k, j) => out.set(k, r.EntityRecordCountCollection.Values[j]));
    } catch {
      // Some tables cannot be counted; their count stays unknown.
    }
  }
  return out;
}

export async function listOrganizationTables(db: Db, actor: Actor, orgId: unknown): Promise<OrganizationTable[]> {
  const id = parseInput(ZOrganizationId, orgId);
  await outboundLimiter(db).consume(actor);
  const { client, url } = await sourceFor(db, id);
  let tables;
  try {
    tables = await client.listTables();
  } catch (err) {
    throw new SourceUnavailableError(explainSourceError(err, url));
  }
  const rowCounts = await counts(client, tables.filter((t) => t.changeTrackingEnabled && !t.isIntersect).map((t) => t.logicalName));
  return tables.map((t) => ({
    logicalName: t.logicalName,
    displayName: t.displayName || t.logicalName,
    entitySetName: t.entitySetName,
    changeTrackingEnabled: t.changeTrackingEnabled,
    notSelectableReason: !t.changeTrackingEnabled
      ? "Change tracking is off for this table. Turn on Track changes in its properties (Power Apps maker portal) to export it."
      : t.isIntersect
        ? "This is the intersect table of an N:N relationship: choose the relationship instead."
        : null,
    approxRowCount: rowCounts.get(t.logicalName) ?? null,
  }));
}

export async function listOrganizationRelationships(db: Db, actor: Actor, orgId: unknown, tables?: unknown): Promise<OrganizationRelationship[]> {
  const id = parseInput(ZOrganizationId, orgId);
  const names = tables === undefined ? undefined : parseInput(ZTableNames, tables).map((t) => t.toLowerCase());
  await outboundLimiter(db).consume(actor);
  const { client, url } = await sourceFor(db, id);
  let rels;
  try {
    rels = await client.listManyToMany();
  } catch (err) {
    throw new SourceUnavailableError(explainSourceError(err, url));
  }
  const wanted = names ? new Set(names) : null;
  return rels
    .filter((r) => !wanted || (wanted.has(r.entity1LogicalName) && wanted.has(r.entity2LogicalName)))
    .map((r) => ({ schemaName: r.schemaName, entity1: r.entity1LogicalName, entity2: r.entity2LogicalName, intersectEntity: r.intersectEntityName }))
    .sort((a, b) => a.schemaName.localeCompare(b.schemaName));
}
