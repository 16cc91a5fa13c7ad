-- CreateTable
CREATE TABLE "RefreshRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "profileId" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "requestedBy" TEXT,
    "dueAt" DATETIME NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "endedAt" DATETIME,
    "result" TEXT NOT NULL DEFAULT 'running',
    "rowsWritten" INTEGER NOT NULL DEFAULT 0,
    "message" TEXT,
    CONSTRAINT "RefreshRun_profileId_fkey" FOREIGN KEY ("profileId") REFERENCES "Profile" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

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
    "connectionId" TEXT,
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
    "refreshMode" TEXT NOT NULL DEFAULT 'continuous',
    "refreshEveryHours" INTEGER,
    "refreshCron" TEXT,
    "refreshNextAt" DATETIME,
    "refreshRequestedAt" DATETIME,
    "refreshRequestedBy" TEXT,
    CONSTRAINT "Profile_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_Profile" ("connectionId", "createdAt", "dataActive", "destinationEnc", "destinationKeyVaultUri", "destinationType", "epoch", "id", "lakeBytesWritten", "lakeDeltaCompactMinutes", "lakeDeltaFiles", "lakeDeltaRetentionHours", "lakeDeltaVacuumMinutes", "lakeDeltaVersion", "lakeFilesWritten", "lakeFormat", "lakeIncrementalFolders", "lakeLastCompactionAt", "lakeLastSnapshotAt", "lakeMode", "lakePartition", "lakeSnapshotCount", "lakeSnapshotKeep", "lakeSnapshotMinutes", "lastError", "lastErrorKind", "lastSyncAt", "metadataActive", "name", "organizationId", "prefix", "reconcileEveryHours", "reconcileScheduleEnabled", "reconcileTimeUtc", "resyncFailedAfter", "resyncFailedRequested", "retryCount", "retryIntervalSeconds", "schemaName", "state", "syncIntervalSeconds", "targetGeneration", "updatedAt", "version", "writeDeleteLog") SELECT "connectionId", "createdAt", "dataActive", "destinationEnc", "destinationKeyVaultUri", "destinationType", "epoch", "id", "lakeBytesWritten", "lakeDeltaCompactMinutes", "lakeDeltaFiles", "lakeDeltaRetentionHours", "lakeDeltaVacuumMinutes", "lakeDeltaVersion", "lakeFilesWritten", "lakeFormat", "lakeIncrementalFolders", "lakeLastCompactionAt", "lakeLastSnapshotAt", "lakeMode", "lakePartition", "lakeSnapshotCount", "lakeSnapshotKeep", "lakeSnapshotMinutes", "lastError", "lastErrorKind", "lastSyncAt", "metadataActive", "name", "organizationId", "prefix", "reconcileEveryHours", "reconcileScheduleEnabled", "reconcileTimeUtc", "resyncFailedAfter", "resyncFailedRequested", "retryCount", "retryIntervalSeconds", "schemaName", "state", "syncIntervalSeconds", "targetGeneration", "updatedAt", "version", "writeDeleteLog" FROM "Profile";
DROP TABLE "Profile";
ALTER TABLE "new_Profile" RENAME TO "Profile";
CREATE UNIQUE INDEX "Profile_name_key" ON "Profile"("name");
CREATE INDEX "Profile_connectionId_idx" ON "Profile"("connectionId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "RefreshRun_profileId_startedAt_idx" ON "RefreshRun"("profileId", "startedAt");

