// Request bodies in the API's PascalCase field names, turned into the services' names, and the
// services' validation and conflict errors turned back into the API's names.
import { ConflictError, ValidationError } from "../errors";

type Json = Record<string, unknown>;

/** The API's fields of a JSON object body, under our names (`fields`: ours → the API's). */
export function fromApiFields(body: unknown, fields: Record<string, string>, what: string): Json {
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new ValidationError(`The request body must be a JSON object describing the ${what}.`);
  const b = body as Json;
  const out: Json = {};
  for (const [ours, theirs] of Object.entries(fields)) if (b[theirs] !== undefined) out[ours] = b[theirs];
  return out;
}

/** Runs `fn`, naming the fields of its validation and conflict errors as the API does. */
export async function withApiFieldNames<T>(fields: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const rename = (k: string) => fields[k] ?? k;
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ValidationError) {
      const first = Object.keys(err.fieldErrors)[0];
      const message = first && err.message.startsWith(`${first}:`) ? `${rename(first)}:${err.message.slice(first.length + 1)}` : err.message;
      throw new ValidationError(message, Object.fromEntries(Object.entries(err.fieldErrors).map(([k, v]) => [rename(k), v])));
    }
    if (err instanceof ConflictError && err.field) throw new ConflictError(err.message, rename(err.field));
    throw err;
  }
}
