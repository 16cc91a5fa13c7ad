import "server-only";
// The checks an admin runs before creating or activating a profile (the wizard's step 4,
// `POST profiles/validate`, `GET profiles/{id}/test`). Every failed check says what to do.
import { z } from "zod";
import { type Actor, assertMayChangeProfiles } from "../auth/actor";
import { usableConnection } from "../connections/service";
import { assertMayUseInlineTarget, withConnectionType } from "./access";
import type { DataverseClient } from "../dataverse/client";
import type { TableInfo } from "../dataverse/types";
import type { Db } from "../db";
import { tableNameFor } from "../destinations/columns";
import { checkNames } from "../destinations/names";
import type { DestinationKind, ValidationCheck } from "../destinations/types";
import { AppError, NotFoundError } from "../errors";
import { explainSourceError } from "../organizations/service";
import { CONNECTION_SELECT, interactiveClient } from "../organizations/source";
import { openTarget } from "../sync/open-target";
import { parseInput } from "../validation";
import { ZPrefix, ZProfileId, ZProfileInput, ZSchemaName, ZTargetTest } from "./schemas";
import { assertTargetKind, storedTargetText, targetTextOf } from "./target";
import { asKind } from "./status";
import { decryptSecret } from "../secrets";
import { outboundLimiter } from "../auth/outbound-limit";

export interface ValidationCheckResult {
  id: string;
  label: string;
  ok: boolean;
  /** What was found (on success) or what is wrong (on failure), in plain words. */
  detail: string;
  /** When not ok: exactly what to do (e.g. the GRANT statement to run). */
  fix: string | null;
}

export interface ValidationReport {
  ok: boolean;
  checks: ValidationCheckResult[];
}

interface Plan {
  organizationId: string;
  destinationType: DestinationKind;
  schemaName: string;
  prefix: string;
  tables: string[];
  relationships: string[];
  /** Resolves the target's connection string (inline, stored, or from Key Vault). */
  target: () => Promise<string>;
  targetField: "connectionString" | "keyVaultSecretUrl";
}

const pass = (id: string, label: string, detail = ""): ValidationCheckResult => ({ id, label, ok: true, detail, fix: null });
const fail = (id: string, label: string, detail: string, fix: string | null): ValidationCheckResult => ({ id, label, ok: false, detail, fix });

const report = (checks: ValidationCheckResult[]): ValidationReport => ({ ok: checks.every((c) => c.ok), checks });

function fieldCheck(id: string, label: string, schema: z.ZodType, value: string, fix: string): ValidationCheckResult {
  const r = schema.safeParse(value);
  return r.success ? pass(id, label, value ? `"${value}"` : "none") : fail(id, label, r.error.issues[0].message, fix);
}

async function sourceChecks(db: Db, plan: Plan): Promise<{ checks: ValidationCheckResult[]; intersects: string[] }> {
  const checks: ValidationCheckResult[] = [];
  const org = await db.organization.findUnique({ where: { id: plan.organizationId }, select: { ...CONNECTION_SELECT, name: true, privacyAcceptedAt: true } });
  if (!org) return { checks: [fail("source", "Organization exists", "That organization does not exist.", "Choose a registered organization.")], intersects: [] };
  checks.push(
    org.privacyAcceptedAt
      ? pass("privacy", "Privacy terms accepted", `Accepted on ${org.privacyAcceptedAt.toISOString().slice(0, 10)}.`)
      : fail("privacy", "Privacy terms accepted", `The privacy terms of ${org.name} have not been accepted.`, "An admin accepts them on the organization's Privacy terms page."),
  );
  let client: DataverseClient;
  let tables: TableInfo[];
  try {
    client = interactiveClient(org);
    const who = await client.whoAmI();
    checks.push(pass("source", `Reach ${org.url}`, `Signed in as user ${who.userId}.`));
    tables = await client.listTables();
  } catch (err) {
    checks.push(fail("source", `Reach ${org.url}`, explainSourceError(err, org.url), "Test the organization's connection on the Organizations page and fix its URL or credentials."));
    return { checks, intersects: [] };
  }
  const byName = new Map(tables.map((t) => [t.logicalName, t]));
  for (const name of plan.tables) {
    const t = byName.get(name);
    const label = `Table ${name} exists and tracks changes`;
    if (!t) checks.push(fail(`table:${name}`, label, `There is no table ${name} in ${org.url}.`, "Check the logical name, or leave the table out."));
    else if (!t.changeTrackingEnabled) checks.push(fail(`table:${name}`, label, `Change tracking is off for ${name}.`, `Turn on Track changes for ${name} in the Power Apps maker portal (Table properties → Advanced options), or leave it out.`));
    else checks.push(pass(`table:${name}`, label, t.displayName || name));
  }
  const intersects: string[] = [];
  if (plan.relationships.length) {
    let rels;
    try {
      rels = await client.listManyToMany();
    } catch (err) {
      checks.push(fail("relationships", "Read N:N relationships", explainSourceError(err, org.url), null));
      return { checks, intersects };
    }
    for (const name of plan.relationships) {
      const r = rels.find((x) => x.schemaName.toLowerCase() === name.toLowerCase());
      const label = `Relationship ${name} exists`;
      if (!r) checks.push(fail(`relationship:${name}`, label, `There is no N:N relationship ${name} in ${org.url}.`, "Check the schema name, or leave the relationship out."));
      else {
        intersects.push(r.intersectEntityName);
        checks.push(pass(`relationship:${name}`, label, `${r.entity1LogicalName} ↔ ${r.entity2LogicalName}`));
      }
    }
  }
  return { checks, intersects };
}

function fromDestination(c: ValidationCheck): ValidationCheckResult {
  return { id: `target:${c.id}`, label: c.label, ok: c.ok, detail: c.ok ? "" : (c.message ?? c.label), fix: c.ok ? null : (c.fix ?? null) };
}

/** A lake on Azure without a key or SAS is reached with the organization's app registration. */
async function lakeCredentials(db: Db, plan: Plan): Promise<{ tenantId: string; clientId: string; clientSecret: string } | null> {
  if (plan.destinationType !== "datalake") return null;
  const o = await db.organization.findUnique({ where: { id: plan.organizationId }, select: { tenantId: true, clientId: true, clientSecretEnc: true } });
  return o?.tenantId && o.clientId && o.clientSecretEnc ? { tenantId: o.tenantId, clientId: o.clientId, clientSecret: decryptSecret(o.clientSecretEnc) } : null;
}

async function targetChecks(db: Db, plan: Plan, prefixOk: boolean, schemaOk: boolean, tableNames: string[]): Promise<ValidationCheckResult[]> {
  let text: string;
  try {
    text = await plan.target();
    await assertTargetKind(plan.destinationType, text, plan.targetField);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return [fail("target:connection-string", "Target connection string", err.message, plan.targetField === "keyVaultSecretUrl" ? "Check the secret URL and this server's access to the vault." : "Correct the connection string.")];
  }
  const checks: ValidationCheckResult[] = [];
  if (prefixOk) {
    const names = checkNames(plan.destinationType, tableNames.map((t) => tableNameFor(t, plan.prefix)));
    checks.push(names.ok ? pass("names", names.label) : fail("names", names.label, names.message ?? "", names.fix ?? null));
  }
  if (!schemaOk) return checks;
  const dest = await openTarget(text, { schemaName: plan.schemaName, prefix: prefixOk ? plan.prefix : "", credentials: await lakeCredentials(db, plan) });
  try {
    checks.unshift(...(await dest.validate()).map(fromDestination));
  } finally {
    await dest.close().catch(() => undefined);
  }
  return checks;
}

async function runChecks(db: Db, plan: Plan): Promise<ValidationReport> {
  const schema = fieldCheck("schema", "Schema name is valid", ZSchemaName, plan.schemaName, "Use letters and digits only, at most 64 (the default is dbo).");
  const prefix = fieldCheck("prefix", "Table prefix is valid", ZPrefix, plan.prefix, "Use letters and digits only, under 15 characters, or no prefix.");
  // Relationship tables are named after their intersect entity, so names are checked after the source answers.
  const source = await sourceChecks(db, plan);
  const target = await targetChecks(db, plan, prefix.ok, schema.ok, [...plan.tables, ...source.intersects]);
  return report([...source.checks, schema, prefix, ...target]);
}

const text = (v: unknown, dflt: string) => (v === undefined || v === null ? dflt : String(v).trim());

export async function validateProfile(db: Db, actor: Actor, input: unknown): Promise<ValidationReport> {
  assertMayChangeProfiles(actor);
  // Schema and prefix are reported as checks rather than rejected, so one report lists every problem.
  const given = input && typeof input === "object" && !Array.isArray(input) ? (input as Record<string, unknown>) : null;
  const data = parseInput(ZProfileInput, await withConnectionType(db, given ? { ...given, schemaName: "dbo", prefix: "" } : input));
  const connection = data.connectionId ? await usableConnection(db, actor, data.connectionId) : null;
  if (!connection) assertMayUseInlineTarget(actor);
  await outboundLimiter(db).consume(actor);
  return runChecks(db, {
    organizationId: data.organizationId,
    destinationType: data.destinationType,
    schemaName: text(given?.schemaName, "dbo"),
    prefix: text(given?.prefix, ""),
    tables: data.tables,
    relationships: data.relationships,
    target: async () => (connection ? decryptSecret(connection.secretEnc) : targetTextOf(data)),
    targetField: data.keyVaultSecretUrl ? "keyVaultSecretUrl" : "connectionString",
  });
}

/** The same checks for a saved profile (its stored or Key Vault connection string). */
export async function testProfile(db: Db, actor: Actor, id: unknown): Promise<ValidationReport> {
  const profileId = parseInput(ZProfileId, id);
  await outboundLimiter(db).consume(actor);
  const p = await db.profile.findUnique({
    where: { id: profileId },
    select: {
      organizationId: true, destinationType: true, schemaName: true, prefix: true, destinationEnc: true, destinationKeyVaultUri: true,
      tables: { where: { enabled: true }, select: { logicalName: true, kind: true } },
    },
  });
  if (!p) throw new NotFoundError("That profile does not exist.");
  return runChecks(db, {
    organizationId: p.organizationId,
    destinationType: asKind(p.destinationType),
    schemaName: p.schemaName,
    prefix: p.prefix,
    tables: p.tables.filter((t) => t.kind !== "relationship").map((t) => t.logicalName),
    relationships: p.tables.filter((t) => t.kind === "relationship").map((t) => t.logicalName),
    target: () => storedTargetText(p),
    targetField: p.destinationKeyVaultUri ? "keyVaultSecretUrl" : "connectionString",
  });
}

/** The wizard's "test connection" button: can this server connect, and is every permission there? */
export async function testTargetConnection(db: Db, actor: Actor, input: unknown): Promise<{ ok: boolean; message: string }> {
  assertMayChangeProfiles(actor);
  const data = parseInput(ZTargetTest, await withConnectionType(db, input));
  const connection = data.connectionId ? await usableConnection(db, actor, data.connectionId) : null;
  if (!connection) assertMayUseInlineTarget(actor);
  await outboundLimiter(db).consume(actor);
  const text = connection ? decryptSecret(connection.secretEnc) : await targetTextOf(data);
  await assertTargetKind(data.destinationType, text, data.keyVaultSecretUrl ? "keyVaultSecretUrl" : "connectionString");
  const dest = await openTarget(text, { schemaName: "dbo", prefix: "" });
  try {
    const checks = await dest.validate();
    const bad = checks.find((c) => !c.ok);
    if (!bad) return { ok: true, message: `Connected: ${checks.map((c) => c.label).join("; ")}.` };
    return { ok: false, message: `${bad.message ?? bad.label}${bad.fix ? ` Fix: ${bad.fix}` : ""}` };
  } finally {
    await dest.close().catch(() => undefined);
  }
}

