import { getRuns } from "@/lib/api/refresh-handlers";

export const dynamic = "force-dynamic";

export const GET = getRuns;
