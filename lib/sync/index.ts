// Public API of the sync engine (no Next.js, no server-only: it runs in the worker and the CLI).
export { startWorker, superviseProfile, runWithRestarts, GaveUpError } from "./supervisor";
export { runProfile, openProfileTarget, type RunnerDeps, type ProfileRunResult, type TableResult } from "./profile-runner";
export * from "./profile-store";
export { appendFailure, listFailures, exportFailures, formatDes, formatCsv, formatJson, formatNotificationTime, type FailureEntry, type FailureFormat, type ChangeType } from "./failure-log";
export { classifyError, backoffDelayMs, DEFAULT_RETRY, type ErrorClass, type RecordRetryPolicy } from "./retry-policy";
export { createSource, type SourceFactory } from "./source-factory";
export type { Logger } from "./table-pipeline";
export { openTarget, targetKind, describeTargetText } from "./open-target";
export { DEFAULT_PAGE_SIZE } from "./profile-runner";
export type { Worker, WorkerOptions } from "./supervisor";
export { reconcileProfile, reconcileTargets, resolveTargets, type ProfileReconciliation, type ReconcileProfileOptions, type ReconcileTarget } from "./reconcile/reconcile-profile";
export { reconcileTable, type TableReconciliation, type Repairer } from "./reconcile/reconcile-table";
export { mergeIdStreams, OrderError, type Diff, type DiffKind, type MergeCounts } from "./reconcile/merge";
export { runRecordedReconciliation } from "./reconcile/run";
export * from "./reconcile/store";
export { scheduleIfDue, isDue, nextRun, isTimeOfDay, type ReconcileSchedule } from "./reconcile/schedule";
export { resyncFailedRecords, type ResyncTotals } from "./resync-failed";
