// What an audit entry keeps of an object's fields: only the fields that changed, and never a
// secret. Secrets are recognised by their field name (a password, a client secret, a connection
// string, a token, a hash, anything stored encrypted) and, in any other text, by their shape (an
// API token, a password in a connection string, credentials in a URL), so a secret passed by
// mistake under an innocent name is still not written.

export const REDACTED = "[redacted]";

const SECRET_NAME = /(password|passwd|pwd|secret|token|connectionstring|hash|enc|key|credentials?)$/i;

const SECRET_TEXT: [RegExp, string][] = [
  // API tokens (lib/api/token-store.ts: "dvx_" + 43 base64url characters).
  [/dvx_[A-Za-z0-9_-]{16,}/g, REDACTED],
  // Connection-string secrets: Password=…; Pwd=…; AccountKey=…; SharedAccessSignature=…
  [/\b(password|pwd|accountkey|sharedaccesssignature|sig|client_?secret)\s*=\s*("[^"]*"|'[^']*'|[^;&\s]*)/gi, `$1=${REDACTED}`],
  // user:password@ in a URL.
  [/(\/\/[^/:@\s]+):[^@\s/]*@/g, `$1:${REDACTED}@`],
];

export type Fields = Record<string, unknown>;

export function isSecretField(name: string): boolean {
  return SECRET_NAME.test(name);
}

function redactText(text: string): string {
  return SECRET_TEXT.reduce((t, [re, by]) => t.replace(re, by), text);
}

/** A copy with every secret replaced; nested objects and arrays are visited too. */
export function redact(value: unknown, name = ""): unknown {
  if (value === null || value === undefined) return null;
  // A flag (hasPassword: true) says nothing secret.
  if (typeof value === "boolean" || typeof value === "number") return value;
  if (name && isSecretField(name)) return REDACTED;
  if (typeof value === "string") return redactText(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => redact(v));
  if (typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, k)]));
  return value;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * The changed fields of an object, before and after, redacted. A create has only `after`, a
 * delete only `before`; an update keeps the fields whose value differs (compared before redaction,
 * so a secret that changed shows as "[redacted]" on both sides and one that did not is left out).
 */
export function changedFields(before?: Fields | null, after?: Fields | null): { before: Fields | null; after: Fields | null } {
  const clean = (f: Fields) => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined));
  if (!before || !after) {
    return { before: before ? (redact(clean(before)) as Fields) : null, after: after ? (redact(clean(after)) as Fields) : null };
  }
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => after[k] !== undefined || before[k] !== undefined);
  const changed = keys.filter((k) => !same(before[k], after[k]));
  if (changed.length === 0) return { before: null, after: null };
  const pick = (f: Fields) => Object.fromEntries(changed.map((k) => [k, f[k] ?? null]));
  return { before: redact(pick(before)) as Fields, after: redact(pick(after)) as Fields };
}
