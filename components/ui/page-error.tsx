"use client";

import { useEffect } from "react";
import { GENERIC_ERROR_MESSAGE } from "@/lib/errors";
import { Alert } from "./alert";
import { Button } from "./button";

/** What an area's error.tsx shows for an unexpected failure: a generic message and a retry, never the error text. */
export function PageError({ title, error, reset }: { title: string; error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    // The server already logged it under this digest; the browser keeps a pointer for support.
    console.warn(`[${title}] page failed`, error.digest ?? "");
  }, [title, error]);
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
      <Alert tone="error">{GENERIC_ERROR_MESSAGE}</Alert>
      <Button variant="secondary" onClick={reset}>
        Try again
      </Button>
    </div>
  );
}
