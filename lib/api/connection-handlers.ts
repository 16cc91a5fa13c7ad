import "server-only";
// REST for named connections (issue 13), PascalCase like the rest of the API: admins list, create,
// change and remove them and detach exports; contributors and viewers list the shared ones (name
// and type only). The secret is write-only: no answer ever carries it.
import type { ConnectionView } from "../connections/service";
import { createConnection, deleteConnection, detachExport, getConnection, listConnections, updateConnection } from "../connections/service";
import { db } from "../db";
import { NotFoundError } from "../errors";
import { readJson } from "../http/route-result";
import { getProfile } from "../profiles/status";
import { desProfile } from "./des-shapes";
import { fromApiFields, withApiFieldNames } from "./field-names";
import { apiRoute, profileIdFrom, type IdContext } from "./route";

type Json = Record<string, unknown>;

/** Our field name → the API's. */
export const CONNECTION_FIELDS: Record<string, string> = {
  name: "Name",
  destinationType: "DestinationType",
  connectionString: "ConnectionString",
  sharedWithContributors: "SharedWithContributors",
  agreeToTerms: "AgreeToDataPrivacyAndCompliance",
};

export function desConnection(c: ConnectionView): Json {
  const base = { Id: c.id, Name: c.name, DestinationType: c.destinationType };
  if (!("sharedWithContributors" in c)) return base;
  return {
    ...base,
    SharedWithContributors: c.sharedWithContributors,
    Target: c.target,
    TermsAcceptedOn: c.termsAcceptedAt,
    TermsAcceptedBy: c.termsAcceptedBy,
    CreatedBy: c.createdBy,
    CreatedOn: c.createdAt,
    ModifiedOn: c.updatedAt,
    Exports: c.exports.map((e) => ({ Id: e.id, Name: e.name, State: e.state })),
  };
}

const fromDesConnection = (body: unknown) => fromApiFields(body, CONNECTION_FIELDS, "connection");
const withFieldNames = <T>(fn: () => Promise<T>) => withApiFieldNames(CONNECTION_FIELDS, fn);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
function connectionIdFrom(id: string): string {
  if (!UUID.test(id)) throw new NotFoundError("That connection does not exist.");
  return id;
}

export const list = (req: Request) => apiRoute("GET connections", req, async (actor) => (await listConnections(db, actor)).map(desConnection));

export const create = (req: Request) =>
  apiRoute("POST connections", req, async (actor) => {
    const body = await readJson(req);
    return desConnection(await withFieldNames(() => createConnection(db, actor, fromDesConnection(body))));
  }, 201);

export const getOne = (req: Request, ctx: IdContext) =>
  apiRoute("GET connections/{id}", req, async (actor) => desConnection(await getConnection(db, actor, connectionIdFrom((await ctx.params).id))));

export const putOne = (req: Request, ctx: IdContext) =>
  apiRoute("PUT connections/{id}", req, async (actor) => {
    const id = connectionIdFrom((await ctx.params).id);
    const body = await readJson(req);
    return desConnection(await withFieldNames(() => updateConnection(db, actor, id, fromDesConnection(body))));
  });

export const deleteOne = (req: Request, ctx: IdContext) =>
  apiRoute("DELETE connections/{id}", req, async (actor) => {
    await deleteConnection(db, actor, connectionIdFrom((await ctx.params).id));
    return undefined;
  });

/** The export keeps its tables and history but stops (inactive) without a target. */
export const detach = (req: Request, ctx: IdContext) =>
  apiRoute("POST profiles/{id}/detach", req, async (actor) => {
    const id = profileIdFrom((await ctx.params).id);
    await detachExport(db, actor, id);
    return desProfile(await getProfile(db, actor, id), true);
  });
