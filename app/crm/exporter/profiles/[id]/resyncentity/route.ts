import * as api from "@/lib/api/handlers";

export const dynamic = "force-dynamic";

export const POST = api.resyncEntity;
