import { requireActor } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { runRoute } from "@/lib/http/route-result";
import { getReconciliation } from "@/lib/profiles/reconciliation";

export const dynamic = "force-dynamic";

export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runRoute("GET /api/portal/profiles/[id]/reconciliation", async () => getReconciliation(db, await requireActor(), (await params).id));
}
