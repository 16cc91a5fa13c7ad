import { getSynapseScript } from "@/lib/api/lake-database-handlers";

export const dynamic = "force-dynamic";

export const GET = getSynapseScript;
