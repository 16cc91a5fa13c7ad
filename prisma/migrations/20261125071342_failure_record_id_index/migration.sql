-- CreateIndex
CREATE INDEX "Failure_recordId_idx" ON "Failure"("recordId");

