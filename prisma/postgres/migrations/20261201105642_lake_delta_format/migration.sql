-- AlterTable
ALTER TABLE "Profile" ADD COLUMN     "lakeDeltaCompactMinutes" INTEGER NOT NULL DEFAULT 60,
ADD COLUMN     "lakeDeltaFiles" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "lakeDeltaRetentionHours" INTEGER NOT NULL DEFAULT 168,
ADD COLUMN     "lakeDeltaVacuumMinutes" INTEGER NOT NULL DEFAULT 1440,
ADD COLUMN     "lakeDeltaVersion" INTEGER,
ADD COLUMN     "lakeFormat" TEXT NOT NULL DEFAULT 'csv',
ADD COLUMN     "lakeLastCompactionAt" TIMESTAMP(3);

