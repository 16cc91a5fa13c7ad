"use client";

import { PageError } from "@/components/ui/page-error";

export default function ProfilesError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <PageError title="Export profiles" error={error} reset={reset} />;
}
