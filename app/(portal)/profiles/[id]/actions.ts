"use server";

import { requireActor } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { runAction } from "@/lib/http/action-result";
import { activate, deactivate, deleteProfile, resyncFailedRecords, resyncTable } from "@/lib/profiles/service";
import { testProfile } from "@/lib/profiles/validation";
import { requestReconcile, updateReconcileSchedule } from "@/lib/profiles/reconciliation";
import { runNow } from "@/lib/profiles/refresh";

type Ref = { id?: unknown };
const idOf = (input: unknown) => (input && typeof input === "object" ? (input as Ref).id : undefined);

export async function activateProfileAction(input: { id?: unknown; what?: unknown }) {
  return runAction("profiles.activate", async () => {
    await activate(db, await requireActor(), idOf(input), input?.what ?? "all");
  });
}

export async function deactivateProfileAction(input: { id?: unknown }) {
  return runAction("profiles.deactivate", async () => {
    await deactivate(db, await requireActor(), idOf(input));
  });
}

// Reads only (the stored target is checked, nothing written): viewers may run it too.
export async function testProfileAction(input: { id?: unknown }) {
  return runAction("profiles.test", async () => testProfile(db, await requireActor(), idOf(input)));
}

export async function resyncTableAction(input: { id?: unknown; logicalName?: unknown }) {
  return runAction("profiles.resyncTable", async () => resyncTable(db, await requireActor(), idOf(input), input?.logicalName));
}

export async function resyncFailedRecordsAction(input: { id?: unknown }) {
  return runAction("profiles.resyncFailed", async () => resyncFailedRecords(db, await requireActor(), idOf(input)));
}

export async function deleteProfileAction(input: { id?: unknown }) {
  return runAction("profiles.delete", async () => deleteProfile(db, await requireActor(), idOf(input)));
}

// Reconciliation: stored as a request the worker runs beside the delta sync (never here).
export async function reconcileProfileAction(input: { id?: unknown; tables?: unknown; repair?: unknown }) {
  return runAction("profiles.reconcile", async () => {
    await requestReconcile(db, await requireActor(), idOf(input), { tables: input?.tables, repair: input?.repair }, "portal");
  });
}

export async function updateReconcileScheduleAction(input: { id?: unknown; schedule?: unknown }) {
  return runAction("profiles.reconcileSchedule", async () => {
    await updateReconcileSchedule(db, await requireActor(), idOf(input), input?.schedule);
  });
}

// Scheduled lake exports: a request the worker running the export answers with a run (never here).
export async function runNowAction(input: { id?: unknown }) {
  return runAction("profiles.runNow", async () => {
    await runNow(db, await requireActor(), idOf(input));
  });
}
