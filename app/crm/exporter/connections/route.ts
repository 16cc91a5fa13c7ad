import * as api from "@/lib/api/connection-handlers";

export const dynamic = "force-dynamic";

export const GET = api.list;
export const POST = api.create;
