-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Profile" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "state" TEXT NOT NULL DEFAULT 'draft',
    "organizationId" TEXT NOT NULL,
    "destinationType" TEXT NOT NULL,
    "destinationEnc" TEXT,
    "destinationKeyVaultUri" TEXT,
    "schemaName" TEXT NOT NULL DEFAULT 'dbo',
    "prefix" TEXT NOT NULL DEFAULT '',
    "retryCount" INTEGER NOT NULL DEFAULT 12,
    "retryIntervalSeconds" INTEGER NOT NULL DEFAULT 5,
    "writeDeleteLog" BOOLEAN NOT NULL DEFAULT false,
    "metadataActive" BOOLEAN NOT NULL DEFAULT false,
    "dataActive" BOOLEAN NOT NULL DEFAULT false,
    "syncIntervalSeconds" INTEGER NOT NULL DEFAULT 5,
    "resyncFailedRequested" BOOLEAN NOT NULL DEFAULT false,
    "resyncFailedAfter" TEXT,
    "reconcileScheduleEnabled" BOOLEAN NOT NULL DEFAULT true,
    "reconcileTimeUtc" TEXT NOT NULL DEFAULT '02:00',
    "reconcileEveryHours" INTEGER,
    "targetGeneration" TEXT,
    "lastError" TEXT,
    "lastErrorKind" TEXT,
    "lastSyncAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "epoch" INTEGER NOT NULL DEFAULT 0,
    "lakeMode" TEXT NOT NULL DEFAULT 'appendOnly',
    "lakePartition" TEXT NOT NULL DEFAULT 'Year',
    "lakeSnapshotMinutes" INTEGER NOT NULL DEFAULT 60,
    "lakeSnapshotKeep" INTEGER NOT NULL DEFAULT 5,
    "lakeIncrementalFolders" BOOLEAN NOT NULL DEFAULT false,
    "lakeFormat" TEXT NOT NULL DEFAULT 'csv',
    "lakeDeltaCompactMinutes" INTEGER NOT NULL DEFAULT 60,
    "lakeDeltaVacuumMinutes" INTEGER NOT NULL DEFAULT 1440,
    "lakeDeltaRetentionHours" INTEGER NOT NULL DEFAULT 168,
    "lakeLastSnapshotAt" DATETIME,
    "lakeSnapshotCount" INTEGER NOT NULL DEFAULT 0,
    "lakeFilesWritten" INTEGER NOT NULL DEFAULT 0,
    "lakeBytesWritten" REAL NOT NULL DEFAULT 0,
    "lakeDeltaVersion" INTEGER,
    "lakeDeltaFiles" INTEGER NOT NULL DEFAULT 0,
    "lakeLastCompactionAt" DATETIME,
    CONSTRAINT "Profile_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_Profile" ("createdAt", "dataActive", "destinationEnc", "destinationKeyVaultUri", "destinationType", "epoch", "id", "lakeBytesWritten", "lakeFilesWritten", "lakeIncrementalFolders", "lakeLastSnapshotAt", "lakeMode", "lakePartition", "lakeSnapshotCount", "lakeSnapshotKeep", "lakeSnapshotMinutes", "lastError", "lastErrorKind", "lastSyncAt", "metadataActive", "name", "organizationId", "prefix", "reconcileEveryHours", "reconcileScheduleEnabled", "reconcileTimeUtc", "resyncFailedAfter", "resyncFailedRequested", "retryCount", "retryIntervalSeconds", "schemaName", "state", "syncIntervalSeconds", "targetGeneration", "updatedAt", "version", "writeDeleteLog") SELECT "createdAt", "dataActive", "destinationEnc", "destinationKeyVaultUri", "destinationType", "epoch", "id", "lakeBytesWritten", "lakeFilesWritten", "lakeIncrementalFolders", "lakeLastSnapshotAt", "lakeMode", "lakePartition", "lakeSnapshotCount", "lakeSnapshotKeep", "lakeSnapshotMinutes", "lastError", "lastErrorKind", "lastSyncAt", "metadataActive", "name", "organizationId", "prefix", "reconcileEveryHours", "reconcileScheduleEnabled", "reconcileTimeUtc", "resyncFailedAfter", "resyncFailedRequested", "retryCount", "retryIntervalSeconds", "schemaName", "state", "syncIntervalSeconds", "targetGeneration", "updatedAt", "version", "writeDeleteLog" FROM "Profile";
DROP TABLE "Profile";
ALTER TABLE "new_Profile" RENAME TO "Profile";
CREATE UNIQUE INDEX "Profile_name_key" ON "Profile"("name");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

