"use client";

import { useState } from "react";
import type { OrganizationSummary } from "@/lib/organizations/service";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { formatUtc } from "../ui/time-text";
import { useAcceptPrivacyTerms } from "./hooks/use-organization-mutations";

/** The accept button and the record of who accepted; the terms themselves are on the page. */
export function PrivacyTermsAcceptance({ organization, isAdmin }: { organization: OrganizationSummary; isAdmin: boolean }) {
  const accept = useAcceptPrivacyTerms();
  const [org, setOrg] = useState(organization);
  const [error, setError] = useState("");

  async function onAccept() {
    const result = await accept.mutateAsync(org.id);
    if (result.ok) {
      setOrg(result.data);
      setError("");
    } else setError(result.error);
  }

  if (org.privacyAcceptedAt) {
    return (
      <Alert tone="success">
        <span data-testid="privacy-accepted">
          Accepted by {org.privacyAcceptedBy ?? "unknown"} on {formatUtc(org.privacyAcceptedAt)}.
        </span>{" "}
        Export profiles can now be created for {org.name}.
      </Alert>
    );
  }
  return (
    <div className="space-y-3">
      {error ? <Alert tone="error">{error}</Alert> : null}
      <p className="text-sm font-medium text-slate-800">Not accepted yet: no export profile can be created or activated for {org.name}.</p>
      {isAdmin ? (
        <Button onClick={() => void onAccept()} disabled={accept.isPending}>
          {accept.isPending ? "Accepting…" : "I accept the privacy terms"}
        </Button>
      ) : (
        <p className="text-sm text-slate-600">Only an admin can accept them.</p>
      )}
    </div>
  );
}
