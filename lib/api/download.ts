import "server-only";
// The failure-log download behind a signed link: the link itself is the permission.
import type { Actor } from "../auth/actor";
import { db } from "../db";
import { lineDownloadResponse } from "../http/line-download";
import { errorResponse } from "../http/route-result";
import { failureLines } from "../profiles/failures";
import { verifyFailureDownload } from "./signed-url";

const LINK_ACTOR: Actor = { id: "signed-link", email: "signed-link", name: "Signed download link", role: "viewer" };

export async function downloadFailures(req: Request): Promise<Response> {
  try {
    const { profileId, format } = verifyFailureDownload(new URL(req.url).searchParams);
    const lines = await failureLines(db, LINK_ACTOR, { profileId, format });
    const profile = await db.profile.findUnique({ where: { id: profileId }, select: { name: true } });
    const base = (profile?.name ?? "profile").replace(/[^A-Za-z0-9._-]+/g, "_");
    // LF line ends in both formats, as this link has always answered.
    return lineDownloadResponse(lines, { filename: `${base}-failures.${format === "csv" ? "csv" : "log"}`, csv: format === "csv", eol: "\n" });
  } catch (err) {
    return errorResponse(err, "GET downloads/failures");
  }
}
