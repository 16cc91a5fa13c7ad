// Instance annotations exactly as requested with `Prefer: odata.include-annotations="…"` ("*", a
// namespace wildcard such as "Microsoft.Dynamics.CRM.*", or a comma-separated list), as the Web API
// docs describe them: FormattedValue (labels of choices/yes-no/state/status, the primary name of a
// lookup's row, money with its currency symbol, dates in the user's format), lookuplogicalname,
// associatednavigationproperty, and the totalrecordcount pair for $count. Nothing is sent unasked.
import { ORGANIZATION, type AttrDef, type LookupRef, type Value } from "./demo-org.ts";
import type { Prefer } from "./odata.ts";
import type { Store } from "./store.ts";
import { baseIndex } from "./values.ts";

export const FORMATTED = "OData.Community.Display.V1.FormattedValue";
export const LOGICAL_NAME = "Microsoft.Dynamics.CRM.lookuplogicalname";
export const NAVIGATION = "Microsoft.Dynamics.CRM.associatednavigationproperty";
export const TOTAL_COUNT = "Microsoft.Dynamics.CRM.totalrecordcount";
export const LIMIT_EXCEEDED = "Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded";

export interface AnnotationPrefs {
  formatted: boolean;
  logical: boolean;
  nav: boolean;
  totalCount: boolean;
  limitExceeded: boolean;
}

export const NO_ANNOTATIONS: AnnotationPrefs = { formatted: false, logical: false, nav: false, totalCount: false, limitExceeded: false };

/** Which annotations a Prefer value asks for; "-x" exclusions (OData) win over inclusions. */
export function requestedAnnotations(prefer: Prefer): AnnotationPrefs {
  const raw = prefer.includeAnnotations;
  if (raw === null) return NO_ANNOTATIONS;
  const terms = raw.split(",").map((s) => s.trim()).filter(Boolean);
  const match = (term: string, name: string) => term === "*" || term === name || (term.endsWith(".*") && name.startsWith(term.slice(0, -1)));
  const wants = (name: string) =>
    terms.some((t) => !t.startsWith("-") && match(t, name)) && !terms.some((t) => t.startsWith("-") && match(t.slice(1), name));
  return {
    formatted: wants(FORMATTED), logical: wants(LOGICAL_NAME), nav: wants(NAVIGATION),
    totalCount: wants(TOTAL_COUNT), limitExceeded: wants(LIMIT_EXCEEDED),
  };
}

/** `Preference-Applied` values for what the request got, as the service answers them. */
export function preferenceApplied(prefer: Prefer, applied: { maxPageSize?: boolean; trackChanges?: boolean }): string[] {
  const out: string[] = [];
  if (applied.trackChanges && prefer.trackChanges) out.push("odata.track-changes");
  if (applied.maxPageSize && prefer.maxPageSize !== undefined) out.push(`odata.maxpagesize=${prefer.maxPageSize}`);
  if (prefer.includeAnnotations !== null) out.push(`odata.include-annotations="${prefer.includeAnnotations}"`);
  return out;
}

/** The single-valued navigation property behind a lookup (what `$expand` would take). */
export function navigationProperty(a: AttrDef, ref: LookupRef): string {
  // Owner is one navigation property (ownerid); customer and multi-table lookups have one per target.
  if (a.kind === "Owner") return a.name;
  if (a.kind === "Customer" || (a.targets?.length ?? 0) > 1) return `${a.name}_${ref.type}`;
  return a.name;
}

const pad2 = (n: number) => String(n).padStart(2, "0");
const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 2 });
const numbers = new Map<number, Intl.NumberFormat>();
const numberFormat = (digits: number) => {
  let f = numbers.get(digits);
  if (!f) numbers.set(digits, (f = new Intl.NumberFormat("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })));
  return f;
};

/** "4/7/2023 2:59 PM" (the emulated user's settings: en-US, UTC); date-only columns "4/7/2023". */
export function formatDate(iso: string, dateOnly: boolean): string | null {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return null;
  const d = new Date(ms);
  const date = `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}`;
  if (dateOnly) return date;
  const h = d.getUTCHours();
  return `${date} ${h % 12 === 0 ? 12 : h % 12}:${pad2(d.getUTCMinutes())} ${h < 12 ? "AM" : "PM"}`;
}

/** The primary name of the row a lookup points at (the root business unit is named after the organization). */
export function lookupName(store: Store, ref: LookupRef): string | null {
  if (ref.type === "businessunit") return ORGANIZATION.name;
  const t = store.table(ref.type);
  const nameAttr = t?.attributes.find((a) => a.name === t.def.primaryName);
  if (!t || !nameAttr) return null;
  const e = t.overlay.get(ref.id);
  if (e) return (e.values?.[nameAttr.name] as string | null | undefined) ?? null;
  const i = baseIndex(t.prefix, ref.id);
  if (i < 0 || i >= t.baseCount) return null;
  return (store.rowAt(t, i, [nameAttr])?.values[nameAttr.name] as string | null | undefined) ?? null;
}

/** The FormattedValue of a stored value, or null when the service sends none (text, ids, nulls). */
export function formattedValue(store: Store, a: AttrDef, v: Value): string | null {
  if (v === null || v === undefined) return null;
  switch (a.kind) {
    case "Lookup": case "Owner": case "Customer":
      return lookupName(store, v as LookupRef);
    case "Picklist": case "State": case "Status":
      return a.optionSet?.options.find((o) => o.value === v)?.label ?? null;
    case "MultiSelectPicklist":
      return String(v).split(",").map((x) => a.optionSet?.options.find((o) => o.value === Number(x))?.label ?? x).join("; ");
    case "Boolean":
      return v ? "Yes" : "No";
    case "Money":
      return money.format(v as number);
    case "DateTime":
      return formatDate(String(v), a.dateOnly === true);
    case "Integer": case "BigInt":
      return a.name === "versionnumber" ? null : numberFormat(0).format(v as number);
    case "Decimal": case "Double":
      return numberFormat(a.precision ?? 2).format(v as number);
    default:
      return null;
  }
}
