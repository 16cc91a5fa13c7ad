"use client";

import { PageError } from "@/components/ui/page-error";

export default function FailuresError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <PageError title="Failures" error={error} reset={reset} />;
}
