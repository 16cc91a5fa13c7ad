// The OpenAPI document of the REST API; public, like the old product's swagger docs.
import { NextResponse } from "next/server";
import { openApiDocument } from "@/lib/api/openapi";
import { publicOrigin } from "@/lib/api/signed-url";

export const dynamic = "force-dynamic";

export function GET(req: Request) {
  return NextResponse.json(openApiDocument(publicOrigin(req)));
}
