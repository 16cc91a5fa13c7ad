import Link from "next/link";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageSession } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { getOverview } from "@/lib/portal/overview";

export default async function DashboardPage() {
  const actor = await requirePageSession();
  const overview = await getOverview(db);
  const cards = [
    { label: "Organizations", value: overview.organizations, href: "/organizations" },
    { label: "Export profiles", value: overview.profiles.total, href: "/profiles" },
    { label: "Active profiles", value: overview.profiles.byState.active ?? 0, href: "/profiles" },
    { label: "Failures (24 h)", value: overview.failuresLast24h, href: "/failures" },
  ];
  return (
    <>
      <PageHeader title="Dashboard" description="Your Dataverse organizations and the profiles that export them." />
      <dl className="grid grid-cols-2 gap-4 md:grid-cols-4">
        {cards.map((card) => (
          // A <dl> may hold only dt/dd groups in <div>s: the link sits in the <dt> and its overlay
          // keeps the whole card clickable.
          <div key={card.label} className="relative rounded-lg border border-slate-200 bg-white p-4 shadow-sm hover:border-blue-400 focus-within:border-blue-400">
            <dt className="text-sm text-slate-600">
              <Link href={card.href} className="after:absolute after:inset-0">{card.label}</Link>
            </dt>
            <dd className="mt-1 text-2xl font-semibold">{card.value}</dd>
          </div>
        ))}
      </dl>
      {overview.organizations === 0 ? (
        <div className="mt-8">
          <EmptyState title="No Dataverse organization yet">
            {actor.role === "admin"
              ? "Add a Dataverse environment on the Organizations page, accept its privacy terms, then create an export profile."
              : "An admin needs to add a Dataverse environment first. You can watch its profiles here once they exist."}
          </EmptyState>
        </div>
      ) : overview.profiles.total === 0 ? (
        <div className="mt-8">
          <EmptyState title="No export profile yet">
            {actor.role === "admin"
              ? "Create an export profile on the Profiles page: pick tables, validate the target, and activate it."
              : "An admin needs to create an export profile first."}
          </EmptyState>
        </div>
      ) : null}
    </>
  );
}
