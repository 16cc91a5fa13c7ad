import { requireActor } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { runRoute } from "@/lib/http/route-result";
import { getThroughput } from "@/lib/profiles/status";

export const dynamic = "force-dynamic";

export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runRoute("GET /api/portal/profiles/[id]/throughput", async () => {
    const actor = await requireActor();
    const minutes = new URL(req.url).searchParams.get("minutes") ?? "60";
    return getThroughput(db, actor, (await params).id, minutes);
  });
}
