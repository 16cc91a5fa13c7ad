import { requireActor } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { runRoute } from "@/lib/http/route-result";
import { listProfiles } from "@/lib/profiles/status";

export const dynamic = "force-dynamic";

/** The profiles list polls this: `?organizationId=&state=` filter it. */
export async function GET(req: Request) {
  return runRoute("GET /api/portal/profiles", async () => {
    const actor = await requireActor();
    const q = new URL(req.url).searchParams;
    return listProfiles(db, actor, { organizationId: q.get("organizationId") || undefined, state: q.get("state") || undefined });
  });
}
