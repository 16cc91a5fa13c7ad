// The one abortable wait of the project (engine backoff, record retries, the Dataverse client's
// 429/5xx waits): Node's own timer, which rejects with an AbortError when the signal fires.
import { setTimeout as delay } from "node:timers/promises";

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(Math.max(0, ms), undefined, { signal });
}
