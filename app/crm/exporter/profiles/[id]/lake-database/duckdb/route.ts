import { getLakeDatabaseFile } from "@/lib/api/lake-database-handlers";

export const dynamic = "force-dynamic";

export const GET = getLakeDatabaseFile;
