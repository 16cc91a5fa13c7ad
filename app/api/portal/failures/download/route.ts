import { requireActor } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { errorResponse } from "@/lib/http/route-result";
import { failureLines } from "@/lib/profiles/failures";
import { nonEmptyParams } from "../params";

export const dynamic = "force-dynamic";

// Streams the log, so a million entries never sit in memory; lines are sent in chunks of ~64 kB.
export async function GET(req: Request) {
  try {
    const actor = await requireActor();
    const params = nonEmptyParams(req);
    const lines = (await failureLines(db, actor, params))[Symbol.asyncIterator]();
    const csv = params.format === "csv";
    const eol = csv ? "\r\n" : "\n";
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        let chunk = "";
        while (chunk.length < 65_536) {
          const next = await lines.next();
          if (next.done) {
            if (chunk) controller.enqueue(encoder.encode(chunk));
            controller.close();
            return;
          }
          chunk += next.value + eol;
        }
        controller.enqueue(encoder.encode(chunk));
      },
      async cancel() {
        await lines.return?.();
      },
    });
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
    const name = `failures-${params.profileId ? params.profileId.slice(0, 8) : "all"}-${stamp}.${csv ? "csv" : "log"}`;
    return new Response(stream, {
      headers: {
        "content-type": csv ? "text/csv; charset=utf-8" : "text/plain; charset=utf-8",
        "content-disposition": `attachment; filename="${name}"`,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
    });
  } catch (err) {
    return errorResponse(err, "GET /api/portal/failures/download");
  }
}
