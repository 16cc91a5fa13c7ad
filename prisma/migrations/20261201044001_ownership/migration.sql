-- CreateTable
CREATE TABLE "Worker" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "version" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeatAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "stoppedAt" DATETIME,
    "lockPid" INTEGER,
    "counters" TEXT
);

-- CreateTable
CREATE TABLE "ProfileLease" (
    "profileId" TEXT NOT NULL PRIMARY KEY,
    "ownerId" TEXT,
    "epoch" INTEGER NOT NULL DEFAULT 0,
    "expiresAt" DATETIME NOT NULL,
    "acquiredAt" DATETIME,
    CONSTRAINT "ProfileLease_profileId_fkey" FOREIGN KEY ("profileId") REFERENCES "Profile" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ProfileLease_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "Worker" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "LeaseEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "profileId" TEXT NOT NULL,
    "epoch" INTEGER NOT NULL,
    "ownerId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- AlterTable (a new column with a default: no table rebuild)
ALTER TABLE "Profile" ADD COLUMN "epoch" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "Worker_heartbeatAt_idx" ON "Worker"("heartbeatAt");

-- CreateIndex
CREATE INDEX "ProfileLease_ownerId_idx" ON "ProfileLease"("ownerId");

-- CreateIndex
CREATE INDEX "LeaseEvent_profileId_id_idx" ON "LeaseEvent"("profileId", "id");

