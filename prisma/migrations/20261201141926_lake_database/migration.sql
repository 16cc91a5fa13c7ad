-- AlterTable
ALTER TABLE "Profile" ADD COLUMN "lakeDatabase" TEXT;
ALTER TABLE "Profile" ADD COLUMN "lakeDatabaseBuiltAt" DATETIME;

-- AlterTable
ALTER TABLE "ProfileTable" ADD COLUMN "frozenAt" DATETIME;

-- CreateTable
CREATE TABLE "PreviousLakeDatabase" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "profileId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "stoppedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "PreviousLakeDatabase_profileId_fkey" FOREIGN KEY ("profileId") REFERENCES "Profile" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "PreviousLakeDatabase_profileId_idx" ON "PreviousLakeDatabase"("profileId");

