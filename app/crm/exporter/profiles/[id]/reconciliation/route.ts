import { getReconciliationRoute } from "@/lib/api/reconcile-handlers";

export const dynamic = "force-dynamic";

export const GET = getReconciliationRoute;
