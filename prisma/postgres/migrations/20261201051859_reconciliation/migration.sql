-- AlterTable
ALTER TABLE "Profile" ADD COLUMN     "reconcileEveryHours" INTEGER,
ADD COLUMN     "reconcileScheduleEnabled" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "reconcileTimeUtc" TEXT NOT NULL DEFAULT '02:00',
ADD COLUMN     "resyncFailedAfter" TEXT;

-- CreateTable
CREATE TABLE "Reconciliation" (
    "id" TEXT NOT NULL,
    "profileId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'requested',
    "trigger" TEXT NOT NULL,
    "tables" TEXT,
    "repair" BOOLEAN NOT NULL DEFAULT false,
    "requestedBy" TEXT,
    "requestedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "durationMs" INTEGER,
    "missing" INTEGER,
    "extra" INTEGER,
    "stale" INTEGER,
    "error" TEXT,

    CONSTRAINT "Reconciliation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReconciliationTable" (
    "id" TEXT NOT NULL,
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

    CONSTRAINT "ReconciliationTable_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Reconciliation_profileId_requestedAt_idx" ON "Reconciliation"("profileId", "requestedAt");

-- CreateIndex
CREATE INDEX "Reconciliation_status_idx" ON "Reconciliation"("status");

-- CreateIndex
CREATE INDEX "ReconciliationTable_reconciliationId_idx" ON "ReconciliationTable"("reconciliationId");

-- AddForeignKey
ALTER TABLE "Reconciliation" ADD CONSTRAINT "Reconciliation_profileId_fkey" FOREIGN KEY ("profileId") REFERENCES "Profile"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReconciliationTable" ADD CONSTRAINT "ReconciliationTable_reconciliationId_fkey" FOREIGN KEY ("reconciliationId") REFERENCES "Reconciliation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

