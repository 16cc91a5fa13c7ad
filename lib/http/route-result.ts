import { NextResponse } from "next/server";
import { AppError, ValidationError, publicMessage } from "../errors";

/** JSON error body shared by every REST route: { error: { code, message, fields? } }. */
export function errorResponse(err: unknown, context: string): NextResponse {
  const status = err instanceof AppError ? err.status : 500;
  const code = err instanceof AppError ? err.code : "InternalError";
  const fields = err instanceof ValidationError && Object.keys(err.fieldErrors).length ? err.fieldErrors : undefined;
  return NextResponse.json({ error: { code, message: publicMessage(err, context), ...(fields ? { fields } : {}) } }, { status });
}

export async function runRoute(context: string, fn: () => Promise<unknown>, okStatus = 200): Promise<NextResponse> {
  try {
    const data = await fn();
    return data === undefined ? new NextResponse(null, { status: 204 }) : NextResponse.json(data, { status: okStatus });
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** Reads a JSON body; malformed JSON is the caller's mistake, not a server error. */
export async function readJson(req: Request): Promise<unknown> {
  try {
    return await req.json();
  } catch {
    throw new ValidationError("The request body is not valid JSON.");
  }
}
