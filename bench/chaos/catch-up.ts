// "The engine has caught up", as a condition on the store rather than a sleep: every enabled
// table of the profile has a delta link whose token is at or past the source's version when
// churn stopped, no initial export is half done, and no re-export / re-sync request is pending.
import type { Db } from "../../lib/db.ts";

export function deltaTokenVersion(link: string | null): number | null {
  if (!link) return null;
  const raw = new URL(link).searchParams.get("$deltatoken");
  const m = raw ? /^(\d+)!/.exec(raw) : null;
  return m ? Number(m[1]) : null;
}

/** Tables not caught up yet, each with why (empty when the engine is current). */
export async function behind(db: Db, profileId: string, sourceVersion: number): Promise<string[]> {
  const p = await db.profile.findUnique({
    where: { id: profileId },
    select: {
      resyncFailedRequested: true,
      tables: { where: { enabled: true }, select: { logicalName: true, deltaLink: true, resumeLink: true, resyncRequested: true, initialSyncState: true } },
    },
  });
  if (!p) return ["profile is gone"];
  const out: string[] = [];
  if (p.resyncFailedRequested) out.push("profile: re-sync of failed records pending");
  for (const t of p.tables) {
    const v = deltaTokenVersion(t.deltaLink);
    if (t.resyncRequested) out.push(`${t.logicalName}: re-export requested`);
    else if (t.resumeLink) out.push(`${t.logicalName}: initial export in progress (${t.initialSyncState})`);
    else if (v === null) out.push(`${t.logicalName}: no delta link (${t.initialSyncState})`);
    else if (v < sourceVersion) out.push(`${t.logicalName}: delta token at v${v}, source at v${sourceVersion}`);
  }
  return out;
}

/** Every table through its initial export (any delta link will do). */
export const awaitInitialExport = (db: Db, profileId: string, timeoutMs: number) => awaitCatchUp(db, profileId, 0, timeoutMs);

export async function awaitCatchUp(
  db: Db,
  profileId: string,
  sourceVersion: number,
  timeoutMs: number,
): Promise<{ ok: true; ms: number } | { ok: false; behind: string[] }> {
  const started = Date.now();
  for (;;) {
    const b = await behind(db, profileId, sourceVersion);
    if (!b.length) return { ok: true, ms: Date.now() - started };
    if (Date.now() - started > timeoutMs) return { ok: false, behind: b };
    await new Promise((r) => setTimeout(r, 250));
  }
}
