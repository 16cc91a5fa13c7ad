-- DropIndex
DROP INDEX "Failure_profileId_entity_id_idx";

-- DropIndex
DROP INDEX "Failure_profileId_id_idx";

-- DropIndex
DROP INDEX "Failure_recordId_idx";

-- CreateIndex
CREATE INDEX "Failure_notificationTime_id_idx" ON "Failure"("notificationTime", "id");

-- CreateIndex
CREATE INDEX "Failure_profileId_notificationTime_id_idx" ON "Failure"("profileId", "notificationTime", "id");

-- CreateIndex
CREATE INDEX "Failure_entity_notificationTime_id_idx" ON "Failure"("entity", "notificationTime", "id");

-- CreateIndex
CREATE INDEX "Failure_changeType_notificationTime_id_idx" ON "Failure"("changeType", "notificationTime", "id");

-- CreateIndex
CREATE INDEX "Failure_profileId_entity_notificationTime_id_idx" ON "Failure"("profileId", "entity", "notificationTime", "id");

-- CreateIndex
CREATE INDEX "Failure_profileId_changeType_notificationTime_id_idx" ON "Failure"("profileId", "changeType", "notificationTime", "id");

-- CreateIndex
CREATE INDEX "Failure_entity_changeType_notificationTime_id_idx" ON "Failure"("entity", "changeType", "notificationTime", "id");

-- CreateIndex
CREATE INDEX "Failure_profileId_entity_changeType_notificationTime_id_idx" ON "Failure"("profileId", "entity", "changeType", "notificationTime", "id");

-- CreateIndex
CREATE INDEX "Failure_recordId_notificationTime_id_idx" ON "Failure"("recordId", "notificationTime", "id");

-- CreateIndex
CREATE INDEX "SyncStat_minute_idx" ON "SyncStat"("minute");

