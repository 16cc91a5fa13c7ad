import * as api from "@/lib/api/alert-handlers";

export const dynamic = "force-dynamic";

export const GET = api.overview;
