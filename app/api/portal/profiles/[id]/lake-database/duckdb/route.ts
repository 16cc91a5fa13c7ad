import { requireActor } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { runRoute } from "@/lib/http/route-result";
import { duckdbDownload } from "@/lib/lake-database/downloads";

export const dynamic = "force-dynamic";

export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runRoute("GET /api/portal/profiles/[id]/lake-database/duckdb", async () =>
    duckdbDownload(db, await requireActor(), (await params).id, new URL(req.url).searchParams.get("database") ?? undefined),
  );
}
