import { requireActor } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { runRoute } from "@/lib/http/route-result";
import { synapseScriptDownload } from "@/lib/lake-database/downloads";

export const dynamic = "force-dynamic";

export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return runRoute("GET /api/portal/profiles/[id]/lake-database/synapse.sql", async () =>
    synapseScriptDownload(db, await requireActor(), (await params).id, new URL(req.url).searchParams.get("database") ?? undefined),
  );
}
