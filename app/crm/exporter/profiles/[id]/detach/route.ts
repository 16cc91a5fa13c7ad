import * as api from "@/lib/api/connection-handlers";

export const dynamic = "force-dynamic";

export const POST = api.detach;
