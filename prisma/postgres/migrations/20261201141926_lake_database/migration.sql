-- AlterTable
ALTER TABLE "Profile" ADD COLUMN     "lakeDatabase" TEXT,
ADD COLUMN     "lakeDatabaseBuiltAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "ProfileTable" ADD COLUMN     "frozenAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "PreviousLakeDatabase" (
    "id" TEXT NOT NULL,
    "profileId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "stoppedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PreviousLakeDatabase_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PreviousLakeDatabase_profileId_idx" ON "PreviousLakeDatabase"("profileId");

-- AddForeignKey
ALTER TABLE "PreviousLakeDatabase" ADD CONSTRAINT "PreviousLakeDatabase_profileId_fkey" FOREIGN KEY ("profileId") REFERENCES "Profile"("id") ON DELETE CASCADE ON UPDATE CASCADE;

