// Finding the records a target refuses in a page (DES failure processing): the page is written as
// one batch; a record-level refusal splits it in halves down to the poison records, which are retried
// `retryCount` times `retryInterval` apart. A breaker stops the search when most records fail one
// by one: then the target refuses everything (a trigger, a new constraint), not these records.
import { classifyError, errorText, type RecordRetryPolicy } from "./retry-policy";

/** The breaker applies to pages of at least this many records (smaller ones are isolated as usual). */
export const BREAKER_MIN_PAGE = 10;

/**
 * More than half of a page failed record by record: treated as a target problem (transient: no
 * failure entries, no markers, the checkpoint stays), so nothing is lost once the target is fixed.
 */
export class PageRefusedError extends Error {
  constructor(entity: string, failed: number, total: number, last: unknown) {
    super(`${entity}: the target refused ${failed} of ${total} records of a page one by one (last: ${errorText(last)}); treating it as a target problem and retrying the page later.`);
    this.name = "PageRefusedError";
  }
}

export interface PoisonOptions {
  entity: string;
  /** Off for admin re-syncs of failed records, which are expected to fail again. */
  breaker: boolean;
  retry: RecordRetryPolicy;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal: AbortSignal;
}

/**
 * Writes `items` as one batch and returns the items still refused after the retries, each with its
 * last error (empty when the batch went through). Transient and table-level errors propagate.
 */
export async function findPoison<T>(items: T[], write: (batch: T[]) => Promise<unknown>, o: PoisonOptions): Promise<{ item: T; err: unknown }[]> {
  if (items.length === 0) return [];
  const poison: { item: T; err: unknown }[] = [];
  const limit = o.breaker && items.length >= BREAKER_MIN_PAGE ? Math.floor(items.length / 2) : Infinity;
  const bisect = async (batch: T[]): Promise<void> => {
    try {
      await write(batch);
    } catch (err) {
      if (classifyError(err) !== "record") throw err;
      if (batch.length === 1) {
        poison.push({ item: batch[0], err });
        if (poison.length > limit) throw new PageRefusedError(o.entity, poison.length, items.length, err);
        return;
      }
      const mid = batch.length >> 1;
      await bisect(batch.slice(0, mid));
      await bisect(batch.slice(mid));
    }
  };
  await bisect(items);
  let pending = poison;
  for (let attempt = 1; attempt <= o.retry.retryCount && pending.length; attempt++) {
    await o.sleep(o.retry.retryIntervalMs, o.signal);
    const still: typeof pending = [];
    for (const p of pending) {
      try {
        await write([p.item]);
      } catch (err) {
        if (classifyError(err) !== "record") throw err;
        still.push({ item: p.item, err });
      }
    }
    pending = still;
  }
  return pending;
}
