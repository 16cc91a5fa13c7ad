import { postRunNow } from "@/lib/api/refresh-handlers";

export const dynamic = "force-dynamic";

export const POST = postRunNow;
