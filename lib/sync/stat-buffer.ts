// Per-minute throughput counters for the portal chart (SyncStat), batched in memory.
/** Throughput for the chart, flushed at most every few seconds: one store write per page is too dear. */
export class StatBuffer {
  private written = 0;
  private failed = 0;
  private minute = 0;
  private lastFlush = Date.now();
  constructor(private readonly flushFn: (written: number, failed: number, at: Date) => Promise<void>, private readonly everyMs = 5000) {}

  async add(written: number, failed: number): Promise<void> {
    const now = Date.now();
    const minute = Math.floor(now / 60_000);
    if (minute !== this.minute) await this.flush();
    this.minute = minute;
    this.written += written;
    this.failed += failed;
    if (now - this.lastFlush >= this.everyMs) await this.flush();
  }

  async flush(): Promise<void> {
    this.lastFlush = Date.now();
    if (!this.written && !this.failed) return;
    const [w, f] = [this.written, this.failed];
    this.written = this.failed = 0;
    await this.flushFn(w, f, new Date(this.minute ? this.minute * 60_000 : Date.now()));
  }
}
