-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "passwordHash" TEXT,
    "role" TEXT NOT NULL DEFAULT 'viewer',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Organization" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "dataverseOrgId" TEXT,
    "tenantId" TEXT,
    "clientId" TEXT,
    "clientSecretEnc" TEXT,
    "staticTokenEnc" TEXT,
    "isDemo" BOOLEAN NOT NULL DEFAULT false,
    "privacyAcceptedAt" DATETIME,
    "privacyAcceptedBy" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Profile" (
    "id" TEXT NOT NULL PRIMARY KEY,
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
    "lastError" TEXT,
    "lastSyncAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Profile_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ProfileTable" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "profileId" TEXT NOT NULL,
    "logicalName" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'entity',
    "metadataState" TEXT NOT NULL DEFAULT 'NotCreated',
    "initialSyncState" TEXT NOT NULL DEFAULT 'NotStarted',
    "resumeLink" TEXT,
    "deltaLink" TEXT,
    "initialTotal" INTEGER,
    "initialDone" INTEGER NOT NULL DEFAULT 0,
    "totalNotifications" INTEGER NOT NULL DEFAULT 0,
    "successNotifications" INTEGER NOT NULL DEFAULT 0,
    "failureNotifications" INTEGER NOT NULL DEFAULT 0,
    "lastExportDate" DATETIME,
    "lastChangeAt" DATETIME,
    "lastError" TEXT,
    "resyncRequested" BOOLEAN NOT NULL DEFAULT false,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "ProfileTable_profileId_fkey" FOREIGN KEY ("profileId") REFERENCES "Profile" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Failure" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "profileId" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "recordId" TEXT NOT NULL,
    "notificationTime" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "changeType" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    CONSTRAINT "Failure_profileId_fkey" FOREIGN KEY ("profileId") REFERENCES "Profile" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FailedRecord" (
    "profileId" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "recordId" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "failedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("profileId", "entity", "recordId"),
    CONSTRAINT "FailedRecord_profileId_fkey" FOREIGN KEY ("profileId") REFERENCES "Profile" ("id") ON DELETE CASCADE ON UPDATE CASCADE
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

