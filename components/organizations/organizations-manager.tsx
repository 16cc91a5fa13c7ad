"use client";

import type { OrganizationSummary } from "@/lib/organizations/service";
import { Alert } from "../ui/alert";
import { EmptyState } from "../ui/empty-state";
import { useOrganizations } from "./hooks/use-organizations";
import { NewOrganizationForm } from "./new-organization-form";
import { OrganizationsTable } from "./organizations-table";

export function OrganizationsManager({ initialOrganizations, isAdmin }: { initialOrganizations: OrganizationSummary[]; isAdmin: boolean }) {
  const orgs = useOrganizations(initialOrganizations);
  const list = orgs.data ?? [];
  return (
    <div className="space-y-8">
      {orgs.error ? <Alert tone="error">{orgs.error.message}</Alert> : null}
      {list.length === 0 ? (
        <EmptyState title="No organization yet">
          {isAdmin
            ? "Add your Dataverse environment below, or start the portal with the emulator to get the demo organization."
            : "An admin needs to add a Dataverse environment first."}
        </EmptyState>
      ) : (
        <OrganizationsTable organizations={list} isAdmin={isAdmin} />
      )}
      {isAdmin ? <NewOrganizationForm /> : <p className="text-sm text-slate-600">You have the viewer role: an admin adds environments and accepts privacy terms.</p>}
    </div>
  );
}
