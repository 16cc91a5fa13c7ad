// Keeps a profile's lake database file up to date from the engine (never from a web request):
// rebuilt after a cycle that wrote something, at most once per interval; writes that fall inside
// the interval are remembered and built by a later cycle or at the end of a --once run. A failed
// build is logged and tried again later: the export itself goes on.
import fs from "node:fs";
import type { Db } from "../db";
import { parseLakeTarget } from "../destinations/lake/lake-target";
import { openStorage, type ClientCredentials } from "../destinations/lake/open-storage";
import { decryptSecret } from "../secrets";
import type { ProfileRow } from "../sync/profile-store";
import { buildDuckdbFile, type LakeDatabaseManifest } from "./duckdb-file";
import { duckdbFile, inDatabase, manifestFile } from "./location";

/** Folder lakes: the file holds views only (cheap). Azure lakes: a copy of the rows (downloads). */
export const FOLDER_REBUILD_MS = 60_000;
export const AZURE_REBUILD_MS = 15 * 60_000;

interface Log {
  info(msg: string): void;
  warn(msg: string): void;
}

/** Builds the DuckDB file (and its table manifest) of the profile's current database now. */
export async function rebuildLakeDatabase(db: Db, profile: ProfileRow, credentials: ClientCredentials | null, now = new Date()): Promise<LakeDatabaseManifest | null> {
  const database = profile.lakeDatabase;
  if (!database || profile.destinationType !== "datalake" || !profile.destinationEnc) return null;
  const storage = await openStorage(inDatabase(parseLakeTarget(decryptSecret(profile.destinationEnc)), database), { credentials });
  const frozenRows = await db.profileTable.findMany({ where: { profileId: profile.id, enabled: false, frozenAt: { not: null } }, select: { logicalName: true, sourceName: true, frozenAt: true } });
  // A relationship's folder is its intersect entity (sourceName).
  const frozen = new Map(frozenRows.flatMap((t) => [[t.logicalName, t.frozenAt!], ...(t.sourceName ? [[t.sourceName, t.frozenAt!] as [string, Date]] : [])] as [string, Date][]));
  const manifest = await buildDuckdbFile(storage, { file: duckdbFile(profile.id, database), manifestFile: manifestFile(profile.id, database), database, frozen, now });
  await db.profile.update({ where: { id: profile.id }, data: { lakeDatabaseBuiltAt: now } });
  return manifest;
}

export class LakeDatabaseKeeper {
  private pending: boolean;
  private lastBuild = 0;
  private readonly everyMs: number;

  constructor(
    private readonly db: Db,
    private readonly profile: ProfileRow,
    private readonly credentials: ClientCredentials | null,
    private readonly log: Log,
    opts: { everyMs?: number; now?: () => number } = {},
  ) {
    const folder = this.enabled && profile.destinationEnc ? /^lake:/i.test(decryptSecret(profile.destinationEnc).trim()) : true;
    this.everyMs = opts.everyMs ?? (folder ? FOLDER_REBUILD_MS : AZURE_REBUILD_MS);
    this.now = opts.now ?? Date.now;
    // A missing file (first run, new database, DATA_DIR emptied) is built after the first cycle.
    this.pending = Boolean(profile.lakeDatabase) && !fs.existsSync(duckdbFile(profile.id, profile.lakeDatabase ?? ""));
  }
  private readonly now: () => number;
  private checked = false;

  private async frozenUpToDate(): Promise<boolean> {
    let built: LakeDatabaseManifest;
    try {
      built = JSON.parse(fs.readFileSync(manifestFile(this.profile.id, this.profile.lakeDatabase!), "utf8")) as LakeDatabaseManifest;
    } catch {
      return false;
    }
    const rows = await this.db.profileTable.findMany({ where: { profileId: this.profile.id, enabled: false, frozenAt: { not: null } }, select: { logicalName: true, sourceName: true } });
    const frozenNow = new Set(rows.flatMap((t) => [t.logicalName, t.sourceName ?? t.logicalName]));
    return built.tables.every((t) => Boolean(t.frozenAt) === frozenNow.has(t.name));
  }

  get enabled(): boolean {
    return Boolean(this.profile.lakeDatabase) && this.profile.destinationType === "datalake";
  }

  /** After a cycle: `wrote` when it wrote rows. Builds when due. */
  async afterCycle(wrote: boolean): Promise<void> {
    if (!this.enabled) return;
    if (!this.checked) {
      // A table removed (or added back) since the last build changes the file without new rows.
      this.checked = true;
      this.pending ||= !(await this.frozenUpToDate());
    }
    this.pending ||= wrote;
    if (this.pending && this.now() - this.lastBuild >= this.everyMs) await this.build();
  }

  /** At the end of a --once run: whatever is still pending is built now. */
  async settle(): Promise<void> {
    if (!this.enabled) return;
    if (!this.checked) await this.afterCycle(false);
    if (this.pending) await this.build();
  }

  private async build(): Promise<void> {
    this.lastBuild = this.now();
    try {
      const m = await rebuildLakeDatabase(this.db, this.profile, this.credentials);
      this.pending = false;
      if (m) this.log.info(`lake database ${m.database}: DuckDB file rebuilt (${m.tables.length} tables)`);
    } catch (err) {
      this.log.warn(`lake database ${this.profile.lakeDatabase}: the DuckDB file could not be rebuilt, trying again later: ${(err as Error).message}`);
    }
  }
}
