// The authorization matrix: who may call what. Every page, server action and route handler of the
// app must have an entry here (e2e/authorization-matrix.spec.ts discovers them on disk and in the
// build's server-action manifest and fails on any without one). The expected answer of each cell
// — caller role × how it authenticates — follows from the entry's policy (see `expectedStatus`).

/** Who calls. "anonymous" carries a forged session cookie so that it passes the optimistic proxy
 * redirect and reaches the page, action or route's own check. */
export type Role = "anonymous" | "viewer" | "contributor" | "admin";
/** How: the portal's session cookie, or `Authorization: Bearer <API token>` without a cookie. */
export type Mode = "cookie" | "bearer";
export const ROLES: Role[] = ["anonymous", "viewer", "contributor", "admin"];
export const MODES: Mode[] = ["cookie", "bearer"];

export type RoutePolicy =
  /** Anyone (health, sign-in machinery, the OpenAPI document). */
  | "public"
  /** Portal JSON for any signed-in user: cookie session only. */
  | "session"
  /** Portal JSON for admins: cookie session only. */
  | "session-admin"
  /** Portal JSON for admins and contributors (contributors: over connections shared with them): cookie session only. */
  | "session-contributor"
  /** REST API, any role: bearer token only. */
  | "api"
  /** REST API, admins: bearer token only. */
  | "api-admin"
  /** REST API, admins and contributors (contributors: over connections shared with them): bearer token only. */
  | "api-contributor"
  /** A signed link is the permission: neither a session nor a token opens it without a signature. */
  | "signed"
  /** Prometheus metrics: only METRICS_TOKEN opens them, never a session or an API token. */
  | "metrics-token";

/** Values the spec fills in before building paths and bodies. */
export interface Ids {
  organization: string;
  /** An id that exists nowhere: mutations are sent with it so an allowed call changes nothing. */
  missing: string;
}

export interface RouteEntry {
  /** The route file, relative to the repository root. */
  file: string;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  policy: RoutePolicy;
  path: (ids: Ids) => string;
  body?: (ids: Ids) => unknown;
  /** The status an allowed caller gets for this request (a missing id: 404, bad input: 400, …). */
  allowed: number;
}

/** "contributor": admins and contributors (whose profile checks come after existence and input). */
export type ActionPolicy = "session" | "contributor" | "admin";
export interface ActionEntry {
  file: string;
  name: string;
  policy: ActionPolicy;
  args: (ids: Ids) => unknown[];
}

/** "sign-in": the sign-in page itself, which sends a signed-in user on to the portal. */
export type PagePolicy = "public" | "session" | "sign-in";
export interface PageEntry {
  file: string;
  policy: PagePolicy;
  path: (ids: Ids) => string;
  /** The status a signed-in user gets (a profile that does not exist: 404). */
  allowed: number;
}

const R = "app/crm/exporter";
const api = (file: string, method: RouteEntry["method"], policy: RoutePolicy, path: RouteEntry["path"], allowed: number, body?: RouteEntry["body"]): RouteEntry =>
  ({ file: `${file}/route.ts`, method, policy, path, allowed, body });
const q = (ids: Ids) => `organizationId=${ids.organization}`;

export const ROUTES: RouteEntry[] = [
  api("app/api/auth/[...nextauth]", "GET", "public", () => "/api/auth/providers", 200),
  // A sign-in attempt without the CSRF token: NextAuth answers it the same way for everyone.
  api("app/api/auth/[...nextauth]", "POST", "public", () => "/api/auth/signout", 302, () => "csrfToken=forged"),
  api("app/api/health", "GET", "public", () => "/api/health", 200),
  api("app/api/metrics", "GET", "metrics-token", () => "/api/metrics", 200),
  api("app/api/portal/workers", "GET", "session", () => "/api/portal/workers", 200),
  api("app/api/portal/failures", "GET", "session", (i) => `/api/portal/failures?profileId=${i.missing}`, 404),
  api("app/api/portal/failures/download", "GET", "session", (i) => `/api/portal/failures/download?profileId=${i.missing}`, 404),
  api("app/api/portal/profiles/[id]/lake-database/duckdb", "GET", "session-contributor", (i) => `/api/portal/profiles/${i.missing}/lake-database/duckdb`, 404),
  api("app/api/portal/profiles/[id]/lake-database/synapse.sql", "GET", "session", (i) => `/api/portal/profiles/${i.missing}/lake-database/synapse.sql`, 404),
  api("app/api/portal/organizations", "GET", "session", () => "/api/portal/organizations", 200),
  api("app/api/portal/organizations/[id]/tables", "GET", "session", (i) => `/api/portal/organizations/${i.missing}/tables`, 404),
  api("app/api/portal/organizations/[id]/relationships", "GET", "session", (i) => `/api/portal/organizations/${i.missing}/relationships?entities=account`, 404),
  api("app/api/portal/profiles", "GET", "session", () => "/api/portal/profiles", 200),
  api("app/api/portal/profiles/[id]", "GET", "session", (i) => `/api/portal/profiles/${i.missing}`, 404),
  api("app/api/portal/profiles/[id]/throughput", "GET", "session", (i) => `/api/portal/profiles/${i.missing}/throughput`, 404),
  api("app/api/portal/profiles/[id]/reconciliation", "GET", "session", (i) => `/api/portal/profiles/${i.missing}/reconciliation`, 404),
  api("app/api/portal/profiles/[id]/runs", "GET", "session", (i) => `/api/portal/profiles/${i.missing}/runs`, 404),
  api("app/api/portal/audit", "GET", "session-admin", () => "/api/portal/audit?limit=1", 200),
  api("app/api/portal/audit/download", "GET", "session-admin", () => "/api/portal/audit/download?action=user.create", 200),
  // Alert rules, channels (no secrets) and history: viewers may read them.
  api("app/api/portal/profiles/[id]/alerts", "GET", "session", (i) => `/api/portal/profiles/${i.missing}/alerts`, 404),
  api("app/api/users", "GET", "session-admin", () => "/api/users", 200),
  api("app/api/users", "POST", "session-admin", () => "/api/users", 400, () => ({ email: "not an email" })),
  api("app/api/users/[id]", "PATCH", "session-admin", (i) => `/api/users/${i.missing}`, 404, () => ({ role: "viewer" })),
  api("app/api/users/[id]", "DELETE", "session-admin", (i) => `/api/users/${i.missing}`, 404),
  api(`${R}/swagger.json`, "GET", "public", () => "/crm/exporter/swagger.json", 200),
  api(`${R}/audit`, "GET", "api-admin", () => "/crm/exporter/audit?limit=1", 200),
  api(`${R}/downloads/failures`, "GET", "signed", (i) => `/crm/exporter/downloads/failures?profileId=${i.missing}`, 200),
  api(`${R}/metadata/organizations`, "GET", "api", () => "/crm/exporter/metadata/organizations", 200),
  api(`${R}/metadata/discover`, "GET", "api", (i) => `/crm/exporter/metadata/discover?${q(i)}`, 200),
  api(`${R}/metadata/connector`, "GET", "api", (i) => `/crm/exporter/metadata/connector?${q(i)}`, 200),
  api(`${R}/metadata/entities`, "GET", "api", (i) => `/crm/exporter/metadata/entities?organizationId=${i.missing}`, 404),
  api(`${R}/metadata/relationships`, "GET", "api", (i) => `/crm/exporter/metadata/relationships?organizationId=${i.missing}&entities=account`, 404),
  api(`${R}/metadata/hasorgacceptedprivacyterms`, "GET", "api", (i) => `/crm/exporter/metadata/hasorgacceptedprivacyterms?${q(i)}`, 200),
  api(`${R}/metadata/acceptprivacyterms`, "POST", "api-admin", (i) => `/crm/exporter/metadata/acceptprivacyterms?organizationId=${i.missing}`, 404),
  api(`${R}/profiles`, "GET", "api", () => "/crm/exporter/profiles", 200),
  api(`${R}/profiles`, "POST", "api-contributor", () => "/crm/exporter/profiles", 400, () => ({})),
  api(`${R}/profiles/validate`, "POST", "api-contributor", () => "/crm/exporter/profiles/validate", 400, () => ({})),
  api(`${R}/profiles/[id]`, "GET", "api", (i) => `/crm/exporter/profiles/${i.missing}`, 404),
  api(`${R}/profiles/[id]`, "PUT", "api-contributor", (i) => `/crm/exporter/profiles/${i.missing}`, 404, () => ({ Name: "x" })),
  api(`${R}/profiles/[id]`, "DELETE", "api-contributor", (i) => `/crm/exporter/profiles/${i.missing}`, 404),
  api(`${R}/profiles/[id]/test`, "GET", "api", (i) => `/crm/exporter/profiles/${i.missing}/test`, 404),
  api(`${R}/profiles/[id]/failures`, "GET", "api", (i) => `/crm/exporter/profiles/${i.missing}/failures`, 404),
  // Lake database downloads: viewers read every profile; a contributor's share check comes after existence.
  api(`${R}/profiles/[id]/lake-database/duckdb`, "GET", "api-contributor", (i) => `/crm/exporter/profiles/${i.missing}/lake-database/duckdb`, 404),
  api(`${R}/profiles/[id]/lake-database/synapse.sql`, "GET", "api", (i) => `/crm/exporter/profiles/${i.missing}/lake-database/synapse.sql`, 404),
  api(`${R}/profiles/[id]/activate`, "POST", "api-contributor", (i) => `/crm/exporter/profiles/${i.missing}/activate`, 404),
  api(`${R}/profiles/[id]/activatemetadata`, "POST", "api-contributor", (i) => `/crm/exporter/profiles/${i.missing}/activatemetadata`, 404),
  api(`${R}/profiles/[id]/activatedata`, "POST", "api-contributor", (i) => `/crm/exporter/profiles/${i.missing}/activatedata`, 404),
  api(`${R}/profiles/[id]/deactivate`, "POST", "api-contributor", (i) => `/crm/exporter/profiles/${i.missing}/deactivate`, 404),
  api(`${R}/profiles/[id]/resyncentity`, "POST", "api-contributor", (i) => `/crm/exporter/profiles/${i.missing}/resyncentity?entity=account`, 404),
  api(`${R}/profiles/[id]/resyncfailedrecords`, "POST", "api-contributor", (i) => `/crm/exporter/profiles/${i.missing}/resyncfailedrecords`, 404),
  api(`${R}/profiles/[id]/alerts`, "GET", "api", (i) => `/crm/exporter/profiles/${i.missing}/alerts`, 404),
  api(`${R}/profiles/[id]/alerts/rules`, "POST", "api-admin", (i) => `/crm/exporter/profiles/${i.missing}/alerts/rules`, 404, () => ({ Kind: "lag", Threshold: 30 })),
  api(`${R}/profiles/[id]/alerts/rules/[ruleId]`, "DELETE", "api-admin", (i) => `/crm/exporter/profiles/${i.missing}/alerts/rules/${i.missing}`, 404),
  api(`${R}/profiles/[id]/alerts/channels`, "POST", "api-admin", (i) => `/crm/exporter/profiles/${i.missing}/alerts/channels`, 404, () => ({ Kind: "webhook", Name: "x", Url: "https://example.invalid/hook" })),
  api(`${R}/profiles/[id]/alerts/channels/[channelId]`, "PUT", "api-admin", (i) => `/crm/exporter/profiles/${i.missing}/alerts/channels/${i.missing}`, 404, () => ({ Kind: "webhook", Name: "x" })),
  api(`${R}/profiles/[id]/alerts/channels/[channelId]`, "DELETE", "api-admin", (i) => `/crm/exporter/profiles/${i.missing}/alerts/channels/${i.missing}`, 404),
  api(`${R}/profiles/[id]/alerts/channels/[channelId]/test`, "POST", "api-admin", (i) => `/crm/exporter/profiles/${i.missing}/alerts/channels/${i.missing}/test`, 404),
  api(`${R}/profiles/[id]/reconcile`, "POST", "api-contributor", (i) => `/crm/exporter/profiles/${i.missing}/reconcile`, 404),
  api(`${R}/connections`, "GET", "api", () => "/crm/exporter/connections", 200),
  api(`${R}/connections`, "POST", "api-admin", () => "/crm/exporter/connections", 400, () => ({})),
  api(`${R}/connections/[id]`, "GET", "api", (i) => `/crm/exporter/connections/${i.missing}`, 404),
  api(`${R}/connections/[id]`, "PUT", "api-admin", (i) => `/crm/exporter/connections/${i.missing}`, 404, () => ({ Name: "x" })),
  api(`${R}/connections/[id]`, "DELETE", "api-admin", (i) => `/crm/exporter/connections/${i.missing}`, 404),
  api(`${R}/profiles/[id]/detach`, "POST", "api-admin", (i) => `/crm/exporter/profiles/${i.missing}/detach`, 404),
  api(`${R}/profiles/[id]/reconciliation`, "GET", "api", (i) => `/crm/exporter/profiles/${i.missing}/reconciliation`, 404),
  api(`${R}/profiles/[id]/run`, "POST", "api-contributor", (i) => `/crm/exporter/profiles/${i.missing}/run`, 404),
  api(`${R}/profiles/[id]/runs`, "GET", "api", (i) => `/crm/exporter/profiles/${i.missing}/runs`, 404),
];

const P = "app/(portal)";
const action = (dir: string, name: string, policy: ActionPolicy, args: ActionEntry["args"]): ActionEntry => ({ file: `${P}/${dir}/actions.ts`, name, policy, args });

export const ACTIONS: ActionEntry[] = [
  action("users", "createUserAction", "admin", () => [{}]),
  action("users", "setUserRoleAction", "admin", (i) => [{ id: i.missing, role: "viewer" }]),
  action("users", "deleteUserAction", "admin", (i) => [i.missing]),
  action("users", "setUserEntraIdentityAction", "admin", (i) => [{ id: i.missing, entraObjectId: "", entraTenantId: "" }]),
  action("tokens", "createTokenAction", "admin", () => [{}]),
  action("tokens", "revokeTokenAction", "admin", (i) => [i.missing]),
  action("connections", "createConnectionAction", "admin", () => [{}]),
  action("connections", "updateConnectionAction", "admin", (i) => [{ id: i.missing, changes: {} }]),
  action("connections", "deleteConnectionAction", "admin", (i) => [i.missing]),
  action("connections", "detachExportAction", "admin", (i) => [i.missing]),
  action("organizations", "addOrganizationAction", "admin", () => [{}]),
  // Read-only (WhoAmI): a viewer may check a connection too.
  action("organizations", "testOrganizationConnectionAction", "session", (i) => [i.missing]),
  action("organizations/[id]/privacy", "acceptPrivacyTermsAction", "admin", (i) => [i.missing]),
  action("organizations/[id]/edit", "updateOrganizationAction", "admin", (i) => [{ id: i.missing, name: "x", tenantId: i.missing, clientId: i.missing, clientSecret: "s" }]),
  action("profiles/new", "validateProfileAction", "contributor", () => [{}]),
  action("profiles/new", "testTargetConnectionAction", "contributor", () => [{}]),
  action("profiles/new", "createProfileAction", "contributor", () => [{}]),
  action("profiles/[id]/edit", "updateProfileAction", "contributor", (i) => [{ id: i.missing, changes: {} }]),
  action("profiles/[id]", "activateProfileAction", "contributor", (i) => [{ id: i.missing, what: "all" }]),
  action("profiles/[id]", "deactivateProfileAction", "contributor", (i) => [{ id: i.missing }]),
  // Any signed-in user may test a profile's target (the read-only check the profile page offers).
  action("profiles/[id]", "testProfileAction", "session", (i) => [{ id: i.missing }]),
  action("profiles/[id]", "resyncTableAction", "contributor", (i) => [{ id: i.missing, logicalName: "account" }]),
  action("profiles/[id]", "resyncFailedRecordsAction", "contributor", (i) => [{ id: i.missing }]),
  action("profiles/[id]", "deleteProfileAction", "contributor", (i) => [{ id: i.missing }]),
  action("profiles/[id]", "reconcileProfileAction", "contributor", (i) => [{ id: i.missing }]),
  action("profiles/[id]", "updateReconcileScheduleAction", "contributor", (i) => [{ id: i.missing, schedule: { enabled: true, timeUtc: "02:00", everyHours: null } }]),
  action("profiles/[id]", "runNowAction", "contributor", (i) => [{ id: i.missing }]),
  action("profiles/[id]/alerts", "createAlertRuleAction", "admin", (i) => [{ id: i.missing, rule: { kind: "lag", threshold: 30 } }]),
  action("profiles/[id]/alerts", "deleteAlertRuleAction", "admin", (i) => [{ id: i.missing, ruleId: i.missing }]),
  action("profiles/[id]/alerts", "createAlertChannelAction", "admin", (i) => [{ id: i.missing, channel: { kind: "webhook", name: "x", url: "https://example.invalid/hook" } }]),
  action("profiles/[id]/alerts", "updateAlertChannelAction", "admin", (i) => [{ id: i.missing, channelId: i.missing, channel: { kind: "webhook", name: "x" } }]),
  action("profiles/[id]/alerts", "deleteAlertChannelAction", "admin", (i) => [{ id: i.missing, channelId: i.missing }]),
  action("profiles/[id]/alerts", "sendTestAlertAction", "admin", (i) => [{ id: i.missing, channelId: i.missing }]),
];

const page = (file: string, policy: PagePolicy, path: PageEntry["path"], allowed = 200): PageEntry => ({ file: `app/${file}/page.tsx`, policy, path, allowed });

export const PAGES: PageEntry[] = [
  page("signin", "sign-in", () => "/signin"),
  page("(portal)", "session", () => "/"),
  page("(portal)/api-docs", "session", () => "/api-docs"),
  // Viewers get the page with "only admins" and no entries (e2e/audit.spec.ts).
  page("(portal)/audit", "session", () => "/audit"),
  page("(portal)/connections", "session", () => "/connections"),
  page("(portal)/connections/[id]", "session", (i) => `/connections/${i.missing}`, 404),
  page("(portal)/failures", "session", () => "/failures"),
  page("(portal)/organizations", "session", () => "/organizations"),
  page("(portal)/organizations/[id]/privacy", "session", (i) => `/organizations/${i.organization}/privacy`),
  page("(portal)/organizations/[id]/edit", "session", (i) => `/organizations/${i.organization}/edit`),
  page("(portal)/profiles", "session", () => "/profiles"),
  page("(portal)/profiles/new", "session", () => "/profiles/new"),
  page("(portal)/profiles/[id]", "session", (i) => `/profiles/${i.missing}`, 404),
  page("(portal)/profiles/[id]/edit", "session", (i) => `/profiles/${i.missing}/edit`, 404),
  page("(portal)/tokens", "session", () => "/tokens"),
  page("(portal)/users", "session", () => "/users"),
  page("(portal)/workers", "session", () => "/workers"),
];

/** The status a route answers a caller, from the route's policy. */
export function expectedStatus(e: RouteEntry, role: Role, mode: Mode): number {
  switch (e.policy) {
    case "public":
      return e.allowed;
    case "signed":
      return 403; // no signature in the request: refused whoever asks
    case "metrics-token":
      // The test server sets no METRICS_TOKEN: metrics are off (403) for every caller; with one
      // set, a caller without it gets 401 (lib/metrics/prometheus.test.ts).
      return process.env.METRICS_TOKEN ? 401 : 403;
    case "session":
    case "session-admin":
    case "session-contributor":
      if (mode === "bearer" || role === "anonymous") return 401;
      if (e.policy === "session-admin" && role !== "admin") return 403;
      if (e.policy === "session-contributor" && role === "viewer") return 403;
      return e.allowed;
    case "api":
    case "api-admin":
    case "api-contributor":
      if (mode === "cookie" || role === "anonymous") return 401;
      if (e.policy === "api-admin" && role !== "admin") return 403;
      if (e.policy === "api-contributor" && role === "viewer") return 403;
      return e.allowed;
  }
}

export type ActionOutcome = "sign-in" | "forbidden" | "allowed";
/** Server actions authenticate by the session cookie only: a bearer token is no session. */
export function expectedActionOutcome(e: ActionEntry, role: Role, mode: Mode): ActionOutcome {
  if (mode === "bearer" || role === "anonymous") return "sign-in";
  if (e.policy === "admin" && role !== "admin") return "forbidden";
  if (e.policy === "contributor" && role === "viewer") return "forbidden";
  return "allowed";
}

/** A page answers with its status, or sends the caller to sign in. */
export function expectedPageOutcome(e: PageEntry, role: Role, mode: Mode): number | "sign-in" | "portal" {
  if (e.policy === "public") return e.allowed;
  if (e.policy === "sign-in") return mode === "cookie" && role !== "anonymous" ? "portal" : e.allowed;
  return mode === "bearer" || role === "anonymous" ? "sign-in" : e.allowed;
}
