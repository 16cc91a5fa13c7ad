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
