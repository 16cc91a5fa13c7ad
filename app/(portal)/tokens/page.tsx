import type { Metadata } from "next";
import Link from "next/link";
import { Alert } from "@/components/ui/alert";
import { PageHeader } from "@/components/ui/page-header";
import { listApiTokens } from "@/lib/api/tokens";
import { requirePageSession } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { TokensManager } from "./tokens-manager";

export const metadata: Metadata = { title: "API tokens" };
export const dynamic = "force-dynamic";

export default async function TokensPage() {
  const actor = await requirePageSession();
  if (actor.role !== "admin") {
    return (
      <>
        <PageHeader title="API tokens" />
        <Alert tone="error">Only admins can create or revoke API tokens. Ask an admin for a token if a script needs one.</Alert>
      </>
    );
  }
  const tokens = await listApiTokens(db, actor);
  return (
    <>
      <PageHeader
        title="API tokens"
        description="Scripts call the REST API with Authorization: Bearer <token>. Viewer tokens can only read; admin tokens can also create, change and activate profiles."
      />
      <p className="mb-6 text-sm text-slate-600">
        The operations and their fields are described on the <Link className="text-blue-700 underline" href="/api-docs">API page</Link>. Tokens can also be
        made on the server with <code className="rounded bg-slate-100 px-1">npx dataverse-export token create --name NAME --role admin|contributor|viewer</code>.
      </p>
      <TokensManager tokens={tokens} />
    </>
  );
}
