import { getAlerts } from "@/lib/alerts/service";
import { requireActor } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { runRoute } from "@/lib/http/route-result";

export const dynamic = "force-dynamic";

// Rules, channels (no secrets) and alert history of a profile: any signed-in user.
export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runRoute("GET /api/portal/profiles/[id]/alerts", async () => getAlerts(db, await requireActor(), (await params).id));
}
