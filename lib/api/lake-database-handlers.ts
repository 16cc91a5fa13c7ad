import "server-only";
// REST: a lake database's files (issue 13). `?database=NAME` picks a previous database of the
// export; without it, the current one. The same services as the portal's download routes.
import { db } from "../db";
import { duckdbDownload, synapseScriptDownload } from "../lake-database/downloads";
import { apiRoute, profileIdFrom, type IdContext } from "./route";

const databaseParam = (url: URL) => url.searchParams.get("database") ?? undefined;

export const getLakeDatabaseFile = (req: Request, ctx: IdContext) =>
  apiRoute("GET profiles/{id}/lake-database/duckdb", req, async (actor, url) => duckdbDownload(db, actor, profileIdFrom((await ctx.params).id), databaseParam(url)));

export const getSynapseScript = (req: Request, ctx: IdContext) =>
  apiRoute("GET profiles/{id}/lake-database/synapse.sql", req, async (actor, url) => synapseScriptDownload(db, actor, profileIdFrom((await ctx.params).id), databaseParam(url)));
