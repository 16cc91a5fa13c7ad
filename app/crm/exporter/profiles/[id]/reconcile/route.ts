import { postReconcile } from "@/lib/api/reconcile-handlers";

export const dynamic = "force-dynamic";

export const POST = postReconcile;
