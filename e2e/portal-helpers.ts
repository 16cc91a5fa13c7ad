// Helpers of the admin-journey browser tests (issue 5): privacy terms, the emulator's Web API,
// the target database, and replaying a captured server action as another user.
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { expect, type APIRequestContext, type Page, type Request } from "@playwright/test";
import Database from "better-sqlite3";
import { E2E } from "./support/env";
import { openStore } from "./support/store";

export const DEMO = "Contoso (demo)";

export function demoOrganizationId(): string {
  const store = openStore();
  try {
    return (store.prepare(`SELECT id FROM "Organization" WHERE isDemo = 1`).get() as { id: string }).id;
  } finally {
    store.close();
  }
}

export function storeRow<T>(sql: string, ...params: unknown[]): T | undefined {
  const store = openStore();
  try {
    return store.prepare(sql).get(...params) as T | undefined;
  } finally {
    store.close();
  }
}

/** Accepts the demo organization's privacy terms through the page (once per run; later calls see them accepted). */
export async function acceptDemoPrivacy(page: Page): Promise<void> {
  await page.goto(`/organizations/${demoOrganizationId()}/privacy`);
  const accept = page.getByRole("button", { name: "I accept the privacy terms" });
  if (await accept.isVisible()) await accept.click();
  await expect(page.getByTestId("privacy-accepted")).toContainText("Accepted by");
}

/** A SQLite target file under this run's data dir. */
export function targetFile(name: string): string {
  return path.join(E2E.dataDir, `${name}.db`);
}

export function openTarget(file: string, readonly = true): Database.Database {
  const db = new Database(file, { readonly, fileMustExist: true });
  db.pragma("busy_timeout = 5000");
  return db;
}

export function targetCount(file: string, table: string, where = "1=1", ...params: unknown[]): number {
  const db = openTarget(file);
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM "${table}" WHERE ${where}`).get(...params) as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Writes at the source through the emulator's Web API, as a Dataverse user would. */
export const webApi = {
  headers: { Authorization: `Bearer ${E2E.emulatorToken}`, "Content-Type": "application/json", Accept: "application/json" },
  url: (p: string) => `${E2E.emulatorUrl}/api/data/v9.2/${p}`,
  async firstIds(set: string, idAttr: string, n: number): Promise<string[]> {
    const res = await fetch(this.url(`${set}?$select=${idAttr}&$top=${n}`), { headers: this.headers });
    expect(res.ok, await res.clone().text()).toBe(true);
    return ((await res.json()) as { value: Record<string, string>[] }).value.map((r) => r[idAttr]);
  },
  async update(set: string, id: string, body: Record<string, unknown>): Promise<void> {
    const res = await fetch(this.url(`${set}(${id})`), { method: "PATCH", headers: { ...this.headers, "If-Match": "*" }, body: JSON.stringify(body) });
    expect(res.ok, await res.text()).toBe(true);
  },
};

export interface CapturedAction {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * Runs `trigger` on the page and captures the server action POST it makes, without letting it
 * reach the server. Replaying it as another user checks the server's own authorization.
 */
export async function captureServerAction(page: Page, trigger: () => Promise<void>): Promise<CapturedAction> {
  let captured: CapturedAction | null = null;
  const handler = async (route: import("@playwright/test").Route, request: Request) => {
    const headers = await request.allHeaders();
    if (request.method() === "POST" && headers["next-action"] && !captured) {
      captured = { url: request.url(), headers, body: request.postData() ?? "" };
      await route.abort();
      return;
    }
    // The route may be let go (unroute below) while this request waits: nothing left to do then.
    await route.continue().catch((err: Error) => {
      if (!/already handled/.test(err.message)) throw err;
    });
  };
  await page.route("**/*", handler);
  await trigger();
  await expect.poll(() => captured !== null, { message: "the page should call a server action" }).toBe(true);
  await page.unroute("**/*", handler);
  return captured!;
}

export async function replayAction(request: APIRequestContext, action: CapturedAction): Promise<string> {
  const keep = ["next-action", "content-type", "next-router-state-tree", "accept", "origin"];
  const headers = Object.fromEntries(Object.entries(action.headers).filter(([k]) => keep.includes(k)));
  const res = await request.post(action.url, { headers, data: action.body });
  return res.text();
}

/** Serious and critical axe violations on the page as it is now (none expected). */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** Creates a profile of the demo organization through the wizard (privacy terms must be accepted). */
export async function createProfileThroughWizard(page: Page, p: { name: string; tables: string[]; file?: string; activate?: boolean }): Promise<string> {
  await page.goto("/profiles/new");
  await page.getByLabel("Profile name").fill(p.name);
  await page.getByLabel("Organization").selectOption(demoOrganizationId());
  if (p.file) await page.getByLabel("Connection string", { exact: true }).fill(`sqlite:${p.file}`);
  await page.getByRole("button", { name: "Next" }).click();
  for (const t of p.tables) await page.getByTestId(`table-row-${t}`).getByRole("checkbox").check();
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByRole("heading", { name: "Step 3 of 5: Relationships" })).toBeVisible();
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByTestId("validation-summary")).toHaveText("All checks passed. Go on to the summary.", { timeout: 30_000 });
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: p.activate ? "Create and activate" : "Create", exact: true }).click();
  await expect(page).toHaveURL(/\/profiles\/[0-9a-f-]{36}$/);
  return page.url().split("/").pop()!;
}
