// A profile's settings as the audit log compares them before and after a change (lib/audit
// keeps only what differs). The stored connection string is included under a secret's name so
// the log can say it changed, as "[redacted]", without ever holding it.
import type { Db } from "../db";

export async function profileAuditFields(db: Db, id: string): Promise<Record<string, unknown> | null> {
  const p = await db.profile.findUnique({
    where: { id },
    select: {
      name: true, organizationId: true, destinationType: true, destinationEnc: true, destinationKeyVaultUri: true, schemaName: true,
      prefix: true, retryCount: true, retryIntervalSeconds: true, writeDeleteLog: true, state: true, metadataActive: true, dataActive: true,
      lakeMode: true, lakePartition: true, lakeSnapshotMinutes: true, lakeSnapshotKeep: true, lakeIncrementalFolders: true, lakeDatabase: true,
      refreshMode: true, refreshEveryHours: true, refreshCron: true,
      tables: { where: { enabled: true }, select: { logicalName: true, kind: true }, orderBy: { logicalName: "asc" } },
    },
  });
  if (!p) return null;
  const { destinationEnc, destinationKeyVaultUri, tables, ...rest } = p;
  return {
    ...rest,
    connectionString: destinationEnc,
    keyVaultSecretUrl: destinationKeyVaultUri,
    tables: tables.filter((t) => t.kind !== "relationship").map((t) => t.logicalName),
    relationships: tables.filter((t) => t.kind === "relationship").map((t) => t.logicalName),
  };
}

/** The name an audit entry shows for a profile (null when it is gone). */
export async function profileName(db: Db, id: string): Promise<string | null> {
  return (await db.profile.findUnique({ where: { id }, select: { name: true } }))?.name ?? null;
}
