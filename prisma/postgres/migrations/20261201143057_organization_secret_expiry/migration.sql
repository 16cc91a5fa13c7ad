-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "clientSecretExpiresAt" TIMESTAMP(3);

