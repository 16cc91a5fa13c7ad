import { requireActor } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { runRoute } from "@/lib/http/route-result";
import { queryFailures } from "@/lib/profiles/failures";
import { nonEmptyParams } from "@/lib/http/query-params";

export const dynamic = "force-dynamic";

export async function GET(req: Request) {
  return runRoute("GET /api/portal/failures", async () => queryFailures(db, await requireActor(), nonEmptyParams(req)));
}
