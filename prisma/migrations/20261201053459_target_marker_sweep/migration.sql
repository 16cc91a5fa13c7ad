-- Issue 10: target marker generation, re-export sweep flag and reason (plain ADD COLUMNs, so the
-- migration stays independent of others touching ProfileTable).
ALTER TABLE "Profile" ADD COLUMN "targetGeneration" TEXT;
ALTER TABLE "ProfileTable" ADD COLUMN "sweepPending" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "ProfileTable" ADD COLUMN "reexportReason" TEXT;
