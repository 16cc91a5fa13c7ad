import "server-only";
// The frame of every REST route: authenticate the bearer token from the Request, run the service,
// answer JSON (errors as { error: { code, message, fields? } }).
import type { NextResponse } from "next/server";
import type { Actor } from "../auth/actor";
import { db } from "../db";
import { NotFoundError } from "../errors";
import { runRoute } from "../http/route-result";
import { apiActor } from "./auth";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function finish(res: NextResponse): NextResponse {
  if (res.status === 401) res.headers.set("WWW-Authenticate", 'Bearer realm="dataverse-export"');
  res.headers.set("Cache-Control", "no-store");
  return res;
}

export async function apiRoute(
  context: string,
  req: Request,
  fn: (actor: Actor, url: URL) => Promise<unknown>,
  okStatus = 200,
): Promise<NextResponse> {
  return finish(await runRoute(context, async () => fn(await apiActor(db, req), new URL(req.url)), okStatus));
}

/** A path id that cannot be one of ours is simply not found (not a malformed request). */
export function profileIdFrom(id: string): string {
  if (!UUID.test(id)) throw new NotFoundError("That profile does not exist.");
  return id;
}

export type IdContext = { params: Promise<{ id: string }> };
