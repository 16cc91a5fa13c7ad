// Change-tracking reads: pages stream one at a time; records come out keyed by attribute logical
// name with lookups as { id, entityType }, deletes separately.
import type { HttpClient } from "./http.ts";
import type { ChangePage, DeletedRecord, FieldValue, SourceRecord, TableInfo } from "./types.ts";

export const MAX_PAGE_SIZE = 5000;
const LOOKUP_ANNOTATION = "@Microsoft.Dynamics.CRM.lookuplogicalname";
export const ANNOTATIONS_PREFER = `odata.include-annotations="Microsoft.Dynamics.CRM.lookuplogicalname"`;

interface Page { value: Record<string, unknown>[]; "@odata.nextLink"?: string; "@odata.deltaLink"?: string }

/** Maps Web API property names to attribute names, caching `_x_value` → `x`. */
export class RecordMapper {
  private readonly lookupNames = new Map<string, string | null>();

  constructor(private readonly primaryId: string) {}

  private lookupName(key: string): string | null {
    let name = this.lookupNames.get(key);
    if (name === undefined) {
      name = key.charCodeAt(0) === 95 && key.endsWith("_value") ? key.slice(1, -6) : null;
      this.lookupNames.set(key, name);
    }
    return name;
  }

  toRecord(item: Record<string, unknown>): SourceRecord {
    const values: Record<string, FieldValue> = {};
    for (const key in item) {
      // Annotations ("@odata.etag", "x@...") are not columns.
      if (key.includes("@")) continue;
      const v = item[key];
      const lookup = this.lookupName(key);
      if (lookup !== null) {
        values[lookup] = v == null ? null : { id: v as string, entityType: (item[key + LOOKUP_ANNOTATION] as string | undefined) ?? null };
      } else {
        values[key] = v as FieldValue;
      }
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
  opts: { from?: string; pageSize?: number; signal?: AbortSignal },
): AsyncGenerator<ChangePage> {
  const pageSize = Math.max(1, Math.min(opts.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE));
  const prefer = `odata.track-changes,odata.maxpagesize=${pageSize},${ANNOTATIONS_PREFER}`;
  let url: string | undefined = opts.from ?? `${table.entitySetName}?$select=${select.join(",")}`;
  const mapper = new RecordMapper(table.primaryIdAttribute);
  while (url) {
    const page: Page = await http.json<Page>(url, { headers: { Prefer: prefer }, signal: opts.signal, table: table.logicalName });
    const upserts: SourceRecord[] = [];
    const deletes: DeletedRecord[] = [];
    for (const item of page.value) {
      if (isDeleted(item)) deletes.push({ id: String(item.id) });
      else upserts.push(mapper.toRecord(item));
    }
    const next: string | undefined = page["@odata.nextLink"];
    const out: ChangePage = { upserts, deletes };
    if (next) out.nextLink = next;
    else if (page["@odata.deltaLink"]) out.deltaLink = page["@odata.deltaLink"];
    url = next;
    yield out;
  }
}
