import { requireActor } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { fileStamp, lineDownloadResponse } from "@/lib/http/line-download";
import { nonEmptyParams } from "@/lib/http/query-params";
import { errorResponse } from "@/lib/http/route-result";
import { failureLines } from "@/lib/profiles/failures";

export const dynamic = "force-dynamic";

// Streams the log, so a million entries never sit in memory.
export async function GET(req: Request) {
  try {
    const actor = await requireActor();
    const params = nonEmptyParams(req);
    const lines = await failureLines(db, actor, params);
    const csv = params.format === "csv";
    const name = `failures-${params.profileId ? params.profileId.slice(0, 8) : "all"}-${fileStamp()}.${csv ? "csv" : "log"}`;
    return lineDownloadResponse(lines, { filename: name, csv });
  } catch (err) {
    return errorResponse(err, "GET /api/portal/failures/download");
  }
}
