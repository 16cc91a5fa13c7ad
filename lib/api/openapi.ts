// The OpenAPI 3.1 document of /crm/exporter (served at /crm/exporter/swagger.json). Bodies are
// described with zod and converted with z.toJSONSchema; limits come from the services' schemas.
import { z } from "zod";
import { SCHEMAS } from "./openapi-schemas";

type Op = { summary: string; description?: string; tags: string[]; params?: string[]; body?: string; bodyOptional?: true; ok: { status: number; schema?: string; array?: boolean; scalar?: object; text?: boolean; media?: string }; errors: number[]; security?: false };

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const ORG = ["organizationId", "organizationUrl"];

const OPERATIONS: Record<string, Record<string, Op>> = {
  "/crm/exporter/metadata/organizations": { get: { summary: "Organizations registered in this portal", tags: ["Metadata"], ok: { status: 200, schema: "Organization", array: true }, errors: [401] } },
  "/crm/exporter/metadata/discover": { get: { summary: "One organization, by URL or id", tags: ["Metadata"], params: ORG, ok: { status: 200, schema: "Organization" }, errors: [400, 401, 404] } },
  "/crm/exporter/metadata/connector": { get: { summary: "Where the profile operations of an organization live", tags: ["Metadata"], params: ORG, ok: { status: 200, schema: "Connector" }, errors: [400, 401, 404] } },
  "/crm/exporter/metadata/entities": { get: { summary: "Tables of an organization, and whether each can be exported", tags: ["Metadata"], params: ORG, ok: { status: 200, schema: "Entity", array: true }, errors: [400, 401, 404, 502] } },
  "/crm/exporter/metadata/relationships": { get: { summary: "N:N relationships of an organization (only among `entities` when given)", tags: ["Metadata"], params: [...ORG, "entities"], ok: { status: 200, schema: "Relationship", array: true }, errors: [400, 401, 404, 502] } },
  "/crm/exporter/metadata/hasorgacceptedprivacyterms": { get: { summary: "Whether an admin accepted the organization's privacy terms", tags: ["Metadata"], params: ORG, ok: { status: 200, scalar: { type: "boolean" } }, errors: [400, 401, 404] } },
  "/crm/exporter/metadata/acceptprivacyterms": { post: { summary: "Accept the organization's privacy terms (admin; records who and when)", tags: ["Metadata"], params: ORG, ok: { status: 200, schema: "Organization" }, errors: [400, 401, 403, 404] } },
  "/crm/exporter/profiles": {
    get: { summary: "Export profiles (of one organization when given)", tags: ["Profiles"], params: [...ORG, "status"], ok: { status: 200, schema: "Profile", array: true }, errors: [400, 401, 404] },
    post: { summary: "Create an export profile (admin; contributor over a connection shared with contributors; inactive until activated)", tags: ["Profiles"], body: "ProfileRequest", ok: { status: 201, schema: "Profile" }, errors: [400, 401, 403, 409] },
  },
  "/crm/exporter/profiles/validate": { post: { summary: "Check a profile description before creating it: source, tables, target, permissions, names", tags: ["Profiles"], body: "ProfileRequest", ok: { status: 200, schema: "ValidationReport" }, errors: [400, 401, 403] } },
  "/crm/exporter/profiles/{id}": {
    get: { summary: "One profile (with per-table status when status=true)", tags: ["Profiles"], params: ["id", "status"], ok: { status: 200, schema: "Profile" }, errors: [401, 404] },
    put: { summary: "Update a profile (admin; contributor when it uses a shared connection)", tags: ["Profiles"], params: ["id"], body: "ProfileUpdate", ok: { status: 200, schema: "Profile" }, errors: [400, 401, 403, 404, 409] },
    delete: { summary: "Delete a profile (admin; contributor when it uses a shared connection): stops it and forgets it; the target's tables and data stay", tags: ["Profiles"], params: ["id"], ok: { status: 204 }, errors: [401, 403, 404] },
  },
  "/crm/exporter/profiles/{id}/activate": { post: { summary: "Activate table definitions and data replication (admin; contributor over a shared connection)", tags: ["Profiles"], params: ["id"], ok: { status: 200, schema: "Profile" }, errors: [400, 401, 403, 404] } },
  "/crm/exporter/profiles/{id}/activatemetadata": { post: { summary: "Activate table definitions only (admin; contributor over a shared connection)", tags: ["Profiles"], params: ["id"], ok: { status: 200, schema: "Profile" }, errors: [400, 401, 403, 404] } },
  "/crm/exporter/profiles/{id}/activatedata": { post: { summary: "Activate data replication (admin; creates the tables first when needed)", tags: ["Profiles"], params: ["id"], ok: { status: 200, schema: "Profile" }, errors: [400, 401, 403, 404] } },
  "/crm/exporter/profiles/{id}/deactivate": { post: { summary: "Stop replication (admin; contributor over a shared connection)", tags: ["Profiles"], params: ["id"], ok: { status: 200, schema: "Profile" }, errors: [401, 403, 404] } },
  "/crm/exporter/profiles/{id}/resyncentity": { post: { summary: "Re-export one table alone (admin; not in the old product): its rows are read again, the other tables keep syncing", tags: ["Profiles"], params: ["id", "entity"], ok: { status: 200, schema: "Profile" }, errors: [400, 401, 403, 404] } },
  "/crm/exporter/profiles/{id}/resyncfailedrecords": { post: { summary: "Write again every record whose last attempt failed (admin; not in the old product); the failure log is kept", tags: ["Profiles"], params: ["id"], ok: { status: 200, schema: "Profile" }, errors: [401, 403, 404] } },
  "/crm/exporter/profiles/{id}/reconcile": {
    post: {
      summary: "Compare the target with the source, table by table (admin; not in the old product); with Repair, fix the differences",
      description: "Stores the request and answers 202 at once: the sync worker runs it beside the delta sync (ids and versionnumber only, 5,000 a page). Poll GET profiles/{id}/reconciliation for the result.",
      tags: ["Profiles"], params: ["id"], body: "ReconcileRequest", bodyOptional: true, ok: { status: 202, schema: "Reconciliation" }, errors: [400, 401, 403, 404],
    },
  },
  "/crm/exporter/profiles/{id}/reconciliation": { get: { summary: "The latest reconciliation of a profile (running or finished), the last result and the schedule", tags: ["Profiles"], params: ["id"], ok: { status: 200, schema: "Reconciliation" }, errors: [401, 404] } },
  "/crm/exporter/profiles/{id}/run": {
    post: {
      summary: "Run now: a scheduled data lake export reads and writes the changes since its last run at once (admin; contributor over a shared connection; not in the old product)",
      description: "Stores the request and answers 202; the worker running the export starts the run at its next look at the store (a few seconds). 409 when the export is continuous or inactive. Poll GET profiles/{id}/runs for the result.",
      tags: ["Profiles"], params: ["id"], ok: { status: 202, schema: "RefreshRuns" }, errors: [401, 403, 404, 409],
    },
  },
  "/crm/exporter/profiles/{id}/runs": { get: { summary: "The run history of a scheduled export (newest first) and its next run time", tags: ["Profiles"], params: ["id", "runsLimit", "before"], ok: { status: 200, schema: "RefreshRuns" }, errors: [400, 401, 404] } },
  "/crm/exporter/profiles/{id}/test": { get: { summary: "Run the validation checks for a saved profile", tags: ["Profiles"], params: ["id"], ok: { status: 200, schema: "ValidationReport" }, errors: [401, 404] } },
  "/crm/exporter/profiles/{id}/failures": { get: { summary: "A signed link to the profile's failure log", tags: ["Profiles"], params: ["id", "format"], ok: { status: 200, schema: "FailuresLink" }, errors: [400, 401, 404] } },
  "/crm/exporter/profiles/{id}/lake-database/duckdb": {
    get: {
      summary: "The export's lake database as a DuckDB database file (not in the old product; admins, and contributors over a shared connection: an Azure lake's file holds the rows)",
      description: "One view per table over its latest state (highest versionnumber per Id, deletes removed), raw.<table> with every row, lake_database_tables listing the tables and when a removed one stopped updating. Built by the worker after a cycle that wrote. A folder lake's views read its CSV files in place; an Azure lake's raw tables hold a copy. database=NAME: a previous database of the export.",
      tags: ["Lake database"], params: ["id", "lakeDatabase"], ok: { status: 200, media: "application/octet-stream" }, errors: [400, 401, 403, 404],
    },
  },
  "/crm/exporter/profiles/{id}/lake-database/synapse.sql": {
    get: {
      summary: "The Synapse serverless SQL script of the export's lake database (not in the old product; any role: it holds table definitions only)",
      description: "CREATE EXTERNAL DATA SOURCE over the lake's container, then one CREATE OR ALTER VIEW … OPENROWSET(BULK '<database>/<table>/*.csv', FORMAT='CSV', PARSER_VERSION='2.0') WITH (typed columns) per table found at the last build; removed tables kept with a comment. database=NAME: a previous database.",
      tags: ["Lake database"], params: ["id", "lakeDatabase"], ok: { status: 200, media: "application/sql" }, errors: [400, 401, 403, 404],
    },
  },
  "/crm/exporter/downloads/failures": {
    get: {
      summary: "The failure log behind a signed link (no token)",
      description: "One line per failure, oldest first: `Entity: account, RecordId: …, NotificationTime: 8/31/2016 6:50:38 PM, ChangeType: New, FailureReason: …` (or CSV). Links come from GET profiles/{id}/failures.",
      tags: ["Downloads"], params: ["linkProfileId", "format", "expires", "signature"], ok: { status: 200, text: true }, errors: [400, 403, 404], security: false,
    },
  },
  "/crm/exporter/audit": {
    get: {
      summary: "The audit log (admin; not in the old product): sign-ins and every change, newest first",
      description: "Filters: actor (part of the email or token name), action (one action or a family such as profile), objectType, object (id or part of the name), from/to (ISO times). Pages of `limit` entries (1–200, default 50); pass NextCursor back as cursor. format=csv streams every matching entry, oldest first.",
      tags: ["Audit"], params: ["auditActor", "auditAction", "auditObjectType", "auditObject", "from", "to", "cursor", "limit", "auditFormat"], ok: { status: 200, schema: "AuditPage" }, errors: [400, 401, 403],
    },
  },
  "/crm/exporter/connections": {
    get: { summary: "Named connections: all in full for admins; for others the ones shared with contributors, name and type only", tags: ["Connections"], ok: { status: 200, schema: "Connection", array: true }, errors: [401] },
    post: { summary: "Define a connection (admin): target and secret, who may use it, and the data privacy and compliance agreement", tags: ["Connections"], body: "ConnectionRequest", ok: { status: 201, schema: "Connection" }, errors: [400, 401, 403, 409] },
  },
  "/crm/exporter/connections/{id}": {
    get: { summary: "One connection (a non-admin: only a shared one, name and type)", tags: ["Connections"], params: ["connectionId"], ok: { status: 200, schema: "Connection" }, errors: [401, 404] },
    put: { summary: "Rename, share or un-share (exports are kept), or replace the secret (admin)", tags: ["Connections"], params: ["connectionId"], body: "ConnectionUpdate", ok: { status: 200, schema: "Connection" }, errors: [400, 401, 403, 404, 409] },
    delete: { summary: "Remove a connection (admin); refused (409) while exports use it: remove or detach them first", tags: ["Connections"], params: ["connectionId"], ok: { status: 204 }, errors: [401, 403, 404, 409] },
  },
  "/crm/exporter/profiles/{id}/detach": { post: { summary: "Detach an export from its connection (admin): it keeps its tables and history and becomes inactive until it gets a target", tags: ["Profiles"], params: ["id"], ok: { status: 200, schema: "Profile" }, errors: [400, 401, 403, 404] } },
  "/crm/exporter/profiles/{id}/alerts": {
    get: { summary: "A profile's alert rules, channels (without secrets), alert history and test alerts sent", tags: ["Alerts"], params: ["id"], ok: { status: 200, schema: "Alerts" }, errors: [401, 404] },
  },
  "/crm/exporter/profiles/{id}/alerts/rules": {
    post: { summary: "Add an alert rule (admin)", tags: ["Alerts"], params: ["id"], body: "AlertRuleRequest", ok: { status: 201, schema: "AlertRule" }, errors: [400, 401, 403, 404] },
  },
  "/crm/exporter/profiles/{id}/alerts/rules/{ruleId}": {
    delete: { summary: "Remove an alert rule and its alerts (admin)", tags: ["Alerts"], params: ["id", "ruleId"], ok: { status: 204 }, errors: [401, 403, 404] },
  },
  "/crm/exporter/profiles/{id}/alerts/channels": {
    post: { summary: "Add a channel (admin): a webhook (JSON, Teams, Slack) or email over SMTP; its secret is stored encrypted", tags: ["Alerts"], params: ["id"], body: "AlertChannelRequest", ok: { status: 201, schema: "AlertChannel" }, errors: [400, 401, 403, 404] },
  },
  "/crm/exporter/profiles/{id}/alerts/channels/{channelId}": {
    put: { summary: "Change a channel's name and target (admin); its secret only when given again", tags: ["Alerts"], params: ["id", "channelId"], body: "AlertChannelRequest", ok: { status: 200, schema: "AlertChannel" }, errors: [400, 401, 403, 404] },
    delete: { summary: "Remove a channel (admin)", tags: ["Alerts"], params: ["id", "channelId"], ok: { status: 204 }, errors: [401, 403, 404] },
  },
  "/crm/exporter/profiles/{id}/alerts/channels/{channelId}/test": {
    post: { summary: "Send a test alert to a channel now (admin); 502 says why it failed", tags: ["Alerts"], params: ["id", "channelId"], ok: { status: 200, schema: "AlertTestResult" }, errors: [401, 403, 404, 502] },
  },
  "/crm/exporter/swagger.json": { get: { summary: "This document", tags: ["Documentation"], ok: { status: 200, scalar: { type: "object" } }, errors: [], security: false } },
};

const PARAMETERS: Record<string, object> = {
  organizationId: { name: "organizationId", in: "query", required: false, description: "The organization's id (from metadata/organizations). Give this or organizationUrl.", schema: { type: "string", format: "uuid" } },
  organizationUrl: { name: "organizationUrl", in: "query", required: false, description: "The environment URL, e.g. https://contoso.crm.dynamics.com.", schema: { type: "string" } },
  entity: { name: "entity", in: "query", required: true, description: "The table's logical name, e.g. account.", schema: { type: "string" } },
  entities: { name: "entities", in: "query", required: false, description: "Comma-separated table logical names.", schema: { type: "string" } },
  status: { name: "status", in: "query", required: false, description: "true: include per-table status.", schema: { type: "boolean" } },
  id: { name: "id", in: "path", required: true, description: "Profile id.", schema: { type: "string", format: "uuid" } },
  connectionId: { name: "id", in: "path", required: true, description: "Connection id.", schema: { type: "string", format: "uuid" } },
  lakeDatabase: { name: "database", in: "query", required: false, description: "A previous database of the export, by name (default: the current one).", schema: { type: "string" } },
  ruleId: { name: "ruleId", in: "path", required: true, description: "Alert rule id.", schema: { type: "string", format: "uuid" } },
  channelId: { name: "channelId", in: "path", required: true, description: "Alert channel id.", schema: { type: "string", format: "uuid" } },
  format: { name: "format", in: "query", required: false, description: "des (the old product's lines, default) or csv.", schema: { type: "string", enum: ["des", "csv"] } },
  auditActor: { name: "actor", in: "query", required: false, description: "Part of the actor's email or token name.", schema: { type: "string" } },
  auditAction: { name: "action", in: "query", required: false, description: "One action (profile.activate) or a family (profile).", schema: { type: "string" } },
  auditObjectType: { name: "objectType", in: "query", required: false, schema: { type: "string", enum: ["session", "user", "token", "organization", "profile", "connection", "alert"] } },
  auditObject: { name: "object", in: "query", required: false, description: "The object's id, or part of its name.", schema: { type: "string" } },
  from: { name: "from", in: "query", required: false, description: "Entries at or after this time (ISO 8601).", schema: { type: "string", format: "date-time" } },
  to: { name: "to", in: "query", required: false, description: "Entries at or before this time (ISO 8601).", schema: { type: "string", format: "date-time" } },
  cursor: { name: "cursor", in: "query", required: false, description: "NextCursor of the previous page.", schema: { type: "string" } },
  limit: { name: "limit", in: "query", required: false, description: "Entries per page, 1–200 (default 50).", schema: { type: "integer", minimum: 1, maximum: 200 } },
  auditFormat: { name: "format", in: "query", required: false, description: "json (default) or csv (every matching entry, oldest first).", schema: { type: "string", enum: ["json", "csv"] } },
  runsLimit: { name: "limit", in: "query", required: false, description: "Runs per page, 1–100 (default 20).", schema: { type: "integer", minimum: 1, maximum: 100 } },
  before: { name: "before", in: "query", required: false, description: "NextCursor of the previous page: older runs.", schema: { type: "string" } },
  linkProfileId: { name: "profileId", in: "query", required: true, schema: { type: "string", format: "uuid" } },
  expires: { name: "expires", in: "query", required: true, description: "Unix time the link expires.", schema: { type: "integer" } },
  signature: { name: "signature", in: "query", required: true, schema: { type: "string" } },
};

const ERROR_TEXT: Record<number, string> = {
  400: "Invalid request: the message and `fields` name the field.",
  401: "No token, or a token that is unknown, revoked or expired.",
  403: "The token's role may not do this (viewer tokens only read; contributor tokens change only profiles over connections shared with contributors; the audit log is for admins), or the link is invalid or expired.",
  404: "No such organization, profile or connection.",
  409: "A profile or connection with that name already exists, or a connection still has exports.",
  502: "The Dataverse organization could not be read, or (a test alert) the channel refused or did not answer.",
};

function jsonSchema(s: z.ZodType): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

function operation(path: string, method: string, op: Op): Record<string, unknown> {
  const okContent = op.ok.media
    ? { [op.ok.media]: { schema: { type: "string", ...(op.ok.media === "application/octet-stream" ? { format: "binary" } : {}) } } }
    : op.ok.text
    ? { "text/plain": { schema: { type: "string" } }, "text/csv": { schema: { type: "string" } } }
    : op.ok.schema
      ? { "application/json": { schema: op.ok.array ? { type: "array", items: ref(op.ok.schema) } : ref(op.ok.schema) } }
      : op.ok.scalar
        ? { "application/json": { schema: op.ok.scalar } }
        : undefined;
  const responses: Record<string, unknown> = {
    [String(op.ok.status)]: { description: op.ok.status === 204 ? "Done." : "OK.", ...(okContent ? { content: okContent } : {}) },
  };
  for (const code of op.errors) responses[String(code)] = { description: ERROR_TEXT[code], content: { "application/json": { schema: ref("Error") } } };
  return {
    operationId: `${method}${path.replace("/crm/exporter", "").replace(/\{(\w+)\}/g, "By_$1").split(/[/.]/).map((s) => s.charAt(0).toUpperCase() + s.slice(1)).join("")}`,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: op.tags,
    ...(op.params ? { parameters: op.params.map((p) => PARAMETERS[p]) } : {}),
    ...(op.body ? { requestBody: { required: op.bodyOptional !== true, content: { "application/json": { schema: ref(op.body) } } } } : {}),
    ...(op.security === false ? { security: [] } : {}),
    responses,
  };
}

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function componentSchemas(): Obj {
  const out: Obj = Object.fromEntries(Object.entries(SCHEMAS).map(([name, s]) => [name, jsonSchema(s)]));
  for (const list of ["Entities", "Relationships"]) {
    out.Profile.properties[list].items.properties.Status = { ...ref("EntityStatus"), description: "With status=true, and in the answers of activate/deactivate." };
  }
  return out;
}

export function openApiDocument(serverUrl: string): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: {
      title: "dataverse-export API",
      version: "1.0",
      description:
        "The Data Export Service's REST operations (metadata + profiles) with its field names. Authenticate with `Authorization: Bearer <token>`: an API token (portal → API tokens, or `npx dataverse-export token create`), or an Entra ID access token when Entra ID is configured. Viewer tokens can only read; contributor tokens also create and run profiles over connections shared with contributors.",
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    tags: [{ name: "Metadata" }, { name: "Profiles" }, { name: "Connections" }, { name: "Lake database" }, { name: "Alerts" }, { name: "Audit" }, { name: "Downloads" }, { name: "Documentation" }],
    paths: Object.fromEntries(Object.entries(OPERATIONS).map(([path, ops]) => [path, Object.fromEntries(Object.entries(ops).map(([m, op]) => [m, operation(path, m, op)]))])),
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "An API token (dvx_…) or an Entra ID access token." } },
      schemas: componentSchemas(),
    },
  };
}

/** Paths and methods the document describes (for the test that compares it with the route files). */
export function documentedOperations(): string[] {
  return Object.entries(OPERATIONS).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)).sort();
}
