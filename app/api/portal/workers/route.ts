import { requireActor } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { runRoute } from "@/lib/http/route-result";
import { listWorkers } from "@/lib/workers/service";

export const dynamic = "force-dynamic";

export async function GET() {
  return runRoute("GET /api/portal/workers", async () => listWorkers(db, await requireActor()));
}
