import * as api from "@/lib/api/alert-handlers";

export const dynamic = "force-dynamic";

export const PUT = api.updateChannel;
export const DELETE = api.deleteChannel;
