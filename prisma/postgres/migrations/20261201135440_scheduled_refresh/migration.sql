-- AlterTable
ALTER TABLE "Profile" ADD COLUMN     "refreshCron" TEXT,
ADD COLUMN     "refreshEveryHours" INTEGER,
ADD COLUMN     "refreshMode" TEXT NOT NULL DEFAULT 'continuous',
ADD COLUMN     "refreshNextAt" TIMESTAMP(3),
ADD COLUMN     "refreshRequestedAt" TIMESTAMP(3),
ADD COLUMN     "refreshRequestedBy" TEXT;

-- CreateTable
CREATE TABLE "RefreshRun" (
    "id" TEXT NOT NULL,
    "profileId" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "requestedBy" TEXT,
    "dueAt" TIMESTAMP(3) NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "endedAt" TIMESTAMP(3),
    "result" TEXT NOT NULL DEFAULT 'running',
    "rowsWritten" INTEGER NOT NULL DEFAULT 0,
    "message" TEXT,

    CONSTRAINT "RefreshRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "RefreshRun_profileId_startedAt_idx" ON "RefreshRun"("profileId", "startedAt");

-- AddForeignKey
ALTER TABLE "RefreshRun" ADD CONSTRAINT "RefreshRun_profileId_fkey" FOREIGN KEY ("profileId") REFERENCES "Profile"("id") ON DELETE CASCADE ON UPDATE CASCADE;

