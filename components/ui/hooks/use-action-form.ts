"use client";

import { useState, type FormEvent } from "react";
import type { ActionResult } from "@/lib/http/action-result";

export type FormMessage = { tone: "error" | "success"; text: string } | null;

/**
 * The submit cycle of a form backed by a server action: read the fields, run the action, then show
 * its field errors and message, or a success message and an emptied form.
 */
export function useActionForm<T>(
  submit: (form: FormData) => Promise<ActionResult<T>>,
  successText: (data: T) => string,
) {
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<FormMessage>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formEl = event.currentTarget;
    const result = await submit(new FormData(formEl));
    if (result.ok) {
      setFieldErrors({});
      setMessage({ tone: "success", text: successText(result.data) });
      formEl.reset();
    } else {
      setFieldErrors(result.fieldErrors ?? {});
      setMessage({ tone: "error", text: result.error });
    }
  }

  return { fieldErrors, message, onSubmit };
}
