// Where a Delta table's files live for DuckDB, which reads and writes local files only (its azure
// extension is not available offline). In a folder lake the files are used in place and new ones
// are written in a scratch folder inside the table (`_tmp`, hidden from Delta readers by its `_`)
// and renamed into place. On Azure, files are written to a local cache, uploaded, and kept there
// (data files are immutable and uniquely named, so a cached copy never goes stale); a file the
// cache lacks is downloaded once.
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { FolderStorage, writeSyncedTemp } from "../folder-storage";
import type { LakeStorage } from "../storage";

type Uploader = { uploadFile(p: string, localFile: string): Promise<void> };
const canUpload = (s: LakeStorage): s is LakeStorage & Uploader => typeof (s as Partial<Uploader>).uploadFile === "function";

export class DeltaFiles {
  private readonly local: string;
  readonly inPlace: boolean;

  constructor(
    readonly storage: LakeStorage,
    /** The table's folder in the lake ("deltalake/account_partitioned"). */
    readonly tableDir: string,
    cacheRoot?: string,
  ) {
    this.inPlace = storage instanceof FolderStorage;
    if (storage instanceof FolderStorage) this.local = path.join(storage.root, tableDir);
    else {
      const key = crypto.createHash("sha1").update(storage.display).digest("hex").slice(0, 16);
      this.local = path.join(cacheRoot ?? path.join(os.tmpdir(), "dvx-delta-cache"), key, tableDir);
    }
  }

  /** A fresh local folder for DuckDB to write into (same file system as the table in a folder lake). */
  async scratch(): Promise<string> {
    const dir = path.join(this.local, "_tmp", `${Date.now()}-${crypto.randomBytes(4).toString("hex")}`);
    await fsp.mkdir(dir, { recursive: true });
    return dir;
  }

  async dropScratch(dir: string): Promise<void> {
    await fsp.rm(dir, { recursive: true, force: true });
  }

  /** Local path of a table-relative file, downloaded into the cache first when needed. */
  async localOf(rel: string): Promise<string> {
    const file = path.join(this.local, ...rel.split("/"));
    if (this.inPlace) return file;
    if (fs.existsSync(file)) return file;
    await fsp.mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.part`;
    await this.storage.download(`${this.tableDir}/${rel}`, tmp);
    await fsp.rename(tmp, file);
    return file;
  }

  /** Puts a local file (from `scratch()`) at `rel` in the table; durable when this resolves. */
  async publish(localFile: string, rel: string): Promise<void> {
    const dest = path.join(this.local, ...rel.split("/"));
    if (!this.inPlace) {
      const target = `${this.tableDir}/${rel}`;
      if (canUpload(this.storage)) await this.storage.uploadFile(target, localFile);
      else await this.storage.write(target, await fsp.readFile(localFile));
    } else {
      const fh = await fsp.open(localFile, "r");
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    }
    await fsp.mkdir(path.dirname(dest), { recursive: true });
    await fsp.rename(localFile, dest);
  }

  /**
   * A second name for a table file (a staged run's file becoming a data file): a hard link in a
   * folder lake, an upload from the cache on Azure. The source stays as it was.
   */
  async copyWithin(fromRel: string, toRel: string): Promise<void> {
    const src = await this.localOf(fromRel);
    const dest = path.join(this.local, ...toRel.split("/"));
    if (!this.inPlace) {
      const target = `${this.tableDir}/${toRel}`;
      if (canUpload(this.storage)) await this.storage.uploadFile(target, src);
      else await this.storage.write(target, await fsp.readFile(src));
    }
    await fsp.mkdir(path.dirname(dest), { recursive: true });
    await fsp.link(src, dest);
  }

  /** Writes a new table file from memory, durable when this resolves; on Azure the cache keeps a copy for DuckDB. */
  async writeNew(rel: string, data: string | Buffer): Promise<void> {
    await this.storage.write(`${this.tableDir}/${rel}`, data);
    if (this.inPlace) return;
    const file = path.join(this.local, ...rel.split("/"));
    await fsp.mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.part`;
    await fsp.writeFile(tmp, data);
    await fsp.rename(tmp, file);
  }

  /** A folder lake: makes renames into `rel` (a folder) durable, so a later removal cannot reach the disk first. */
  async syncDir(rel: string): Promise<void> {
    if (!this.inPlace) return;
    const fh = await fsp.open(path.join(this.local, ...rel.split("/")), "r");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  /** Removes a table file (and its cached copy). */
  async remove(rel: string): Promise<void> {
    await this.storage.delete(`${this.tableDir}/${rel}`);
    if (!this.inPlace) await fsp.rm(path.join(this.local, ...rel.split("/")), { force: true });
  }

  /**
   * Creates `rel` only if it does not exist (put-if-absent): a folder links a fully written
   * temporary file into place (link fails when the name exists); Azure uses If-None-Match: *.
   * Returns false when the name was taken.
   */
  async createExclusive(rel: string, data: string): Promise<boolean> {
    if (!this.inPlace) return this.storage.writeIfMatch(`${this.tableDir}/${rel}`, data, null);
    const file = path.join(this.local, ...rel.split("/"));
    await fsp.mkdir(path.dirname(file), { recursive: true });
    const tmp = await writeSyncedTemp(file, data);
    try {
      await fsp.link(tmp, file);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw err;
    } finally {
      await fsp.rm(tmp, { force: true });
    }
  }

  read(rel: string): Promise<Buffer | null> {
    return this.storage.read(`${this.tableDir}/${rel}`);
  }

  write(rel: string, data: string | Buffer): Promise<void> {
    return this.storage.write(`${this.tableDir}/${rel}`, data);
  }

  /** Table-relative paths and sizes under `prefix` ("" = the whole table). */
  async list(prefix = ""): Promise<{ path: string; size: number }[]> {
    const base = `${this.tableDir}/`;
    return (await this.storage.list(`${base}${prefix}`)).map((f) => ({ path: f.path.slice(base.length), size: f.size }));
  }

  async size(localFile: string): Promise<number> {
    return (await fsp.stat(localFile)).size;
  }
}
