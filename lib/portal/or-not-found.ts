import { notFound } from "next/navigation";
import { NotFoundError, ValidationError } from "@/lib/errors";

/**
 * A service read behind a page: an unknown or malformed id is the page's 404, anything else stays
 * an error (the portal's error page), so a store outage never looks like a missing object.
 */
export function orNotFound<T>(read: Promise<T>): Promise<T> {
  return read.catch((err: unknown) => {
    if (err instanceof NotFoundError || err instanceof ValidationError) notFound();
    throw err;
  });
}
