import { z } from "zod";
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

const DATE_HINT = "Give a date and time, like 2026-01-31T12:00:00Z.";

/** A date and time given as text (a query parameter, a form field); empty means not given. */
export const ZDateParam = z.preprocess(
  (v) => (typeof v === "string" && v.trim() !== "" ? new Date(v) : v === "" ? undefined : v),
  z.date({ message: DATE_HINT }).refine((d) => !Number.isNaN(d.getTime()), DATE_HINT),
);

/** The opaque cursor of keyset paging over an autoincrement id: the nextCursor of the previous page. */
export const ZIdCursor = z.string().regex(/^\d{1,15}$/, "That page cursor is not valid; start from the first page.");

/** A page of rows read newest first with one extra row: that row only says whether there is a next page. */
export function keysetPage<T>(rows: T[], limit: number, cursorOf: (row: T) => string | number): { rows: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  return { rows: page, nextCursor: rows.length > limit ? String(cursorOf(page[page.length - 1])) : null };
}
