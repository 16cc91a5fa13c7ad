-- Data lake targets: per-profile layout and snapshot options, and the figures the lake reports.
-- (ADD COLUMN rather than a table rebuild: it cannot drop a Profile column another migration adds.)
ALTER TABLE "Profile" ADD COLUMN "lakeMode" TEXT NOT NULL DEFAULT 'appendOnly';
ALTER TABLE "Profile" ADD COLUMN "lakePartition" TEXT NOT NULL DEFAULT 'Year';
ALTER TABLE "Profile" ADD COLUMN "lakeSnapshotMinutes" INTEGER NOT NULL DEFAULT 60;
ALTER TABLE "Profile" ADD COLUMN "lakeSnapshotKeep" INTEGER NOT NULL DEFAULT 5;
ALTER TABLE "Profile" ADD COLUMN "lakeIncrementalFolders" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Profile" ADD COLUMN "lakeLastSnapshotAt" DATETIME;
ALTER TABLE "Profile" ADD COLUMN "lakeSnapshotCount" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Profile" ADD COLUMN "lakeFilesWritten" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Profile" ADD COLUMN "lakeBytesWritten" REAL NOT NULL DEFAULT 0;
