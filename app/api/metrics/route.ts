import { type NextRequest } from "next/server";
import { db } from "@/lib/db";
import { handleMetrics } from "@/lib/metrics/prometheus";

export const dynamic = "force-dynamic";

// Prometheus scrape endpoint; the bearer token (METRICS_TOKEN) is checked in lib/metrics.
export async function GET(req: NextRequest) {
  const r = await handleMetrics(db, req.headers.get("authorization"));
  return new Response(r.body, { status: r.status, headers: { "Content-Type": r.contentType, "Cache-Control": "no-store", ...r.headers } });
}
