import "server-only";
// The REST operations, one function per route file (the files under app/crm/exporter only wire
// these up). Each authenticates, calls the same services as the portal, and maps to DES JSON.
import { assertAdmin } from "../auth/actor";
import { db } from "../db";
import { readJson } from "../http/route-result";
import { acceptPrivacyTerms, findOrganization, listOrganizationRelationships, listOrganizationTables, listOrganizations } from "../organizations/service";
import { activate, createProfile, deactivate, deleteProfile, resyncFailedRecords, resyncTable, updateProfile } from "../profiles/service";
import { getProfile, listProfiles } from "../profiles/status";
import { testProfile, validateProfile } from "../profiles/validation";
import { ValidationError } from "../errors";
import { desEntity, desOrganization, desProfile, desRelationship, desValidationReport, fromDesProfile, organizationRef, queryFlag, withDesFieldNames } from "./des-shapes";
import { apiRoute, profileIdFrom, type IdContext } from "./route";
import { publicOrigin, signFailureDownload } from "./signed-url";

// ---- metadata -----------------------------------------------------------------------------

export const getOrganizations = (req: Request) =>
  apiRoute("GET metadata/organizations", req, async (actor) => (await listOrganizations(db, actor)).map((o) => desOrganization(o, publicOrigin(req))));

export const discover = (req: Request) =>
  apiRoute("GET metadata/discover", req, async (actor, url) => desOrganization(await findOrganization(db, actor, organizationRef(url)), publicOrigin(req)));

export const connector = (req: Request) =>
  apiRoute("GET metadata/connector", req, async (actor, url) => {
    const org = await findOrganization(db, actor, organizationRef(url));
    return { OrganizationId: org.id, OrganizationUrl: org.url, ConnectorUrl: publicOrigin(req) };
  });

export const entities = (req: Request) =>
  apiRoute("GET metadata/entities", req, async (actor, url) => {
    const org = await findOrganization(db, actor, organizationRef(url));
    return (await listOrganizationTables(db, actor, org.id)).map(desEntity);
  });

export const relationships = (req: Request) =>
  apiRoute("GET metadata/relationships", req, async (actor, url) => {
    const org = await findOrganization(db, actor, organizationRef(url));
    const only = url.searchParams.get("entities");
    const tables = only === null ? undefined : only.split(",").map((s) => s.trim()).filter(Boolean);
    return (await listOrganizationRelationships(db, actor, org.id, tables)).map(desRelationship);
  });

export const hasAcceptedPrivacyTerms = (req: Request) =>
  apiRoute("GET metadata/hasorgacceptedprivacyterms", req, async (actor, url) => (await findOrganization(db, actor, organizationRef(url))).privacyAcceptedAt !== null);

export const acceptTerms = (req: Request) =>
  apiRoute("POST metadata/acceptprivacyterms", req, async (actor, url) => {
    // The role first: a viewer learns nothing about which organizations exist.
    assertAdmin(actor);
    const org = await findOrganization(db, actor, organizationRef(url));
    return desOrganization(await acceptPrivacyTerms(db, actor, org.id), publicOrigin(req));
  });

// ---- profiles -----------------------------------------------------------------------------

export const getProfiles = (req: Request) =>
  apiRoute("GET profiles", req, async (actor, url) => {
    const ref = organizationRef(url);
    const organizationId = ref.organizationId ?? (ref.organizationUrl ? (await findOrganization(db, actor, ref)).id : undefined);
    const status = queryFlag(url, "status");
    const list = await listProfiles(db, actor, { organizationId });
    return Promise.all(list.map(async (p) => desProfile(await getProfile(db, actor, p.id), status)));
  });

export const postProfile = (req: Request) =>
  apiRoute(
    "POST profiles",
    req,
    async (actor) => {
      const body = await readJson(req);
      return desProfile(await withDesFieldNames(() => createProfile(db, actor, fromDesProfile(body))), false);
    },
    201,
  );

export const validate = (req: Request) =>
  apiRoute("POST profiles/validate", req, async (actor) => {
    const body = await readJson(req);
    return desValidationReport(await withDesFieldNames(() => validateProfile(db, actor, fromDesProfile(body))));
  });

export const getOne = (req: Request, ctx: IdContext) =>
  apiRoute("GET profiles/{id}", req, async (actor, url) => desProfile(await getProfile(db, actor, profileIdFrom((await ctx.params).id)), queryFlag(url, "status")));

export const putOne = (req: Request, ctx: IdContext) =>
  apiRoute("PUT profiles/{id}", req, async (actor) => {
    const id = profileIdFrom((await ctx.params).id);
    const body = await readJson(req);
    const input = fromDesProfile(body);
    if ("organizationId" in input) {
      const current = await getProfile(db, actor, id);
      if (input.organizationId !== current.organizationId) throw new ValidationError("OrganizationId: a profile cannot move to another organization; create a new profile.", { OrganizationId: "A profile cannot move to another organization." });
      delete input.organizationId;
    }
    return desProfile(await withDesFieldNames(() => updateProfile(db, actor, id, input)), false);
  });

export const deleteOne = (req: Request, ctx: IdContext) =>
  apiRoute("DELETE profiles/{id}", req, async (actor) => {
    await deleteProfile(db, actor, profileIdFrom((await ctx.params).id));
    return undefined;
  });

export const activation = (what: "all" | "metadata" | "data" | "off", name: string) => (req: Request, ctx: IdContext) =>
  apiRoute(`POST profiles/{id}/${name}`, req, async (actor) => {
    const id = profileIdFrom((await ctx.params).id);
    return desProfile(await withDesFieldNames(() => (what === "off" ? deactivate(db, actor, id) : activate(db, actor, id, what))), true);
  });

export const test = (req: Request, ctx: IdContext) =>
  apiRoute("GET profiles/{id}/test", req, async (actor) => desValidationReport(await testProfile(db, actor, profileIdFrom((await ctx.params).id))));

export const failures = (req: Request, ctx: IdContext) =>
  apiRoute("GET profiles/{id}/failures", req, async (actor, url) => {
    const profile = await getProfile(db, actor, profileIdFrom((await ctx.params).id));
    const format = (url.searchParams.get("format") ?? "des").toLowerCase();
    if (format !== "des" && format !== "csv") throw new ValidationError("format: must be des or csv.", { format: "Must be des or csv." });
    const link = signFailureDownload(profile.id, format);
    return { Uri: `${publicOrigin(req)}${link.path}`, ExpiresOn: link.expiresAt.toISOString(), Format: format, FailureCount: profile.failures };
  });

// ---- beyond the old product: what its users missed --------------------------------------

/** Re-export one table alone (`?entity=account`); the others keep syncing. */
export const resyncEntity = (req: Request, ctx: IdContext) =>
  apiRoute("POST profiles/{id}/resyncentity", req, async (actor, url) => {
    const id = profileIdFrom((await ctx.params).id);
    const entity = url.searchParams.get("entity");
    if (!entity) throw new ValidationError("entity: give the table's logical name, e.g. ?entity=account.", { entity: "Give the table's logical name." });
    await resyncTable(db, actor, id, entity);
    return desProfile(await getProfile(db, actor, id), true);
  });

/** Fetch and write again every record whose last attempt failed (the log itself is kept). */
export const resyncFailed = (req: Request, ctx: IdContext) =>
  apiRoute("POST profiles/{id}/resyncfailedrecords", req, async (actor) => {
    const id = profileIdFrom((await ctx.params).id);
    await resyncFailedRecords(db, actor, id);
    return desProfile(await getProfile(db, actor, id), true);
  });
