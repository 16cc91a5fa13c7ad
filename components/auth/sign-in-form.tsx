"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { safeCallbackUrl } from "@/lib/auth/callback-url";
import { ZSignIn } from "@/lib/users/schemas";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { Field } from "../ui/field";

const ERROR_MESSAGES: Record<string, string> = {
  CredentialsSignin: "Incorrect email or password.",
  AccessDenied: "This account may not sign in here.",
  OAuthSignin: "Microsoft Entra ID sign-in could not start. Check the Entra ID settings.",
  OAuthCallback: "Microsoft Entra ID sign-in did not complete. Try again.",
  EntraNoIdentity: "Microsoft Entra ID did not say who you are (no object and tenant id). Try again, or ask an admin.",
  EntraTenantNotAllowed: "Accounts of your Microsoft Entra tenant may not sign in here.",
  EntraNotLinked: "Your Microsoft account has no access to this portal yet. Ask an admin to add you.",
  EntraEmailTaken: "A portal account with your email already exists. Ask an admin to link it to your Microsoft account.",
};

export function SignInForm({ callbackUrl, entraEnabled, initialError }: { callbackUrl: string; entraEnabled: boolean; initialError?: string }) {
  const router = useRouter();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState(initialError ? (ERROR_MESSAGES[initialError] ?? "Sign-in failed. Try again.") : "");
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const parsed = ZSignIn.safeParse({ email: form.get("email"), password: form.get("password") });
    setError("");
    if (!parsed.success) {
      const errs: Record<string, string> = {};
      for (const issue of parsed.error.issues) errs[String(issue.path[0])] ??= issue.message;
      setFieldErrors(errs);
      return;
    }
    setFieldErrors({});
    setPending(true);
    try {
      const result = await signIn("credentials", { ...parsed.data, redirect: false });
      if (!result || result.error) {
        setError(result?.error && result.error !== "CredentialsSignin" ? result.error : ERROR_MESSAGES.CredentialsSignin);
        return;
      }
      // Checked again here: the prop is the server's, but the browser is where a redirect lands.
      router.replace(safeCallbackUrl(callbackUrl));
      router.refresh();
    } catch {
      setError("The portal could not be reached. Check your connection and try again.");
    } finally {
      setPending(false);
    }
  }

  return (
    <div className="space-y-4">
      <form onSubmit={onSubmit} noValidate className="space-y-4" aria-label="Sign in">
        {error ? <Alert tone="error">{error}</Alert> : null}
        <Field label="Email" name="email" type="email" autoComplete="username" error={fieldErrors.email} autoFocus />
        <Field label="Password" name="password" type="password" autoComplete="current-password" error={fieldErrors.password} />
        <Button type="submit" className="w-full" disabled={pending}>
          {pending ? "Signing in…" : "Sign in"}
        </Button>
      </form>
      {entraEnabled ? (
        <Button variant="secondary" className="w-full" onClick={() => signIn("azure-ad", { callbackUrl })}>
          Sign in with Microsoft Entra ID
        </Button>
      ) : null}
    </div>
  );
}
