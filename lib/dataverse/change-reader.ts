// Change-tracking reads: pages stream one at a time; records come out keyed by attribute logical
// name with lookups as { id, entityType }, deletes separately.
import { ChangeTrackingNotEnabledError } from "./errors.ts";
import type { HttpClient } from "./http.ts";
import type { ChangePage, DeletedRecord, FieldValue, SourceRecord, TableInfo } from "./types.ts";

export const MAX_PAGE_SIZE = 5000;
const LOOKUP_ANNOTATION = "@Microsoft.Dynamics.CRM.lookuplogicalname";
export const ANNOTATIONS_PREFER = `odata.include-annotations="Microsoft.Dynamics.CRM.lookuplogicalname"`;

interface Page { value: Record<string, unknown>[]; "@odata.nextLink"?: string; "@odata.deltaLink"?: string }

/** What a property is: an annotation to skip, a plain column, or a lookup. */
type KeyKind = 0 | 1 | { name: string; annotation: string };

/** Maps Web API property names to attribute names; each distinct key is classified once. */
export class RecordMapper {
  private readonly kinds = new Map<string, KeyKind>();

  constructor(private readonly primaryId: string) {}

  private classify(key: string): KeyKind {
    // Annotations ("@odata.etag", "x@...") are not columns; `_x_value` is the lookup x.
    const kind: KeyKind = key.includes("@") ? 0
      : key.charCodeAt(0) === 95 && key.endsWith("_value") ? { name: key.slice(1, -6), annotation: key + LOOKUP_ANNOTATION } : 1;
    this.kinds.set(key, kind);
    return kind;
  }

  toRecord(item: Record<string, unknown>): SourceRecord {
    const values: Record<string, FieldValue> = {};
    const kinds = this.kinds;
    for (const key in item) {
      const kind = kinds.get(key) ?? this.classify(key);
      if (kind === 0) continue;
      const v = item[key];
      if (kind === 1) values[key] = v as FieldValue;
      else values[kind.name] = v == null ? null : { id: v as string, entityType: (item[kind.annotation] as string | undefined) ?? null };
    }
    const etag = item["@odata.etag"];
    const version = typeof etag === "string" && etag.startsWith('W/"') ? etag.slice(3, -1) : String(item.versionnumber ?? "");
    return { id: String(item[this.primaryId]), version, values };
  }
}

export function isDeleted(item: Record<string, unknown>): boolean {
  return item.reason === "deleted" || (typeof item["@odata.context"] === "string" && (item["@odata.context"] as string).endsWith("/$deletedEntity"));
}

export async function* readChanges(
  http: HttpClient,
  table: TableInfo,
  select: string[],
  opts: { from?: string; pageSize?: number; signal?: AbortSignal; prefetch?: boolean },
): AsyncGenerator<ChangePage> {
  const pageSize = Math.max(1, Math.min(opts.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE));
  const prefer = `odata.track-changes,odata.maxpagesize=${pageSize},${ANNOTATIONS_PREFER}`;
  const mapper = new RecordMapper(table.primaryIdAttribute);
  // Aborts the read-ahead request when the consumer stops early.
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  const request = (url: string): Promise<Page> => {
    const p = http.json<Page>(url, { headers: { Prefer: prefer }, signal, table: table.logicalName });
    p.catch(() => {}); // surfaced when awaited; never an unhandled rejection
    return p;
  };
  let pending: Promise<Page> | null = request(opts.from ?? `${table.entitySetName}?$select=${select.join(",")}`);
  try {
    while (pending) {
      const page: Page = await pending;
      const next = page["@odata.nextLink"];
      // One page ahead: the service builds page n+1 while this one is mapped and consumed.
      pending = next ? (opts.prefetch === false ? null : request(next)) : null;
      const upserts: SourceRecord[] = [];
      const deletes: DeletedRecord[] = [];
      for (const item of page.value) {
        if (isDeleted(item)) deletes.push({ id: String(item.id) });
        else upserts.push(mapper.toRecord(item));
      }
      const out: ChangePage = { upserts, deletes };
      if (next) out.nextLink = next;
      else if (page["@odata.deltaLink"]) out.deltaLink = page["@odata.deltaLink"];
      // Without a delta link the service ignored odata.track-changes: there is nothing to resume from.
      else throw new ChangeTrackingNotEnabledError(table.logicalName);
      yield out;
      if (next && !pending) pending = request(next);
    }
  } finally {
    stop.abort();
  }
}
