"use client";

import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { Field } from "../ui/field";
import { useActionForm } from "../ui/hooks/use-action-form";
import { useCreateUser } from "./hooks/use-user-mutations";

export function NewUserForm() {
  const create = useCreateUser();
  const { fieldErrors, message, onSubmit } = useActionForm(
    (form) => create.mutateAsync({ email: form.get("email"), name: form.get("name"), password: form.get("password"), role: form.get("role") }),
    (user) => `${user.email} can now sign in as ${user.role}.`,
  );

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Add a user" className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
      <h2 className="text-lg font-semibold">Add a user</h2>
      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
      <div className="grid gap-4 md:grid-cols-2">
        <Field label="Email" name="email" type="email" autoComplete="off" error={fieldErrors.email} />
        <Field label="Name (optional)" name="name" autoComplete="off" error={fieldErrors.name} />
        <Field label="Password" name="password" type="password" autoComplete="new-password" hint="At least 10 characters." error={fieldErrors.password} />
        <div className="space-y-1">
          <label htmlFor="field-role" className="block text-sm font-medium text-slate-700">
            Role
          </label>
          <select id="field-role" name="role" defaultValue="viewer" className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm">
            <option value="viewer">viewer — sees everything, changes nothing</option>
            <option value="contributor">contributor — runs exports over connections shared with contributors</option>
            <option value="admin">admin — may change anything</option>
          </select>
          {fieldErrors.role ? <p className="text-sm text-red-700">{fieldErrors.role}</p> : null}
        </div>
      </div>
      <Button type="submit" disabled={create.isPending}>
        {create.isPending ? "Adding…" : "Add user"}
      </Button>
    </form>
  );
}
