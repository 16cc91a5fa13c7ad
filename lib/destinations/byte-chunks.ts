// Text encoded as UTF-8 straight into Buffers of about CHUNK_BYTES as it is produced, line by
// line. Writers that hold what they encode (the lake buffers megabytes before staging it) must
// not hold it as strings: a line built with `+=` is a tree of string pieces until flattened, and
// thousands of them surviving from page to page are promoted to V8's old generation — on the
// lake export that made garbage collection ~40% of the CPU (bench/lake.ts). Bytes are outside
// the JS heap and cost the collector nothing.

/**
 * Bytes per Buffer: under malloc's mmap threshold (128 KB), so a chunk costs no fresh page
 * mapping — 256-row chunks of a 35-column table (~150 KB) cost about twice the CPU, much of it
 * system time mapping and faulting fresh pages (bench/write.ts, this machine).
 */
export const CHUNK_BYTES = 64 * 1024;

/**
 * Buffer's own UTF-8 writer (what buf.write(s, at, "utf8") ends in, without its argument
 * checks, which cost as much as the encoding of a 600-byte line: bench/write.ts --phases).
 */
type Utf8Buffer = Buffer & { utf8Write(s: string, offset: number): number };

/**
 * `s` as UTF-8 at `at` (room checked by the caller); returns the bytes written. Short ASCII text
 * (most values: ids, times, numbers; up to `short` characters) is copied byte by byte: cheaper
 * than a call into the native writer per value.
 */
export function writeText(buf: Buffer, s: string, at: number, short = 12): number {
  const n = s.length;
  if (n > short) return (buf as Utf8Buffer).utf8Write(s, at);
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(k);
    if (c >= 0x80) return (buf as Utf8Buffer).utf8Write(s, at);
    buf[at + k] = c;
  }
  return n;
}

export class ByteChunks {
  /** Full chunks not taken yet (see takeFull). */
  private full: Buffer[] = [];
  private buf: Buffer | null = null;
  private at = 0;
  /** Bytes written since the last take(). */
  bytes = 0;

  write(s: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit (a surrogate pair: 4 bytes for 2 units).
    const room = s.length * 3;
    if (!this.buf || this.at + room > this.buf.length) {
      this.flush();
      if (room > CHUNK_BYTES) {
        const big = Buffer.from(s, "utf8");
        this.full.push(big);
        this.bytes += big.length;
        return;
      }
      this.buf = Buffer.allocUnsafe(CHUNK_BYTES);
    }
    const n = writeText(this.buf, s, this.at);
    this.at += n;
    this.bytes += n;
  }

  /**
   * One byte (an ASCII separator): with write() per value, a row goes out without ever being
   * built as a line string (the COPY encoder: scavenges while encoding 100,000 rows 22 → 5).
   */
  byte(b: number): void {
    if (!this.buf || this.at >= this.buf.length) {
      this.flush();
      this.buf = Buffer.allocUnsafe(CHUNK_BYTES);
    }
    this.buf[this.at++] = b;
    this.bytes += 1;
  }

  /** Whether full chunks are waiting (a streaming writer hands them on as they fill). */
  get hasFull(): boolean {
    return this.full.length > 0;
  }

  /** The full chunks so far (the chunk being filled stays). */
  takeFull(): Buffer[] {
    const out = this.full;
    this.full = [];
    return out;
  }

  /** Everything written since the last take, as chunks; the writer starts empty again. */
  take(): Buffer[] {
    this.flush();
    const out = this.full;
    this.full = [];
    this.bytes = 0;
    return out;
  }

  private flush(): void {
    if (this.buf && this.at > 0) this.full.push(this.buf.subarray(0, this.at));
    this.buf = null;
    this.at = 0;
  }
}
