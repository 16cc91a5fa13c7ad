import { getAudit } from "@/lib/api/audit-handlers";

export const dynamic = "force-dynamic";

export const GET = getAudit;
