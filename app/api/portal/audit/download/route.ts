import { auditCsvLines } from "@/lib/audit/query";
import { requireActor } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { fileStamp, lineDownloadResponse } from "@/lib/http/line-download";
import { nonEmptyParams } from "@/lib/http/query-params";
import { errorResponse } from "@/lib/http/route-result";

export const dynamic = "force-dynamic";

export async function GET(req: Request) {
  try {
    const lines = await auditCsvLines(db, await requireActor(), nonEmptyParams(req));
    return lineDownloadResponse(lines, { filename: `audit-${fileStamp()}.csv`, csv: true });
  } catch (err) {
    return errorResponse(err, "GET /api/portal/audit/download");
  }
}
