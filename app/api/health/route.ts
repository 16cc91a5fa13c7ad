import { NextResponse, type NextRequest } from "next/server";
import { checkHealth } from "@/lib/health";

export const dynamic = "force-dynamic";

export async function GET(req: NextRequest) {
  const scope = req.nextUrl.searchParams.get("scope") === "store" ? "store" : "all";
  const health = await checkHealth({ scope });
  return NextResponse.json(health, { status: health.status === "ok" ? 200 : 503 });
}
