import { NextResponse } from "next/server";
import { AppError, PayloadTooLargeError, TooManyRequestsError, ValidationError, publicMessage } from "../errors";

/** JSON error body shared by every REST route: { error: { code, message, fields? } }. */
export function errorResponse(err: unknown, context: string): NextResponse {
  const status = err instanceof AppError ? err.status : 500;
  const code = err instanceof AppError ? err.code : "InternalError";
  const fields = err instanceof ValidationError && Object.keys(err.fieldErrors).length ? err.fieldErrors : undefined;
  const headers = err instanceof TooManyRequestsError ? { "Retry-After": String(err.retryAfterSeconds) } : undefined;
  return NextResponse.json({ error: { code, message: publicMessage(err, context), ...(fields ? { fields } : {}) } }, { status, headers });
}

export async function runRoute(context: string, fn: () => Promise<unknown>, okStatus = 200): Promise<NextResponse> {
  try {
    const data = await fn();
    // A service that answers with a stream (a CSV download) hands over its own Response.
    if (data instanceof Response) return data as NextResponse;
    return data === undefined ? new NextResponse(null, { status: 204 }) : NextResponse.json(data, { status: okStatus });
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** Every body the API reads is small (a profile, a user): 1 MB is far above any real one. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The body as text, refused (413) once it passes `limit` bytes — by its Content-Length when it
 * declares one, else while streaming — so a huge or endless body is never buffered whole.
 */
export async function readBodyText(req: Request, limit = MAX_BODY_BYTES): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (declared > limit) throw new PayloadTooLargeError(limit);
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new PayloadTooLargeError(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Reads a JSON body (at most MAX_BODY_BYTES); malformed JSON is the caller's mistake, not a server error. */
export async function readJson(req: Request, limit = MAX_BODY_BYTES): Promise<unknown> {
  const text = await readBodyText(req, limit);
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError("The request body is not valid JSON.");
  }
}
