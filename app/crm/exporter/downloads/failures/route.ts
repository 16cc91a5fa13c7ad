// Signed links from GET profiles/{id}/failures: no API token needed, the signature is the permission.
import { downloadFailures } from "@/lib/api/download";

export const dynamic = "force-dynamic";

export const GET = downloadFailures;
