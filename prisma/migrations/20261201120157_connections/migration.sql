-- AlterTable
ALTER TABLE "Profile" ADD COLUMN "connectionId" TEXT;

-- CreateTable
CREATE TABLE "Connection" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "destinationType" TEXT NOT NULL,
    "secretEnc" TEXT NOT NULL,
    "sharedWithContributors" BOOLEAN NOT NULL DEFAULT false,
    "termsAcceptedAt" DATETIME NOT NULL,
    "termsAcceptedBy" TEXT NOT NULL,
    "createdBy" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "Connection_name_key" ON "Connection"("name");

-- CreateIndex
CREATE INDEX "Profile_connectionId_idx" ON "Profile"("connectionId");

