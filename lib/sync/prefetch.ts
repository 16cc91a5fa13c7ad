// Read the next page while the current one is being written: at most ONE page is in flight
// ahead of the consumer, so memory stays bounded whatever the table size.
export async function* prefetchOne<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<T>> | null = it.next();
  try {
    while (pending) {
      const r: IteratorResult<T> = await pending;
      if (r.done) {
        pending = null;
        return;
      }
      pending = it.next();
      // The consumer may stop early (abort, error): the prefetched read must not surface as an
      // unhandled rejection. It is awaited (and rethrown) on the next turn otherwise.
      pending.catch(() => undefined);
      yield r.value;
    }
  } finally {
    if (pending) {
      await pending.catch(() => undefined);
      await it.return?.(undefined);
    }
  }
}
