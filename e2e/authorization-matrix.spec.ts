// Every page, server action and route handler × anonymous / viewer / contributor / admin × session cookie /
// bearer token, against the production server: each cell must answer what its entry's policy
// says (e2e/support/authorization-matrix.ts). Discovery comes first: a page, action or route on
// disk (or in the build's server-action manifest) without an entry fails the run, and so does an
// entry naming something that no longer exists.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect, request as playwrightRequest, test, type APIRequestContext, type APIResponse } from "@playwright/test";
import { ACTIONS, MODES, PAGES, ROLES, ROUTES, expectedActionOutcome, expectedPageOutcome, expectedStatus, type ActionOutcome, type Ids, type Mode, type Role } from "./support/authorization-matrix";
import { ANONYMOUS, E2E } from "./support/env";
import { createUser, signIn } from "./support/users";
import { demoOrganizationId } from "./portal-helpers";

const ROOT = path.resolve(import.meta.dirname, "..");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

function filesNamed(dir: string, name: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesNamed(p, name) : e.name === name ? [path.relative(ROOT, p)] : [];
  });
}

/** Route methods as the file exports them: `export async function GET`, `export const GET =`, `export { h as GET }`. */
function routeMethods(file: string): string[] {
  const src = fs.readFileSync(path.join(ROOT, file), "utf8");
  const found = new Set<string>();
  for (const m of METHODS) {
    if (new RegExp(`export\\s+(async\\s+)?(function|const)\\s+${m}\\b`).test(src)) found.add(m);
    if (new RegExp(`export\\s*\\{[^}]*\\bas\\s+${m}\\b[^}]*\\}`).test(src)) found.add(m);
  }
  return [...found];
}

function exportedFunctions(file: string): string[] {
  const src = fs.readFileSync(path.join(ROOT, file), "utf8");
  return [...src.matchAll(/export\s+async\s+function\s+(\w+)/g)].map((m) => m[1]);
}

interface ManifestAction { id: string; file: string; name: string; pages: string[] }
function builtActions(): ManifestAction[] {
  const dist = process.env.NEXT_DIST_DIR || ".next";
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, dist, "server", "server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { filename: string; exportedName: string; workers: Record<string, unknown> }>;
  };
  return Object.entries(manifest.node).map(([id, a]) => ({ id, file: a.filename, name: a.exportedName, pages: Object.keys(a.workers) }));
}

test.describe("authorization matrix", () => {
  test("every page, server action and route has an entry, and every entry exists", () => {
    const routes = filesNamed(path.join(ROOT, "app"), "route.ts").flatMap((f) => routeMethods(f).map((m) => `${m} ${f}`));
    const routeEntries = ROUTES.map((e) => `${e.method} ${e.file}`);
    expect(routes.length).toBeGreaterThan(30);
    expect(routes.filter((r) => !routeEntries.includes(r)), "routes without a matrix entry").toEqual([]);
    expect(routeEntries.filter((r) => !routes.includes(r)), "matrix entries for routes that do not exist").toEqual([]);

    const actions = filesNamed(path.join(ROOT, "app"), "actions.ts").flatMap((f) => exportedFunctions(f).map((n) => `${f}#${n}`));
    const built = builtActions().map((a) => `${a.file}#${a.name}`);
    const actionEntries = ACTIONS.map((e) => `${e.file}#${e.name}`);
    expect(actions.length).toBeGreaterThan(10);
    expect([...new Set([...actions, ...built])].filter((a) => !actionEntries.includes(a)), "server actions without a matrix entry").toEqual([]);
    expect(actionEntries.filter((a) => !actions.includes(a)), "matrix entries for actions that do not exist").toEqual([]);

    const pages = filesNamed(path.join(ROOT, "app"), "page.tsx");
    const pageEntries = PAGES.map((e) => e.file);
    expect(pages.filter((p) => !pageEntries.includes(p)), "pages without a matrix entry").toEqual([]);
    expect(pageEntries.filter((p) => !pages.includes(p)), "matrix entries for pages that do not exist").toEqual([]);
  });

  test("each cell answers as its policy says", async ({ browser, request: admin }) => {
    test.setTimeout(180_000);
    const ids: Ids = { organization: demoOrganizationId(), missing: crypto.randomUUID() };
    const baseURL = E2E.baseURL;

    const signedIn = async (role: "viewer" | "contributor") => {
      const user = await createUser(admin, role);
      const context = await browser.newContext({ storageState: ANONYMOUS });
      await signIn(await context.newPage(), user);
      const api = await playwrightRequest.newContext({ baseURL, storageState: await context.storageState() });
      await context.close();
      return api;
    };
    const viewer = await signedIn("viewer");
    const contributor = await signedIn("contributor");
    const host = new URL(baseURL).hostname;
    // Passes the proxy's optimistic cookie check, so the page/action/route's own check is what answers.
    const forged = await playwrightRequest.newContext({
      baseURL,
      storageState: { cookies: [{ name: "next-auth.session-token", value: "forged", domain: host, path: "/", expires: -1, httpOnly: true, secure: false, sameSite: "Lax" }], origins: [] },
    });
    const bare = await playwrightRequest.newContext({ baseURL, storageState: ANONYMOUS });
    const token = (role: "admin" | "contributor" | "viewer") => {
      const out = spawnSync(process.execPath, ["bin/dataverse-export.mjs", "token", "create", "--name", `matrix-${role}-${Date.now()}`, "--role", role], {
        cwd: ROOT, env: { ...process.env, DATA_DIR: E2E.dataDir }, encoding: "utf8",
      });
      expect(out.status, out.stderr).toBe(0);
      return out.stdout.trim();
    };
    const bearer: Record<Role, string> = { anonymous: "dvx_forgedforgedforgedforgedforgedforgedforged0", viewer: token("viewer"), contributor: token("contributor"), admin: token("admin") };
    const cookieContext: Record<Role, APIRequestContext> = { anonymous: forged, viewer, contributor, admin };

    const call = (role: Role, mode: Mode, method: string, url: string, opts: { data?: unknown; headers?: Record<string, string> } = {}): Promise<APIResponse> => {
      const ctx = mode === "cookie" ? cookieContext[role] : bare;
      const headers = { ...(opts.headers ?? {}), ...(mode === "bearer" ? { Authorization: `Bearer ${bearer[role]}` } : {}) };
      return ctx.fetch(url, { method, headers, data: opts.data as never, maxRedirects: 0 });
    };
    const toSignIn = (res: APIResponse) => [302, 303, 307, 308].includes(res.status()) && /\/signin/.test(res.headers()["location"] ?? "");

    const mismatches: string[] = [];
    let cells = 0;
    for (const e of ROUTES) {
      const url = e.path(ids) + (e.policy === "signed" ? `&format=des&expires=${Math.floor(Date.now() / 1000) + 3600}&signature=forged` : "");
      const body = e.body?.(ids);
      for (const role of ROLES) for (const mode of MODES) {
        cells++;
        const res = await call(role, mode, e.method, url, typeof body === "string"
          ? { data: body, headers: { "Content-Type": "application/x-www-form-urlencoded" } }
          : { data: body });
        const want = expectedStatus(e, role, mode);
        if (res.status() !== want) mismatches.push(`${e.method} ${url} as ${role}/${mode}: ${res.status()}, expected ${want} — ${(await res.text()).slice(0, 160)}`);
      }
    }

    const built = new Map(builtActions().map((a) => [`${a.file}#${a.name}`, a]));
    for (const e of ACTIONS) {
      const a = built.get(`${e.file}#${e.name}`)!;
      // POSTed to a page that uses the action, as the browser does.
      const page = a.pages[0].replace(/^app/, "").replace(/\/page$/, "").replace(/\/\([^)]+\)/g, "")
        .replace(/^\/organizations\/\[id\]/, `/organizations/${ids.organization}`).replace(/\[id\]/g, ids.missing) || "/";
      for (const role of ROLES) for (const mode of MODES) {
        cells++;
        const res = await call(role, mode, "POST", page || "/", {
          data: JSON.stringify(e.args(ids)),
          headers: { "Next-Action": a.id, "Content-Type": "text/plain;charset=UTF-8", Accept: "text/x-component", Origin: baseURL },
        });
        const text = await res.text();
        const got: ActionOutcome | string = toSignIn(res) || text.includes("Sign in to continue.") ? "sign-in"
          : text.includes("Only admins") ? "forbidden"
          : res.status() === 200 && /"ok":(true|false)/.test(text) ? "allowed" : `status ${res.status()}: ${text.slice(0, 120)}`;
        const want = expectedActionOutcome(e, role, mode);
        if (got !== want) mismatches.push(`action ${e.name} (${page}) as ${role}/${mode}: ${got}, expected ${want}`);
      }
    }

    for (const e of PAGES) {
      const url = e.path(ids);
      for (const role of ROLES) for (const mode of MODES) {
        cells++;
        const res = await call(role, mode, "GET", url);
        const redirect = [302, 303, 307, 308].includes(res.status()) ? (res.headers()["location"] ?? "") : null;
        const got = toSignIn(res) ? "sign-in" : redirect !== null && !/\/signin/.test(redirect) ? "portal" : res.status();
        const want = expectedPageOutcome(e, role, mode);
        if (got !== want) mismatches.push(`page ${url} as ${role}/${mode}: ${got}, expected ${want}`);
      }
    }
    await Promise.all([viewer.dispose(), contributor.dispose(), forged.dispose(), bare.dispose()]);
    expect(cells).toBe((ROUTES.length + ACTIONS.length + PAGES.length) * ROLES.length * MODES.length);
    expect(mismatches).toEqual([]);
  });
});
