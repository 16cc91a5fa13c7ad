import { queryAuditLog } from "@/lib/audit/query";
import { requireActor } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { nonEmptyParams } from "@/lib/http/query-params";
import { runRoute } from "@/lib/http/route-result";

export const dynamic = "force-dynamic";

export async function GET(req: Request) {
  return runRoute("GET /api/portal/audit", async () => queryAuditLog(db, await requireActor(), nonEmptyParams(req)));
}
