-- AlterTable
ALTER TABLE "Profile" ADD COLUMN     "epoch" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "Worker" (
    "id" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "version" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeatAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "stoppedAt" TIMESTAMP(3),
    "lockPid" INTEGER,
    "counters" TEXT,

    CONSTRAINT "Worker_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProfileLease" (
    "profileId" TEXT NOT NULL,
    "ownerId" TEXT,
    "epoch" INTEGER NOT NULL DEFAULT 0,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "acquiredAt" TIMESTAMP(3),

    CONSTRAINT "ProfileLease_pkey" PRIMARY KEY ("profileId")
);

-- CreateTable
CREATE TABLE "LeaseEvent" (
    "id" SERIAL NOT NULL,
    "profileId" TEXT NOT NULL,
    "epoch" INTEGER NOT NULL,
    "ownerId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LeaseEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Worker_heartbeatAt_idx" ON "Worker"("heartbeatAt");

-- CreateIndex
CREATE INDEX "ProfileLease_ownerId_idx" ON "ProfileLease"("ownerId");

-- CreateIndex
CREATE INDEX "LeaseEvent_profileId_id_idx" ON "LeaseEvent"("profileId", "id");

-- AddForeignKey
ALTER TABLE "ProfileLease" ADD CONSTRAINT "ProfileLease_profileId_fkey" FOREIGN KEY ("profileId") REFERENCES "Profile"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProfileLease" ADD CONSTRAINT "ProfileLease_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "Worker"("id") ON DELETE SET NULL ON UPDATE CASCADE;

