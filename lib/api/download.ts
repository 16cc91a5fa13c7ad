import "server-only";
// The failure-log download behind a signed link: the link itself is the permission.
import type { Actor } from "../auth/actor";
import { db } from "../db";
import { errorResponse } from "../http/route-result";
import { failureLines } from "../profiles/failures";
import { verifyFailureDownload } from "./signed-url";

const LINK_ACTOR: Actor = { id: "signed-link", email: "signed-link", name: "Signed download link", role: "viewer" };

function streamLines(lines: AsyncIterable<string>): ReadableStream<Uint8Array> {
  const it = lines[Symbol.asyncIterator]();
  const enc = new TextEncoder();
  return new ReadableStream({
    async pull(controller) {
      // A few hundred lines per chunk: fewer, larger writes.
      const chunk: string[] = [];
      for (let i = 0; i < 500; i++) {
        const r = await it.next();
        if (r.done) {
          if (chunk.length) controller.enqueue(enc.encode(chunk.join("")));
          controller.close();
          return;
        }
        chunk.push(`${r.value}\n`);
      }
      controller.enqueue(enc.encode(chunk.join("")));
    },
    async cancel() {
      await it.return?.();
    },
  });
}

export async function downloadFailures(req: Request): Promise<Response> {
  try {
    const { profileId, format } = verifyFailureDownload(new URL(req.url).searchParams);
    const lines = await failureLines(db, LINK_ACTOR, { profileId, format });
    const profile = await db.profile.findUnique({ where: { id: profileId }, select: { name: true } });
    const base = (profile?.name ?? "profile").replace(/[^A-Za-z0-9._-]+/g, "_");
    return new Response(streamLines(lines), {
      headers: {
        "Content-Type": format === "csv" ? "text/csv; charset=utf-8" : "text/plain; charset=utf-8",
        "Content-Disposition": `attachment; filename="${base}-failures.${format === "csv" ? "csv" : "log"}"`,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
      },
    });
  } catch (err) {
    return errorResponse(err, "GET downloads/failures");
  }
}
