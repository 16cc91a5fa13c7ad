// Records by id through the source, many per request when the source can (DataverseClient:
// `$filter` of or-joined ids), one request per id otherwise. Shared by re-sync of failed records
// and reconciliation repair.
import type { ChangeSource, SourceRecord, TableInfo } from "../dataverse/types";

export async function fetchByIds(source: ChangeSource, table: TableInfo, ids: string[], select: string[], signal?: AbortSignal): Promise<SourceRecord[]> {
  if (ids.length === 0) return [];
  if (source.fetchRecords) return source.fetchRecords(table, ids, select, { signal });
  const out: SourceRecord[] = [];
  for (const id of ids) {
    signal?.throwIfAborted();
    const r = await source.fetchRecord(table, id, select);
    if (r) out.push(r);
  }
  return out;
}
