import type { z } from "zod";
import { ValidationError } from "./errors";

/** Parses input with a zod schema, turning issues into one ValidationError with a message per field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fieldErrors: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const key = issue.path.length ? issue.path.join(".") : "_";
    fieldErrors[key] ??= issue.message;
  }
  const first = Object.entries(fieldErrors)[0];
  const message = first[0] === "_" ? first[1] : `${first[0]}: ${first[1]}`;
  throw new ValidationError(message, fieldErrors);
}
