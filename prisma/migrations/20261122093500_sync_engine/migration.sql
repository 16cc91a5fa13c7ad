-- Sync engine: re-sync of failed records, relationship source names, disabled tables,
-- failed-record details, per-minute throughput.

-- AlterTable
ALTER TABLE "Profile" ADD COLUMN "resyncFailedRequested" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "ProfileTable" ADD COLUMN "sourceName" TEXT;
ALTER TABLE "ProfileTable" ADD COLUMN "enabled" BOOLEAN NOT NULL DEFAULT true;

-- AlterTable
ALTER TABLE "FailedRecord" ADD COLUMN "changeType" TEXT NOT NULL DEFAULT 'Update';
ALTER TABLE "FailedRecord" ADD COLUMN "reason" TEXT NOT NULL DEFAULT '';

-- CreateTable
CREATE TABLE "SyncStat" (
    "profileId" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "minute" DATETIME NOT NULL,
    "written" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("profileId", "entity", "minute"),
    CONSTRAINT "SyncStat_profileId_fkey" FOREIGN KEY ("profileId") REFERENCES "Profile" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "SyncStat_profileId_minute_idx" ON "SyncStat"("profileId", "minute");
