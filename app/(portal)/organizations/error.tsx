"use client";

import { PageError } from "@/components/ui/page-error";

export default function OrganizationsError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <PageError title="Organizations" error={error} reset={reset} />;
}
