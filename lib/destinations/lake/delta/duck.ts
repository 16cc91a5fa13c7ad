// One in-process DuckDB for a Delta destination (loaded lazily: SQL and CSV targets never load it).
// Bounded memory (it spills to a temporary folder), UTC session time zone, one connection per
// table so tables written at once never share temporary views (and one more per table for the
// background conversion of staged pages).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";

export interface DuckOptions {
  /** DuckDB's memory_limit (default 256MB; it spills to disk beyond it where the operator can). */
  memoryLimit?: string;
  threads?: number;
}

export class Duck {
  private instance: Promise<DuckDBInstance> | null = null;
  private spill: string | null = null;

  constructor(private readonly opts: DuckOptions = {}) {}

  private async db(): Promise<DuckDBInstance> {
    if (!this.instance) {
      this.instance = (async () => {
        const { DuckDBInstance } = await import("@duckdb/node-api");
        this.spill = fs.mkdtempSync(path.join(os.tmpdir(), "dvx-duck-"));
        return DuckDBInstance.create(":memory:", {
          memory_limit: this.opts.memoryLimit ?? "256MB",
          threads: String(this.opts.threads ?? 1),
          temp_directory: this.spill,
          preserve_insertion_order: "false",
          // Resident memory beyond memory_limit: a partitioned COPY buffers rows per partition
          // (flushed every 64Ki rows instead of 512Ki), and freed memory goes back to the system
          // after each task. Together ~40-60 MB less peak RSS over a 200,000-row export and its
          // delta (bench/lake.ts --format delta, same load); 128 MB for memory_limit was tried
          // too: a 1,000,000-row table's copy-on-write delta fails at it.
          partitioned_write_flush_threshold: "65536",
          allocator_flush_threshold: "8MB",
          allocator_background_threads: "true",
          // Its cache of files read (kept in the buffer pool) serves remote files; ours are local,
          // and it held ~70 MB at the start of a 1,000,000-row commit.
          enable_external_file_cache: "false",
        });
      })();
      this.instance.catch(() => (this.instance = null));
    }
    return this.instance;
  }

  async connect(): Promise<DuckConn> {
    const c = await (await this.db()).connect();
    await c.run("SET TimeZone = 'UTC'");
    return new DuckConn(c);
  }

  async close(): Promise<void> {
    if (this.instance) {
      const i = await this.instance.catch(() => null);
      i?.closeSync();
      this.instance = null;
    }
    if (this.spill) fs.rmSync(this.spill, { recursive: true, force: true });
    this.spill = null;
  }
}

export class DuckConn {
  constructor(private readonly c: DuckDBConnection) {}

  async run(sql: string): Promise<void> {
    await this.c.run(sql);
  }

  async all(sql: string): Promise<Record<string, unknown>[]> {
    return (await this.c.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  }

  close(): void {
    this.c.closeSync();
  }
}
