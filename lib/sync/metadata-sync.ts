// "Activate metadata": prepare the target (schema, label tables, DeleteLog), then create or extend
// one table per exported table and N:N relationship (its intersect entity). New source attributes
// become new columns; nothing is ever dropped.
import type { Db } from "../db";
import type { ChangeSource, ManyToManyInfo, TableSchema } from "../dataverse/types";
import { tableSpecFor } from "../destinations/columns";
import type { Destination, TargetTableSpec } from "../destinations/types";
import { REEXPORT, updateTable, type TableRow } from "./profile-store";
import { linkSelect } from "./schema-drift";
import { classifyError, errorText } from "./retry-policy";
import { failTable, type Logger, type TableTarget } from "./table-pipeline";

export interface MetadataContext {
  db: Db;
  profileId: string;
  source: ChangeSource;
  dest: Destination;
  prefix: string;
  deleteLog: boolean;
  log: Logger;
}

export interface PreparedTable {
  row: TableRow;
  schema: TableSchema;
  target: TableTarget;
}

export interface MetadataResult {
  ready: PreparedTable[];
  failed: { row: TableRow; reason: string }[];
}

/** Attributes read from the source: every attribute a column is filled from. */
export function selectFor(spec: TargetTableSpec): string[] {
  const out = new Set<string>();
  for (const c of spec.columns) if (c.attribute) out.add(c.attribute);
  return [...out];
}

export function targetFor(row: TableRow, schema: TableSchema, prefix: string): TableTarget {
  const spec = tableSpecFor(schema, prefix);
  return { tableId: row.id, info: schema.table, spec, select: selectFor(spec) };
}

async function resolveSchema(ctx: MetadataContext, row: TableRow, relationships: () => Promise<ManyToManyInfo[]>): Promise<TableSchema> {
  if (row.kind === "entity") return ctx.source.getTableSchema(row.logicalName);
  const rel = (await relationships()).find((r) => r.schemaName.toLowerCase() === row.logicalName.toLowerCase());
  if (!rel) throw new RelationshipNotFoundError(row.logicalName);
  if (row.sourceName !== rel.intersectEntityName) await updateTable(ctx.db, row.id, { sourceName: rel.intersectEntityName });
  return ctx.source.getTableSchema(rel.intersectEntityName);
}

export class RelationshipNotFoundError extends Error {
  constructor(readonly relationship: string) {
    super(`N:N relationship '${relationship}' does not exist in this environment (or touches none of the exported tables).`);
    this.name = "RelationshipNotFoundError";
  }
}

export class NotChangeTrackedError extends Error {
  constructor(readonly table: string) {
    super(`Table '${table}' is not enabled for change tracking, so it cannot be exported. Enable change tracking for it in the Power Apps maker portal (Table properties → Advanced options → Track changes), or remove it from the profile.`);
    this.name = "NotChangeTrackedError";
  }
}

/**
 * Prepares the target and every enabled table. A table that cannot be exported (missing, not
 * change-tracked, cannot be created) gets one `N/A` failure entry — only when its state changes,
 * so restarts do not repeat it — and is left out; transient errors propagate.
 */
export async function activateMetadata(ctx: MetadataContext, rows: TableRow[]): Promise<MetadataResult> {
  await ctx.dest.prepare({ deleteLog: ctx.deleteLog });
  let rels: ManyToManyInfo[] | null = null;
  const relationships = async () => (rels ??= await ctx.source.listManyToMany());
  const result: MetadataResult = { ready: [], failed: [] };
  for (const row of rows.filter((r) => r.enabled)) {
    const out = await activateTable(ctx, row, relationships);
    if ("ready" in out) result.ready.push(out.ready);
    else result.failed.push({ row, reason: out.failed });
  }
  return result;
}

/**
 * One table's metadata: schema, target table, labels. Table-level problems come back as
 * `failed` (logged once); transient ones propagate (never a Failed table for a passing outage).
 * A table leaving the Failed state keeps its links when its target table was there already,
 * so it resumes instead of exporting everything again.
 */
export async function activateTable(
  ctx: MetadataContext,
  row: TableRow,
  relationships: () => Promise<ManyToManyInfo[]> = () => ctx.source.listManyToMany(),
): Promise<{ ready: PreparedTable } | { failed: string }> {
  try {
    const schema = await resolveSchema(ctx, row, relationships);
    if (!schema.table.changeTrackingEnabled) throw new NotChangeTrackedError(schema.table.logicalName);
    const target = targetFor(row, schema, ctx.prefix);
    const ensured = await ctx.dest.ensureTable(target.spec);
    await ctx.dest.writeTableMetadata(schema, target.spec);
    const link = row.resumeLink ?? row.deltaLink;
    if (ensured.created && link) {
      // Dropped while we were away (or a new target): the links cover rows it no longer has.
      const reason = `Target table ${target.spec.tableName} was missing: re-exporting`;
      ctx.log.warn(reason);
      await updateTable(ctx.db, row.id, { ...REEXPORT(reason), initialDone: 0 });
      row = { ...row, ...REEXPORT(reason), initialDone: 0 };
    } else if (ensured.created) ctx.log.info(`created table ${target.spec.tableName}`);
    else if (ensured.addedColumns.length) {
      ctx.log.info(`${target.spec.tableName}: schema change, added ${ensured.addedColumns.join(", ")}`);
      // A link with its $select is brought up to date by a backfill (schema-drift.ts, which
      // also retries failed records); a link without one can only be re-read in full.
      if (link && linkSelect(link) === null) {
        // DES: a failed record is tried again when the schema changes.
        await forgetFailedRecords(ctx, target.spec.entity);
        await updateTable(ctx.db, row.id, { resyncRequested: true, reexportReason: "Columns added at the source: re-exporting" });
        row = { ...row, resyncRequested: true };
      }
    }
    if (row.metadataState !== "Created" || row.initialSyncState === "Failed") {
      const recovered = row.initialSyncState === "Failed" ? await recoveredState(ctx, row, target.spec.entity, ensured.created) : {};
      await updateTable(ctx.db, row.id, { metadataState: "Created", lastError: null, ...recovered });
      row = { ...row, metadataState: "Created", lastError: null, ...recovered };
    }
    return { ready: { row, schema, target } };
  } catch (err) {
    const cls = classifyError(err);
    const tableLevel = err instanceof NotChangeTrackedError || err instanceof RelationshipNotFoundError || cls === "table" || cls === "record";
    if (!tableLevel) throw err;
    const reason = errorText(err);
    if (!(row.metadataState === "Failed" && row.lastError === reason)) {
      await failTable(ctx.db, ctx.profileId, row.id, row.logicalName, err, "metadata");
    }
    ctx.log.error(`${row.logicalName}: ${reason}`);
    return { failed: reason };
  }
}

/** Where a Failed table resumes: its target table was just created → from zero; else from its links. */
async function recoveredState(ctx: MetadataContext, row: TableRow, entity: string, created: boolean) {
  if (created || (!row.resumeLink && !row.deltaLink)) return { initialSyncState: "NotStarted", resumeLink: null, deltaLink: null };
  if (row.resumeLink) return { initialSyncState: "InProgress" };
  const markers = await ctx.db.failedRecord.count({ where: { profileId: ctx.profileId, entity } });
  return { initialSyncState: markers > 0 ? "CompletedWithFailures" : "Completed" };
}

/**
 * Re-reads a table's schema; when the source gained attributes, adds the columns (and refreshes
 * the label rows) and returns the new target. Null when nothing changed.
 */
export async function refreshSchema(ctx: MetadataContext, t: PreparedTable): Promise<PreparedTable | null> {
  const schema = await ctx.source.getTableSchema(t.schema.table.logicalName);
  const next = targetFor(t.row, schema, ctx.prefix);
  const before = new Set(t.target.select.map((a) => a.toLowerCase()));
  const after = new Set(next.select.map((a) => a.toLowerCase()));
  const added = next.select.filter((a) => !before.has(a.toLowerCase()));
  const removed = t.target.select.filter((a) => !after.has(a.toLowerCase()));
  if (added.length === 0 && removed.length === 0) return null;
  const ensured = await ctx.dest.ensureTable(next.spec);
  await ctx.dest.writeTableMetadata(schema, next.spec);
  const what = [added.length ? `added ${added.join(", ")}` : "", removed.length ? `removed ${removed.join(", ")}` : ""].filter(Boolean).join("; ");
  ctx.log.info(`${next.spec.tableName}: schema change, ${what}${ensured.addedColumns.length ? ` (new columns ${ensured.addedColumns.join(", ")})` : ""}`);
  return { row: t.row, schema, target: next };
}

/** Schema changed: failed records get another chance (their Failure entries stay). */
export async function forgetFailedRecords(ctx: MetadataContext, entity: string): Promise<void> {
  await ctx.db.failedRecord.deleteMany({ where: { profileId: ctx.profileId, entity } });
}
