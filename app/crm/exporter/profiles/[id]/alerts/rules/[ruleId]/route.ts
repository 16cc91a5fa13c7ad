import * as api from "@/lib/api/alert-handlers";

export const dynamic = "force-dynamic";

export const DELETE = api.deleteRule;
