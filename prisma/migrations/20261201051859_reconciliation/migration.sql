-- CreateTable
CREATE TABLE "Reconciliation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "profileId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'requested',
    "trigger" TEXT NOT NULL,
    "tables" TEXT,
    "repair" BOOLEAN NOT NULL DEFAULT false,
    "requestedBy" TEXT,
    "requestedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "durationMs" INTEGER,
    "missing" INTEGER,
    "extra" INTEGER,
    "stale" INTEGER,
    "error" TEXT,
    CONSTRAINT "Reconciliation_profileId_fkey" FOREIGN KEY ("profileId") REFERENCES "Profile" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ReconciliationTable" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "reconciliationId" TEXT NOT NULL,
    "logicalName" TEXT NOT NULL,
    "tableName" TEXT,
    "sourceCount" INTEGER NOT NULL DEFAULT 0,
    "targetCount" INTEGER NOT NULL DEFAULT 0,
    "missing" INTEGER NOT NULL DEFAULT 0,
    "extra" INTEGER NOT NULL DEFAULT 0,
    "stale" INTEGER NOT NULL DEFAULT 0,
    "samples" TEXT NOT NULL DEFAULT '{}',
    "durationMs" INTEGER NOT NULL DEFAULT 0,
    "repaired" BOOLEAN NOT NULL DEFAULT false,
    "repairedRows" INTEGER NOT NULL DEFAULT 0,
    "repairFailed" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    CONSTRAINT "ReconciliationTable_reconciliationId_fkey" FOREIGN KEY ("reconciliationId") REFERENCES "Reconciliation" ("id") ON DELETE CASCADE ON UPDATE CASCADE
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
    "lastError" TEXT,
    "lastSyncAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "epoch" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "Profile_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_Profile" ("createdAt", "dataActive", "destinationEnc", "destinationKeyVaultUri", "destinationType", "epoch", "id", "lastError", "lastSyncAt", "metadataActive", "name", "organizationId", "prefix", "resyncFailedRequested", "retryCount", "retryIntervalSeconds", "schemaName", "state", "syncIntervalSeconds", "updatedAt", "version", "writeDeleteLog") SELECT "createdAt", "dataActive", "destinationEnc", "destinationKeyVaultUri", "destinationType", "epoch", "id", "lastError", "lastSyncAt", "metadataActive", "name", "organizationId", "prefix", "resyncFailedRequested", "retryCount", "retryIntervalSeconds", "schemaName", "state", "syncIntervalSeconds", "updatedAt", "version", "writeDeleteLog" FROM "Profile";
DROP TABLE "Profile";
ALTER TABLE "new_Profile" RENAME TO "Profile";
CREATE UNIQUE INDEX "Profile_name_key" ON "Profile"("name");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "Reconciliation_profileId_requestedAt_idx" ON "Reconciliation"("profileId", "requestedAt");

-- CreateIndex
CREATE INDEX "Reconciliation_status_idx" ON "Reconciliation"("status");

-- CreateIndex
CREATE INDEX "ReconciliationTable_reconciliationId_idx" ON "ReconciliationTable"("reconciliationId");

