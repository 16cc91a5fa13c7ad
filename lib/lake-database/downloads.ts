import "server-only";
// What the portal and the REST API hand out of a lake database: its DuckDB database file (the
// current database, or a previous one by name) and its Synapse serverless SQL script, generated
// from the tables and columns found at the last build. Both only read what the worker wrote:
// nothing here builds or opens the lake. Who may: the DuckDB file can hold the exported rows (an
// Azure lake's copy), so it goes to those who may change the export — admins, and contributors
// over a connection shared with them (lib/profiles/access.ts) — as the target's data would. The
// Synapse script holds only table definitions and the container's address: every signed-in
// user, who may read every profile.
import fs from "node:fs";
import { Readable } from "node:stream";
import type { Actor } from "../auth/actor";
import type { Db } from "../db";
import { parseLakeTarget } from "../destinations/lake/lake-target";
import { NotFoundError } from "../errors";
import { assertMayManageProfile } from "../profiles/access";
import { ZProfileId } from "../profiles/schemas";
import { NOT_FOUND } from "../profiles/status";
import { decryptSecret } from "../secrets";
import { parseInput } from "../validation";
import type { LakeDatabaseManifest } from "./duckdb-file";
import { duckdbFile, manifestFile, synapseLocation } from "./location";
import { synapseScript, ZLakeDatabaseName } from "./synapse-script";

interface Chosen {
  profileId: string;
  profileName: string;
  database: string;
  current: boolean;
  destinationEnc: string | null;
}

/** The profile's current database, or the previous one named `database`; checks who may. */
async function chooseDatabase(db: Db, actor: Actor, need: "rows" | "definitions", id: unknown, database?: unknown): Promise<Chosen> {
  const profileId = parseInput(ZProfileId, id);
  if (need === "rows") await assertMayManageProfile(db, actor, profileId);
  const name = database === undefined || database === null || database === "" ? null : parseInput(ZLakeDatabaseName, database);
  const p = await db.profile.findUnique({
    where: { id: profileId },
    select: { name: true, lakeDatabase: true, destinationEnc: true, previousLakeDatabases: { select: { name: true } } },
  });
  if (!p) throw new NotFoundError(NOT_FOUND);
  if (!name || name === p.lakeDatabase) {
    if (!p.lakeDatabase) throw new NotFoundError("This export keeps no lake database: give it a database name (data lake targets only).");
    return { profileId, profileName: p.name, database: p.lakeDatabase, current: true, destinationEnc: p.destinationEnc };
  }
  if (!p.previousLakeDatabases.some((d) => d.name === name)) throw new NotFoundError(`This export has no database named ${name}.`);
  return { profileId, profileName: p.name, database: name, current: false, destinationEnc: p.destinationEnc };
}

const notBuilt = (database: string) =>
  new NotFoundError(`The lake database ${database} has not been built yet: the worker builds it after the export's first cycle that writes data.`);

function readManifest(profileId: string, database: string): LakeDatabaseManifest {
  try {
    return JSON.parse(fs.readFileSync(manifestFile(profileId, database), "utf8")) as LakeDatabaseManifest;
  } catch {
    throw notBuilt(database);
  }
}

/** The DuckDB database file, streamed (a rebuild renames a new file over it; this one stays readable). */
export async function duckdbDownload(db: Db, actor: Actor, id: unknown, database?: unknown): Promise<Response> {
  const c = await chooseDatabase(db, actor, "rows", id, database);
  let stream: fs.ReadStream;
  let size: number;
  try {
    const fd = fs.openSync(duckdbFile(c.profileId, c.database), "r");
    size = fs.fstatSync(fd).size;
    stream = fs.createReadStream("", { fd });
  } catch {
    throw notBuilt(c.database);
  }
  return new Response(Readable.toWeb(stream) as ReadableStream, {
    headers: {
      "Content-Type": "application/octet-stream",
      "Content-Length": String(size),
      "Content-Disposition": `attachment; filename="${c.database}.duckdb"`,
      "Cache-Control": "no-store",
    },
  });
}

/** The Synapse serverless SQL script of the database, from its tables at the last build. */
export async function synapseScriptText(db: Db, actor: Actor, id: unknown, database?: unknown, now = new Date()): Promise<{ database: string; script: string }> {
  const c = await chooseDatabase(db, actor, "definitions", id, database);
  const manifest = readManifest(c.profileId, c.database);
  // The current database: removals since the build count at once (a previous one is as it was built).
  const frozenNow = c.current
    ? new Map(
        (await db.profileTable.findMany({ where: { profileId: c.profileId, enabled: false, frozenAt: { not: null } }, select: { logicalName: true, sourceName: true, frozenAt: true } }))
          .flatMap((t) => [[t.logicalName, t.frozenAt!], [t.sourceName ?? t.logicalName, t.frozenAt!]] as [string, Date][]),
      )
    : null;
  let location = synapseLocation({ storage: "folder", root: "" });
  try {
    if (c.destinationEnc) location = synapseLocation(parseLakeTarget(decryptSecret(c.destinationEnc)));
  } catch {
    // A detached or changed target: the placeholder location, to edit.
  }
  const script = synapseScript({
    database: c.database,
    containerUrl: location,
    generatedAt: now,
    tables: manifest.tables.map((t) => ({
      name: t.name,
      columns: t.columns,
      removedAt: frozenNow ? (frozenNow.get(t.name) ?? null) : t.frozenAt ? new Date(t.frozenAt) : null,
    })),
  });
  return { database: c.database, script };
}

export async function synapseScriptDownload(db: Db, actor: Actor, id: unknown, database?: unknown): Promise<Response> {
  const { database: name, script } = await synapseScriptText(db, actor, id, database);
  return new Response(script, {
    headers: {
      "Content-Type": "application/sql; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}-synapse.sql"`,
      "Cache-Control": "no-store",
    },
  });
}
