import "server-only";
// Signed, expiring links to a profile's failure log (the old product returned a blob URL valid
// for 24 hours). Anyone holding the link can download until it expires, without an API token.
import crypto from "node:crypto";
import { authSecret } from "../auth/secret";
import { ForbiddenError, ValidationError } from "../errors";

export const DOWNLOAD_PATH = "/crm/exporter/downloads/failures";
export const LINK_LIFETIME_SECONDS = 24 * 60 * 60;
export type DownloadFormat = "des" | "csv";

function key(): Buffer {
  // Derived, so the signing key is not the session secret itself.
  return crypto.createHmac("sha256", authSecret()).update("failure-download-link:v1").digest();
}

function signature(profileId: string, format: DownloadFormat, expires: number): string {
  return crypto.createHmac("sha256", key()).update(`${profileId}\n${format}\n${expires}`).digest("base64url");
}

export function signFailureDownload(profileId: string, format: DownloadFormat = "des", now = Date.now()): { path: string; expiresAt: Date } {
  const expires = Math.floor(now / 1000) + LINK_LIFETIME_SECONDS;
  const q = new URLSearchParams({ profileId, format, expires: String(expires), signature: signature(profileId, format, expires) });
  return { path: `${DOWNLOAD_PATH}?${q}`, expiresAt: new Date(expires * 1000) };
}

/** The profile and format a link grants, or ForbiddenError when it was altered or has expired. */
export function verifyFailureDownload(params: URLSearchParams, now = Date.now()): { profileId: string; format: DownloadFormat } {
  const profileId = params.get("profileId") ?? "";
  const format = params.get("format") ?? "des";
  const expires = Number(params.get("expires"));
  const sig = params.get("signature") ?? "";
  if (!profileId || !sig || !Number.isInteger(expires)) throw new ValidationError("This download link is incomplete: ask the API for a new one (GET profiles/{id}/failures).");
  if (format !== "des" && format !== "csv") throw new ValidationError("Format must be des or csv.", { format: "Format must be des or csv." });
  const expected = Buffer.from(signature(profileId, format, expires));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) {
    throw new ForbiddenError("This download link is not valid (it was changed or signed by another server). Ask the API for a new one.");
  }
  if (expires * 1000 < now) throw new ForbiddenError("This download link has expired (links last 24 hours). Ask the API for a new one: GET profiles/{id}/failures.");
  return { profileId, format };
}

/** The server's public base URL for links: PUBLIC_URL or NEXTAUTH_URL when set, else the request's origin. */
export function publicOrigin(req: Request): string {
  const configured = process.env.PUBLIC_URL || process.env.NEXTAUTH_URL;
  if (configured && URL.canParse(configured)) return new URL(configured).origin;
  return new URL(req.url).origin;
}
