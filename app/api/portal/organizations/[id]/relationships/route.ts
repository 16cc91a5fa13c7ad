import { requireActor } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { runRoute } from "@/lib/http/route-result";
import { listOrganizationRelationships } from "@/lib/organizations/service";

export const dynamic = "force-dynamic";

/** `?tables=account,lead` keeps the N:N relationships among those tables only. */
export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runRoute("GET /api/portal/organizations/[id]/relationships", async () => {
    const actor = await requireActor();
    const tables = new URL(req.url).searchParams.get("tables");
    const names = tables === null ? undefined : tables.split(",").filter(Boolean);
    return listOrganizationRelationships(db, actor, (await params).id, names);
  });
}
