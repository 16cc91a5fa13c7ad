import type { Metadata } from "next";
import { AuditViewer } from "@/components/audit/audit-viewer";
import { AUDIT_FILTER_KEYS, type AuditFilters } from "@/components/audit/hooks/query-keys";
import { Alert } from "@/components/ui/alert";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageSession } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Audit log" };
export const dynamic = "force-dynamic";

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requirePageSession();
  if (actor.role !== "admin") {
    return (
      <>
        <PageHeader title="Audit log" />
        <Alert tone="error">Only admins can read the audit log. Ask an admin if you need a different role.</Alert>
      </>
    );
  }
  const q = await searchParams;
  const filters: AuditFilters = Object.fromEntries(AUDIT_FILTER_KEYS.map((k) => [k, one(q[k])]));
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Sign-ins and every change made by a person or an API token, newest first, with what changed (secrets are never shown). Entries are never edited; they are removed only when older than the retention."
      />
      <AuditViewer initialFilters={filters} />
    </>
  );
}
