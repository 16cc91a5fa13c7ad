import * as api from "@/lib/api/connection-handlers";

export const dynamic = "force-dynamic";

export const GET = api.getOne;
export const PUT = api.putOne;
export const DELETE = api.deleteOne;
