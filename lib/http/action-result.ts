import { AppError, ValidationError, publicMessage } from "../errors";

export type ActionResult<T = undefined> =
  | { ok: true; data: T }
  | { ok: false; error: string; fieldErrors?: Record<string, string> };

/** Runs a server action body: expected errors become messages, unexpected ones are logged and hidden. */
export async function runAction<T>(context: string, fn: () => Promise<T>): Promise<ActionResult<T>> {
  try {
    return { ok: true, data: await fn() };
  } catch (err) {
    const fieldErrors = err instanceof ValidationError ? err.fieldErrors : undefined;
    const field = err instanceof AppError && "field" in err && typeof err.field === "string" ? { [err.field]: err.message } : undefined;
    return { ok: false, error: publicMessage(err, context), fieldErrors: fieldErrors ?? field };
  }
}
