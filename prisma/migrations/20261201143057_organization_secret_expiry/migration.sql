-- AlterTable
ALTER TABLE "Organization" ADD COLUMN "clientSecretExpiresAt" DATETIME;

