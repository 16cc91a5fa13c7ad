import type { InputHTMLAttributes } from "react";

interface CheckboxFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "type"> {
  label: string;
  name: string;
  hint?: string;
  error?: string;
}

export function CheckboxField({ label, name, hint, error, id, ...rest }: CheckboxFieldProps) {
  const inputId = id ?? `field-${name}`;
  const describedBy = [error ? `${inputId}-error` : null, hint ? `${inputId}-hint` : null].filter(Boolean).join(" ");
  return (
    <div className="flex items-start gap-2">
      <input
        id={inputId}
        name={name}
        type="checkbox"
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
        className="mt-0.5 h-4 w-4 rounded border-slate-400 focus:ring-2 focus:ring-blue-500"
        {...rest}
      />
      <div>
        <label htmlFor={inputId} className="text-sm font-medium text-slate-700">
          {label}
        </label>
        {hint ? (
          <p id={`${inputId}-hint`} className="text-xs text-slate-600">
            {hint}
          </p>
        ) : null}
        {error ? (
          <p id={`${inputId}-error`} className="text-sm text-red-700">
            {error}
          </p>
        ) : null}
      </div>
    </div>
  );
}
