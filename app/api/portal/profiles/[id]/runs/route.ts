import { requireActor } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { runRoute } from "@/lib/http/route-result";
import { getRefreshRuns } from "@/lib/profiles/refresh";

export const dynamic = "force-dynamic";

export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const url = new URL(req.url);
  const query = Object.fromEntries([...url.searchParams].filter(([k]) => k === "limit" || k === "before"));
  return runRoute("GET /api/portal/profiles/[id]/runs", async () => getRefreshRuns(db, await requireActor(), (await params).id, query));
}
