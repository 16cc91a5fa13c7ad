// The lines on their way into a table's files: buffered as bytes per file (never as strings: see
// byte-chunks.ts), staged a few MB at a time — one part per file, a block on Azure — and made
// durable by flush(). A stage runs in the background: on Azure a part is an upload of megabytes,
// which the engine need not wait for while it reads and encodes the next pages. One set of parts
// is in flight at a time, so parts are numbered in order; flush() waits for it, and the engine's
// checkpoint waits for the commit that flushes. A stage that fails leaves its lines lost: the
// stager then refuses everything after, so no commit can cover them.
import type { LakeStorage } from "./storage";
import type { LiveFile, TableBook } from "./table-book";

/** Buffered lines are staged once they reach this size (blocks of ~MBs, not one per page). */
export const STAGE_BYTES = 4 * 1024 * 1024;

export class PartStager {
  private buffers = new Map<LiveFile, Buffer[]>();
  private bufferedBytes = 0;
  private staging: Promise<void> | null = null;
  private stagingBytes = 0;
  /** Files with parts staged since the last flush, and those parts' bytes. */
  private dirty = new Set<LiveFile>();
  private stagedBytes = 0;
  private failed: unknown = null;

  constructor(
    private readonly storage: LakeStorage,
    private readonly book: TableBook,
  ) {}

  /** Bytes written since the last flush: buffered, being staged or staged. */
  get pendingBytes(): number {
    return this.bufferedBytes + this.stagingBytes + this.stagedBytes;
  }

  /** Throws the failure of a background stage, if one failed. */
  throwIfFailed(): void {
    if (this.failed) throw this.failed;
  }

  /** Buffers `chunks` for `file`; starts a background stage once enough has gathered. */
  async add(file: LiveFile, chunks: Buffer[]): Promise<void> {
    if (!chunks.length) return;
    const buf = this.buffers.get(file) ?? this.buffers.set(file, []).get(file)!;
    for (const c of chunks) {
      buf.push(c);
      this.bufferedBytes += c.length;
    }
    if (this.bufferedBytes >= STAGE_BYTES) await this.stage(true);
  }

  /**
   * One part per file with buffered lines, staged in parallel (one round trip on Azure). With
   * `background`, returns once the parts are on their way; otherwise once they are staged. A
   * previous background stage is finished first either way.
   */
  async stage(background = false): Promise<void> {
    await this.settle();
    if (!this.buffers.size) return;
    const jobs = [...this.buffers].map(([f, chunks]) => ({ f, data: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks) }));
    this.buffers.clear();
    this.stagingBytes = this.bufferedBytes;
    this.bufferedBytes = 0;
    const run = Promise.all(jobs.map((j) => this.storage.stage(j.f.path, j.data, j.f.parts))).then(() => {
      for (const { f, data } of jobs) {
        f.parts++;
        f.bytes += data.length;
        this.book.bytesWritten += data.length;
        this.dirty.add(f);
        this.stagedBytes += data.length;
      }
      this.stagingBytes = 0;
    });
    this.staging = run;
    // Awaited by the next stage or flush (settle); the next write already refuses once it is known.
    run.catch((err) => (this.failed ??= err));
    if (!background) await this.settle();
  }

  /** Stages what is buffered and commits every file's parts (in parallel): they are durable. */
  async flush(): Promise<void> {
    await this.stage();
    await Promise.all([...this.dirty].map((f) => this.storage.commitParts(f.path, f.parts)));
    this.dirty.clear();
    this.stagedBytes = 0;
  }

  /** Waits for the background stage; its failure is this stager's from then on. */
  async settle(): Promise<void> {
    this.throwIfFailed();
    const run = this.staging;
    if (!run) return;
    try {
      await run;
    } catch (err) {
      this.failed = err;
      throw err;
    } finally {
      if (this.staging === run) this.staging = null;
    }
  }

  /** Waits until no stage is under way (errors ignored): the writer is being dropped or closed. */
  async quiesce(): Promise<void> {
    await this.staging?.catch(() => undefined);
  }
}
