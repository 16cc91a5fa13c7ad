// LakeStorage over a local folder. Replacements go through a temporary file in the same folder
// and a rename (atomic on POSIX: an open reader keeps the old file); appends are fsync'ed.
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { LakeStorageError, type LakeStorage, type StoredFile } from "./storage";

export class FolderStorage implements LakeStorage {
  readonly display: string;

  constructor(readonly root: string) {
    this.display = `lake:${root}`;
  }

  private abs(p: string): string {
    const full = path.resolve(this.root, p);
    if (full !== this.root && !full.startsWith(this.root + path.sep)) throw new Error(`path outside the lake: ${p}`);
    return full;
  }

  locationOf(p: string): string {
    return pathToFileURL(this.abs(p)).href;
  }

  async read(p: string): Promise<Buffer | null> {
    try {
      return await fsp.readFile(this.abs(p));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
  }

  async *chunks(p: string): AsyncIterable<Buffer> {
    const stream = fs.createReadStream(this.abs(p), { highWaterMark: 1 << 20 });
    try {
      for await (const chunk of stream) yield chunk as Buffer;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    } finally {
      stream.destroy();
    }
  }

  async readTagged(p: string): Promise<{ data: Buffer; etag: string } | null> {
    const data = await this.read(p);
    return data && { data, etag: tagOf(data) };
  }

  async write(p: string, data: Buffer | string): Promise<void> {
    const file = this.abs(p);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    const tmp = await writeSyncedTemp(file, data);
    await fsp.rename(tmp, file);
  }

  async writeIfMatch(p: string, data: Buffer | string, etag: string | null): Promise<boolean> {
    // One process writes a lake (the profile's runner), so read-compare-rename is enough here;
    // the check still catches a second writer that got in between two snapshots.
    const current = await this.readTagged(p);
    if ((current?.etag ?? null) !== etag) return false;
    await this.write(p, data);
    return true;
  }

  async append(p: string, data: Buffer | string): Promise<void> {
    const file = this.abs(p);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    const fh = await fsp.open(file, "a");
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  async stage(p: string, data: Buffer): Promise<void> {
    const file = this.abs(p);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    await fsp.appendFile(file, data);
  }

  async commitParts(p: string): Promise<void> {
    const fh = await fsp.open(this.abs(p), "r+");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  async truncateParts(p: string, _parts: number, bytes: number): Promise<void> {
    const file = this.abs(p);
    const st = await fsp.stat(file).catch(() => null);
    if (!st) return;
    if (st.size > bytes) await fsp.truncate(file, bytes);
  }

  async replace(p: string, data: Buffer): Promise<number> {
    await this.write(p, data);
    return 1;
  }

  async measure(p: string): Promise<{ parts: number; bytes: number } | null> {
    const st = await fsp.stat(this.abs(p)).catch(() => null);
    return st && { parts: 1, bytes: st.size };
  }

  async copyRange(from: string, to: string, offset: number, count: number): Promise<void> {
    const dest = this.abs(to);
    await fsp.mkdir(path.dirname(dest), { recursive: true });
    const tmp = `${dest}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
    const { pipeline } = await import("node:stream/promises");
    if (count > 0) await pipeline(fs.createReadStream(this.abs(from), { start: offset, end: offset + count - 1 }), fs.createWriteStream(tmp));
    else await fsp.writeFile(tmp, "");
    const fh = await fsp.open(tmp, "r+");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, dest);
  }

  async copy(from: string, to: string): Promise<void> {
    const dest = this.abs(to);
    await fsp.mkdir(path.dirname(dest), { recursive: true });
    const tmp = `${dest}.${process.pid}.tmp`;
    await fsp.copyFile(this.abs(from), tmp);
    await fsp.rename(tmp, dest);
  }

  async list(prefix: string): Promise<StoredFile[]> {
    const base = this.abs(prefix);
    const out: StoredFile[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries: fs.Dirent[];
      try {
        entries = await fsp.readdir(dir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
        throw err;
      }
      for (const e of entries) {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) await walk(full);
        else if (e.isFile() && !e.name.endsWith(".tmp")) {
          out.push({ path: path.relative(this.root, full).split(path.sep).join("/"), size: (await fsp.stat(full)).size });
        }
      }
    };
    await walk(base);
    return out.sort((a, b) => a.path.localeCompare(b.path));
  }

  async delete(p: string): Promise<void> {
    await fsp.rm(this.abs(p), { force: true });
  }

  async download(p: string, localFile: string): Promise<void> {
    await fsp.copyFile(this.abs(p), localFile);
  }

  async close(): Promise<void> {}

  /** The folder exists (or can be made) and a file can be written and removed in it. */
  async probe(): Promise<void> {
    try {
      await fsp.mkdir(this.root, { recursive: true });
      const probe = `.dataverse-export-probe-${crypto.randomBytes(4).toString("hex")}`;
      await this.write(probe, "probe");
      await this.delete(probe);
    } catch (err) {
      throw new LakeStorageError(`Cannot write in ${this.root}: ${(err as Error).message}`, "AuthorizationFailure", "Give the worker's user write access to that folder, or choose another one.");
    }
  }
}

export function tagOf(data: Buffer): string {
  return crypto.createHash("sha1").update(data).digest("hex");
}

/** Writes `data` to a new temporary file beside `file` and fsyncs it; returns its path (for rename or link into place). */
export async function writeSyncedTemp(file: string, data: Buffer | string): Promise<string> {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
  const fh = await fsp.open(tmp, "w");
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return tmp;
}
