-- AlterTable
ALTER TABLE "Profile" ADD COLUMN     "lakeBytesWritten" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "lakeFilesWritten" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "lakeIncrementalFolders" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "lakeLastSnapshotAt" TIMESTAMP(3),
ADD COLUMN     "lakeMode" TEXT NOT NULL DEFAULT 'appendOnly',
ADD COLUMN     "lakePartition" TEXT NOT NULL DEFAULT 'Year',
ADD COLUMN     "lakeSnapshotCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "lakeSnapshotKeep" INTEGER NOT NULL DEFAULT 5,
ADD COLUMN     "lakeSnapshotMinutes" INTEGER NOT NULL DEFAULT 60;

