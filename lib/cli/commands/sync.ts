// `dataverse-export sync`: upsert an organization + profile in the store from flags, check the
// source, the tables and the target BEFORE writing anything, then run the profile (--once: bring
// the target up to date and print a per-table summary; else keep syncing until SIGINT/SIGTERM).
import { parseArgs } from "node:util";
import { z } from "zod";
import { createDb, type Db } from "../../db";
import { DataverseClient } from "../../dataverse/client";
import { NotFoundError } from "../../dataverse/errors";
import { tableNameFor } from "../../destinations/columns";
import { checkNames } from "../../destinations/names";
import { assertNotPortalTarget, describeTargetText, openTarget, targetKind } from "../../sync/open-target";
import { decryptSecret, encryptSecret } from "../../secrets";
import { migrateStore } from "../../store/migrate";
import { runProfile, type ProfileRunResult } from "../../sync/profile-runner";
import { errorText } from "../../sync/retry-policy";
import { ZLakeDatabaseName } from "../../lake-database/synapse-script";
import { runWithRestarts } from "../../sync/supervisor";
import { fencedDb, fencedDestination, isFenced } from "../../sync/ownership/fence";
import { currentOwner } from "../../sync/ownership/lease";
import { OwnershipSession } from "../../sync/ownership/session";
import { openProfileTarget } from "../../sync/profile-runner";
import type { Logger } from "../../sync/table-pipeline";
import { checkEncryptionKey } from "../../secrets/key-check";

const USAGE = `usage: dataverse-export sync --name NAME --source URL (--token T | --tenant-id ID --client-id ID --client-secret S)
    --target TARGET --tables a,b[,...] [--relationships x,y] [--prefix P] [--schema S]
    [--retry-count N] [--retry-interval SECONDS] [--delete-log] [--once]
    [--interval SECONDS] [--page-size N] [--quiet]
    [--lake-mode append-only|in-place] [--partition year|month] [--snapshot-minutes N] [--snapshot-keep K] [--incremental-folders]
    [--lake-format csv|delta] [--delta-compact-minutes N] [--delta-vacuum-minutes N] [--delta-retention-hours H]

  TARGET            sqlite:PATH | postgres://... | mssql://... | an ADO.NET SQL Server connection string
                    | a data lake: lake:PATH, abfss://CONTAINER@ACCOUNT.dfs.core.windows.net/PATH[;AccountKey=K],
                    https://ACCOUNT.blob.core.windows.net/CONTAINER/PATH?SAS, or a storage connection string ;Container=C
  --lake-mode       data lake: append-only (default; deletes as IsDelete rows) or in-place (rows rewritten)
  --partition       data lake: partition files by createdon year (default) or month
  --snapshot-minutes  data lake: minutes between snapshots of a changed table (default 60; 0 = every cycle)
  --snapshot-keep   data lake: snapshots kept per table (default 5)
  --lake-format     data lake: csv (Synapse Link CSV + model.json, default) or delta (Delta tables at
                    deltalake/<table>_partitioned/, one commit per cycle)
  --delta-compact-minutes  delta: minutes between compactions of small files (default 60; 0 = every cycle)
  --delta-vacuum-minutes   delta: minutes between vacuums (default 1440)
  --delta-retention-hours  delta: removed files kept this long, time travel reaches this far (default 168)
  --lake-database NAME  data lake (CSV): a lake database; files under <lake>/NAME/ and a DuckDB database
                    file in $DATA_DIR/lake-databases/<profile>/NAME.duckdb (lake query --database-file)
  --incremental-folders  data lake: also write yyyy-MM-ddTHH.mm.ssZ incremental update folders
                    each snapshot interval (append-only)
  --once            activate metadata + data, bring the target up to date, print a summary, exit
  --retry-count     record retries before a failure entry is written (0-20, default 12)
  --retry-interval  seconds between record retries (0-3600, default 5)
  --interval        seconds between delta reads (default 5; fractions allowed)
  Re-running with the same --name resumes from its saved state. Tables, relationships, retry
  settings, --delete-log and credentials may change between runs; the target, --schema and
  --prefix of an existing profile may not (use a new --name).`;

const NAME = /^[A-Za-z0-9_]+$/;
const list = (s: string | undefined) => (s ?? "").split(",").map((x) => x.trim()).filter(Boolean);

const ZSyncFlags = z
  .object({
    name: z.string().trim().min(1, "--name is required").max(100),
    source: z.string().trim().min(1, "--source is required"),
    token: z.string().optional(),
    tenantId: z.string().optional(),
    clientId: z.string().optional(),
    clientSecret: z.string().optional(),
    target: z.string().trim().min(1, "--target is required"),
    tables: z.array(z.string().regex(/^[a-z0-9_]+$/i, "table names are logical names (letters, digits, _)")).min(1, "--tables needs at least one table"),
    relationships: z.array(z.string().regex(/^[a-z0-9_]+$/i, "relationship names are schema names (letters, digits, _)")),
    prefix: z.string().regex(/^[A-Za-z0-9]*$/, "--prefix must be alphanumeric").max(14, "--prefix must be under 15 characters"),
    schema: z.string().regex(NAME, "--schema must be alphanumeric").max(64),
    retryCount: z.number().int("--retry-count must be a whole number").min(0, "--retry-count must be 0-20").max(20, "--retry-count must be 0-20"),
    retryInterval: z.number().int("--retry-interval must be whole seconds").min(0, "--retry-interval must be 0-3600").max(3600, "--retry-interval must be 0-3600"),
    interval: z.number().min(0, "--interval must be >= 0").max(86400),
    pageSize: z.number().int().min(1, "--page-size must be 1-5000").max(5000, "--page-size must be 1-5000"),
    deleteLog: z.boolean(),
    lakeMode: z.enum(["appendOnly", "inPlace"]).optional(),
    partition: z.enum(["Year", "Month"]).optional(),
    snapshotMinutes: z.number().int("--snapshot-minutes must be whole minutes").min(0).max(10080, "--snapshot-minutes must be 0-10080").optional(),
    snapshotKeep: z.number().int().min(1, "--snapshot-keep must be 1-1000").max(1000, "--snapshot-keep must be 1-1000").optional(),
    lakeFormat: z.enum(["csv", "delta"]).optional(),
    deltaCompactMinutes: z.number().int("--delta-compact-minutes must be whole minutes").min(0).max(10080, "--delta-compact-minutes must be 0-10080").optional(),
    deltaVacuumMinutes: z.number().int("--delta-vacuum-minutes must be whole minutes").min(0).max(43200, "--delta-vacuum-minutes must be 0-43200").optional(),
    deltaRetentionHours: z.number().int("--delta-retention-hours must be whole hours").min(0).max(8760, "--delta-retention-hours must be 0-8760").optional(),
    incrementalFolders: z.boolean().optional(),
    lakeDatabase: ZLakeDatabaseName.optional(),
    once: z.boolean(),
    quiet: z.boolean(),
  })
  .refine((f) => Boolean(f.token) !== Boolean(f.tenantId || f.clientId || f.clientSecret), {
    message: "give either --token, or --tenant-id, --client-id and --client-secret",
  })
  .refine((f) => f.token || (f.tenantId && f.clientId && f.clientSecret), {
    message: "--tenant-id, --client-id and --client-secret go together",
  });
export type TSyncFlags = z.infer<typeof ZSyncFlags>;

class UsageError extends Error {}

const num = (v: string | undefined, dflt: number, flag: string): number => {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (v.trim() === "" || Number.isNaN(n)) throw new UsageError(`${flag} must be a number, got '${v}'`);
  return n;
};

function enumFlag<T extends string>(v: string | undefined, flag: string, map: Record<string, T>): T | undefined {
  if (v === undefined) return undefined;
  const hit = map[v.toLowerCase()];
  if (!hit) throw new UsageError(`${flag} must be ${Object.keys(map).join(" or ")}, got '${v}'`);
  return hit;
}

export function parseSyncFlags(argv: string[]): TSyncFlags {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        name: { type: "string" }, source: { type: "string" }, token: { type: "string" },
        "tenant-id": { type: "string" }, "client-id": { type: "string" }, "client-secret": { type: "string" },
        target: { type: "string" }, tables: { type: "string" }, relationships: { type: "string" },
        prefix: { type: "string" }, schema: { type: "string" }, "retry-count": { type: "string" },
        "retry-interval": { type: "string" }, interval: { type: "string" }, "page-size": { type: "string" },
        "lake-mode": { type: "string" }, partition: { type: "string" }, "snapshot-minutes": { type: "string" }, "snapshot-keep": { type: "string" }, "incremental-folders": { type: "boolean" },
        "lake-format": { type: "string" }, "delta-compact-minutes": { type: "string" }, "delta-vacuum-minutes": { type: "string" }, "delta-retention-hours": { type: "string" },
        "lake-database": { type: "string" },
        "delete-log": { type: "boolean" }, once: { type: "boolean" }, quiet: { type: "boolean" }, help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message.split("\n")[0]);
  }
  if (values.help) throw new UsageError("");
  const s = (k: string) => values[k] as string | undefined;
  const parsed = ZSyncFlags.safeParse({
    name: s("name") ?? "", source: s("source") ?? "", token: s("token"), tenantId: s("tenant-id"), clientId: s("client-id"),
    clientSecret: s("client-secret"), target: s("target") ?? "", tables: list(s("tables")).map((t) => t.toLowerCase()),
    relationships: list(s("relationships")), prefix: s("prefix") ?? "", schema: s("schema") ?? "dbo",
    retryCount: num(s("retry-count"), 12, "--retry-count"), retryInterval: num(s("retry-interval"), 5, "--retry-interval"),
    interval: num(s("interval"), 5, "--interval"), pageSize: num(s("page-size"), 2000, "--page-size"),
    deleteLog: Boolean(values["delete-log"]), once: Boolean(values.once), quiet: Boolean(values.quiet),
    lakeMode: enumFlag(s("lake-mode"), "--lake-mode", { "append-only": "appendOnly", "in-place": "inPlace" }),
    partition: enumFlag(s("partition"), "--partition", { year: "Year", month: "Month" }),
    snapshotMinutes: s("snapshot-minutes") === undefined ? undefined : num(s("snapshot-minutes"), 60, "--snapshot-minutes"),
    snapshotKeep: s("snapshot-keep") === undefined ? undefined : num(s("snapshot-keep"), 5, "--snapshot-keep"),
    lakeFormat: enumFlag(s("lake-format"), "--lake-format", { csv: "csv", delta: "delta" }),
    deltaCompactMinutes: s("delta-compact-minutes") === undefined ? undefined : num(s("delta-compact-minutes"), 60, "--delta-compact-minutes"),
    deltaVacuumMinutes: s("delta-vacuum-minutes") === undefined ? undefined : num(s("delta-vacuum-minutes"), 1440, "--delta-vacuum-minutes"),
    deltaRetentionHours: s("delta-retention-hours") === undefined ? undefined : num(s("delta-retention-hours"), 168, "--delta-retention-hours"),
    incrementalFolders: values["incremental-folders"] === undefined ? undefined : Boolean(values["incremental-folders"]),
    lakeDatabase: s("lake-database"),
  });
  if (!parsed.success) throw new UsageError(parsed.error.issues[0].message);
  return parsed.data;
}

function stderrLog(quiet: boolean): Logger {
  const at = () => new Date().toISOString().slice(11, 19);
  return {
    info: (m) => void (quiet || process.stderr.write(`${at()} ${m}\n`)),
    warn: (m) => void process.stderr.write(`${at()} warn: ${m}\n`),
    error: (m) => void process.stderr.write(`${at()} error: ${m}\n`),
  };
}

/** Source, tables, relationships and target checked; throws a one-line Error when anything is off. */
async function preflight(f: TSyncFlags): Promise<void> {
  let kind: Awaited<ReturnType<typeof targetKind>>;
  try {
    kind = await targetKind(f.target);
    assertNotPortalTarget(f.target);
  } catch (err) {
    throw new Error(`target: ${errorText(err)}`);
  }
  const client = new DataverseClient({
    url: f.source, token: f.token, tenantId: f.tenantId, clientId: f.clientId, clientSecret: f.clientSecret,
    maxRetries: 2, maxThrottleWaitSeconds: 120,
  });
  try {
    await client.whoAmI();
  } catch (err) {
    throw new Error(`cannot reach the source ${f.source}: ${errorText(err)}`);
  }
  for (const t of f.tables) {
    let schema;
    try {
      schema = await client.getTableSchema(t);
    } catch (err) {
      if (err instanceof NotFoundError) throw new Error(`table '${t}' does not exist in ${f.source}`);
      throw new Error(`cannot read table '${t}': ${errorText(err)}`);
    }
    if (!schema.table.changeTrackingEnabled) throw new Error(`table '${t}' is not enabled for change tracking, so it cannot be exported (enable Track changes on it, or leave it out)`);
  }
  const intersects: string[] = [];
  if (f.relationships.length) {
    const rels = await client.listManyToMany();
    for (const r of f.relationships) {
      const rel = rels.find((x) => x.schemaName.toLowerCase() === r.toLowerCase());
      if (!rel) throw new Error(`N:N relationship '${r}' does not exist in ${f.source}`);
      intersects.push(rel.intersectEntityName);
    }
  }
  const names = checkNames(kind, [...f.tables, ...intersects].map((t) => tableNameFor(t, f.prefix)));
  if (!names.ok) throw new Error(`${names.message} ${names.fix ?? ""}`.trim());
  const dest = await openTarget(f.target, { schemaName: f.schema, prefix: f.prefix });
  try {
    const bad = (await dest.validate()).find((c) => !c.ok);
    if (bad) throw new Error(`target ${await describeTargetText(f.target)}: ${bad.message ?? bad.label}${bad.fix ? ` — ${bad.fix}` : ""}`);
  } finally {
    await dest.close();
  }
}

/** Creates or updates the organization and profile; returns the profile id. */
export async function upsertProfileFromFlags(db: Db, f: TSyncFlags): Promise<string> {
  const url = new URL(f.source).origin;
  const creds = f.token
    ? { staticTokenEnc: encryptSecret(f.token), tenantId: null, clientId: null, clientSecretEnc: null }
    : { staticTokenEnc: null, tenantId: f.tenantId!, clientId: f.clientId!, clientSecretEnc: encryptSecret(f.clientSecret!) };
  const org = await db.organization.upsert({
    where: { url },
    create: { url, name: new URL(url).hostname, ...creds },
    update: creds,
    select: { id: true },
  });
  const kind = await targetKind(f.target);
  if (f.lakeDatabase && (kind !== "datalake" || f.lakeFormat === "delta")) throw new Error("--lake-database needs a data lake --target in the CSV format");
  const existing = await db.profile.findUnique({
    where: { name: f.name },
    select: { id: true, organizationId: true, destinationEnc: true, schemaName: true, prefix: true, lakeDatabase: true },
  });
  const settings = {
    retryCount: f.retryCount, retryIntervalSeconds: f.retryInterval, writeDeleteLog: f.deleteLog,
    syncIntervalSeconds: Math.max(1, Math.ceil(f.interval)),
    ...(f.lakeMode ? { lakeMode: f.lakeMode } : {}),
    ...(f.partition ? { lakePartition: f.partition } : {}),
    ...(f.snapshotMinutes !== undefined ? { lakeSnapshotMinutes: f.snapshotMinutes } : {}),
    ...(f.snapshotKeep !== undefined ? { lakeSnapshotKeep: f.snapshotKeep } : {}),
    ...(f.lakeFormat ? { lakeFormat: f.lakeFormat } : {}),
    ...(f.deltaCompactMinutes !== undefined ? { lakeDeltaCompactMinutes: f.deltaCompactMinutes } : {}),
    ...(f.deltaVacuumMinutes !== undefined ? { lakeDeltaVacuumMinutes: f.deltaVacuumMinutes } : {}),
    ...(f.deltaRetentionHours !== undefined ? { lakeDeltaRetentionHours: f.deltaRetentionHours } : {}),
    ...(f.incrementalFolders !== undefined ? { lakeIncrementalFolders: f.incrementalFolders } : {}),
    ...(f.lakeDatabase ? { lakeDatabase: f.lakeDatabase } : {}),
  };
  let profileId: string;
  if (existing) {
    const problems: string[] = [];
    if (existing.organizationId !== org.id) problems.push("--source");
    if (!existing.destinationEnc || decryptSecret(existing.destinationEnc) !== f.target) problems.push("--target");
    if (existing.schemaName !== f.schema) problems.push("--schema");
    if (existing.prefix !== f.prefix) problems.push("--prefix");
    // Renaming a database keeps the old one as a previous database: the portal and REST API do that.
    if (f.lakeDatabase && existing.lakeDatabase && existing.lakeDatabase !== f.lakeDatabase) problems.push("--lake-database");
    if (problems.length) throw new Error(`profile '${f.name}' exists with a different ${problems.join(", ")}; these cannot change for an existing profile (use a new --name)`);
    await db.profile.update({ where: { id: existing.id }, data: { ...settings, version: { increment: 1 } } });
    profileId = existing.id;
  } else {
    const created = await db.profile.create({
      data: {
        name: f.name, organizationId: org.id, destinationType: kind, destinationEnc: encryptSecret(f.target),
        // Not active: the CLI runs it itself; the portal's workers run it only once an admin activates it.
        schemaName: f.schema, prefix: f.prefix, state: "inactive", ...settings,
      },
      select: { id: true },
    });
    profileId = created.id;
  }
  const wanted = [
    ...f.tables.map((logicalName) => ({ logicalName, kind: "entity" })),
    ...f.relationships.map((logicalName) => ({ logicalName, kind: "relationship" })),
  ];
  for (const t of wanted) {
    await db.profileTable.upsert({
      where: { profileId_logicalName: { profileId, logicalName: t.logicalName } },
      create: { profileId, logicalName: t.logicalName, kind: t.kind },
      update: { enabled: true, kind: t.kind },
    });
  }
  await db.profileTable.updateMany({
    where: { profileId, logicalName: { notIn: wanted.map((t) => t.logicalName) } },
    data: { enabled: false },
  });
  return profileId;
}

export function formatSummary(r: ProfileRunResult): string {
  const head = ["TABLE", "TARGET TABLE", "STATE", "WRITTEN", "DELETED", "FAILED", "SKIPPED"];
  const rows = r.tables.map((t) => [t.logicalName, t.tableName ?? "-", t.state, String(t.upserts), String(t.deletes), String(t.failed), String(t.skipped)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
  const out = [line(head), ...rows.map(line)];
  for (const t of r.tables) if (t.error) out.push(`${t.logicalName}: ${t.error}`);
  return out.join("\n");
}

/** A live owner runs the profile: say who, and how to proceed; nothing was written. */
async function refuse(db: Db, name: string, profileId: string): Promise<number> {
  const o = await currentOwner(db, profileId);
  const who = o ? `${o.role === "cli" ? "another dataverse-export sync" : "a worker"} on ${o.host} (pid ${o.pid}, last heartbeat ${o.heartbeatAt.toISOString()})` : "another process";
  console.error(`dataverse-export sync: profile '${name}' is being run by ${who}. One runner per profile: deactivate it in the portal (or stop that process), then run this again.`);
  return 1;
}

export async function run(argv: string[]): Promise<number> {
  let flags: TSyncFlags;
  try {
    flags = parseSyncFlags(argv);
  } catch (err) {
    const msg = (err as Error).message;
    if (msg) console.error(`dataverse-export sync: ${msg}`);
    console.error(USAGE);
    return msg ? 2 : 0;
  }
  const log = stderrLog(flags.quiet);
  try {
    await preflight(flags);
  } catch (err) {
    console.error(`dataverse-export sync: ${errorText(err)}`);
    return 1;
  }
  migrateStore();
  const db = createDb();
  const controller = new AbortController();
  const onSignal = () => {
    log.info("stopping (finishing the current batch)...");
    controller.abort();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let session: OwnershipSession | null = null;
  let fencedBy: string | null = null;
  try {
    // Before the profile's secrets are written: the wrong key stops here (KeyMismatchError says which).
    await checkEncryptionKey(db);
    // The same lease as the workers': the CLI never runs a profile someone else is running.
    session = await OwnershipSession.open(db, { role: "cli", log });
    const existing = await db.profile.findUnique({ where: { name: flags.name }, select: { id: true } });
    let fence = existing ? await session.tryAcquire(existing.id) : null;
    if (existing && !fence) return await refuse(db, flags.name, existing.id);
    const profileId = await upsertProfileFromFlags(db, flags);
    fence ??= await session.tryAcquire(profileId);
    if (!fence) return await refuse(db, flags.name, profileId);
    fence.onTrip((reason) => {
      if (reason === "released") return;
      fencedBy = reason;
      controller.abort();
    });
    const deps = {
      db: fencedDb(db, fence),
      log,
      pageSize: flags.pageSize,
      intervalMs: Math.round(flags.interval * 1000),
      openTarget: async (p: Parameters<typeof openProfileTarget>[0]) => fencedDestination(await openProfileTarget(p), fence, db),
    };
    const result = await runWithRestarts((attempt) => {
      if (attempt > 0) log.info(`restarting with fresh connections (attempt ${attempt + 1})`);
      return runProfile(profileId, deps, { signal: controller.signal, once: flags.once, data: true });
    }, { signal: controller.signal, log, failFastOnConfig: true, maxAttempts: flags.once ? 6 : undefined });
    console.log(formatSummary(result));
    return result.anyTableFailed && flags.once ? 1 : 0;
  } catch (err) {
    if (isFenced(err) || fencedBy) {
      console.error(`dataverse-export sync: stopped: another runner took profile '${flags.name}' over (${fencedBy ?? errorText(err)})`);
      return 1;
    }
    if (controller.signal.aborted) return 0;
    console.error(`dataverse-export sync: ${errorText(err)}`);
    return 1;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    // Releases the lease: the profile is not left to anyone (it is active only if an admin made it so).
    await session?.close().catch(() => undefined);
    await db.$disconnect();
  }
}
