-- AlterTable
ALTER TABLE "Profile" ADD COLUMN     "targetGeneration" TEXT;

-- AlterTable
ALTER TABLE "ProfileTable" ADD COLUMN     "reexportReason" TEXT,
ADD COLUMN     "sweepPending" BOOLEAN NOT NULL DEFAULT false;

