// A reconciliation run outside the worker (CLI), recorded in the store like the worker's.
import type { Db } from "../../db";
import { reconcileProfile, type ProfileReconciliation, type ReconcileProfileOptions } from "./reconcile-profile";
import { failReconciliation, finishReconciliation, requestReconciliation, markReconcileRunning, saveTableResult, type ReconcileTrigger } from "./store";
import { errorText } from "../retry-policy";

/** Reconciles now in this process and stores the result (status, totals, per table). */
export async function runRecordedReconciliation(
  db: Db,
  profileId: string,
  trigger: ReconcileTrigger,
  opts: ReconcileProfileOptions = {},
): Promise<{ id: string; result: ProfileReconciliation }> {
  // A fresh row, never a queued one: the worker must not run this request a second time.
  const id = (await db.reconciliation.create({
    data: { profileId, trigger, repair: opts.repair === true, tables: opts.tables?.length ? JSON.stringify(opts.tables) : null },
    select: { id: true },
  })).id;
  const startedAt = new Date();
  await markReconcileRunning(db, id);
  try {
    const result = await reconcileProfile(db, profileId, { ...opts, onTable: async (t) => { await saveTableResult(db, id, t); await opts.onTable?.(t); } });
    await finishReconciliation(db, id, result);
    return { id, result };
  } catch (err) {
    await failReconciliation(db, id, errorText(err), startedAt);
    throw err;
  }
}

export { requestReconciliation };
