-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "passwordHash" TEXT,
    "role" TEXT NOT NULL DEFAULT 'viewer',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Organization" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "dataverseOrgId" TEXT,
    "tenantId" TEXT,
    "clientId" TEXT,
    "clientSecretEnc" TEXT,
    "staticTokenEnc" TEXT,
    "isDemo" BOOLEAN NOT NULL DEFAULT false,
    "privacyAcceptedAt" TIMESTAMP(3),
    "privacyAcceptedBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Organization_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Profile" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "state" TEXT NOT NULL DEFAULT 'draft',
    "organizationId" TEXT NOT NULL,
    "destinationType" TEXT NOT NULL,
    "destinationEnc" TEXT,
    "destinationKeyVaultUri" TEXT,
    "schemaName" TEXT NOT NULL DEFAULT 'dbo',
    "prefix" TEXT NOT NULL DEFAULT '',
    "retryCount" INTEGER NOT NULL DEFAULT 12,
    "retryIntervalSeconds" INTEGER NOT NULL DEFAULT 5,
    "writeDeleteLog" BOOLEAN NOT NULL DEFAULT false,
    "metadataActive" BOOLEAN NOT NULL DEFAULT false,
    "dataActive" BOOLEAN NOT NULL DEFAULT false,
    "syncIntervalSeconds" INTEGER NOT NULL DEFAULT 5,
    "resyncFailedRequested" BOOLEAN NOT NULL DEFAULT false,
    "lastError" TEXT,
    "lastSyncAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Profile_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProfileTable" (
    "id" TEXT NOT NULL,
    "profileId" TEXT NOT NULL,
    "logicalName" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'entity',
    "sourceName" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "metadataState" TEXT NOT NULL DEFAULT 'NotCreated',
    "initialSyncState" TEXT NOT NULL DEFAULT 'NotStarted',
    "resumeLink" TEXT,
    "deltaLink" TEXT,
    "initialTotal" INTEGER,
    "initialDone" INTEGER NOT NULL DEFAULT 0,
    "totalNotifications" INTEGER NOT NULL DEFAULT 0,
    "successNotifications" INTEGER NOT NULL DEFAULT 0,
    "failureNotifications" INTEGER NOT NULL DEFAULT 0,
    "lastExportDate" TIMESTAMP(3),
    "lastChangeAt" TIMESTAMP(3),
    "lastError" TEXT,
    "resyncRequested" BOOLEAN NOT NULL DEFAULT false,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProfileTable_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Failure" (
    "id" SERIAL NOT NULL,
    "profileId" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "recordId" TEXT NOT NULL,
    "notificationTime" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "changeType" TEXT NOT NULL,
    "reason" TEXT NOT NULL,

    CONSTRAINT "Failure_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FailedRecord" (
    "profileId" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "recordId" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "changeType" TEXT NOT NULL DEFAULT 'Update',
    "reason" TEXT NOT NULL DEFAULT '',
    "failedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FailedRecord_pkey" PRIMARY KEY ("profileId","entity","recordId")
);

-- CreateTable
CREATE TABLE "SyncStat" (
    "profileId" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "minute" TIMESTAMP(3) NOT NULL,
    "written" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "SyncStat_pkey" PRIMARY KEY ("profileId","entity","minute")
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'viewer',
    "tokenHash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "createdBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE UNIQUE INDEX "Organization_url_key" ON "Organization"("url");

-- CreateIndex
CREATE UNIQUE INDEX "Profile_name_key" ON "Profile"("name");

-- CreateIndex
CREATE UNIQUE INDEX "ProfileTable_profileId_logicalName_key" ON "ProfileTable"("profileId", "logicalName");

-- CreateIndex
CREATE INDEX "Failure_profileId_id_idx" ON "Failure"("profileId", "id");

-- CreateIndex
CREATE INDEX "Failure_profileId_entity_id_idx" ON "Failure"("profileId", "entity", "id");

-- CreateIndex
CREATE INDEX "Failure_recordId_idx" ON "Failure"("recordId");

-- CreateIndex
CREATE INDEX "SyncStat_profileId_minute_idx" ON "SyncStat"("profileId", "minute");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

-- AddForeignKey
ALTER TABLE "Profile" ADD CONSTRAINT "Profile_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProfileTable" ADD CONSTRAINT "ProfileTable_profileId_fkey" FOREIGN KEY ("profileId") REFERENCES "Profile"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Failure" ADD CONSTRAINT "Failure_profileId_fkey" FOREIGN KEY ("profileId") REFERENCES "Profile"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FailedRecord" ADD CONSTRAINT "FailedRecord_profileId_fkey" FOREIGN KEY ("profileId") REFERENCES "Profile"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SyncStat" ADD CONSTRAINT "SyncStat_profileId_fkey" FOREIGN KEY ("profileId") REFERENCES "Profile"("id") ON DELETE CASCADE ON UPDATE CASCADE;

