// Re-sync of failed records (an admin request): the FailedRecord markers are paged through in key
// order, each page's records fetched in batches by id and written through the normal write path
// (TablePipeline.resyncRecords), and the progress saved after every page — markers of records
// written or gone are removed with their batch, and the key reached is kept on the profile — so a
// crash resumes where it stopped instead of starting over. Runs beside the delta loop.
import type { Db } from "../db";
import type { Logger, TablePipeline } from "./table-pipeline";

/** Markers per page (their records are fetched 200 ids a request). */
export const RESYNC_PAGE = 500;

export interface ResyncTotals {
  written: number;
  gone: number;
  failed: number;
  skipped: number;
  pages: number;
}

const SEP = "\n";

function cursorWhere(after: string | null) {
  if (!after) return {};
  const [entity, recordId] = after.split(SEP);
  return { OR: [{ entity: { gt: entity } }, { entity, recordId: { gt: recordId } }] };
}

/**
 * Serves a profile's pending re-sync request. `pipelineFor(entity)` gives the pipeline writing
 * that source table (markers of tables not being exported are skipped). Clears the request when
 * every marker was visited; throws on transient errors with the progress saved.
 */
export async function resyncFailedRecords(
  db: Db,
  profileId: string,
  pipelineFor: (entity: string) => TablePipeline | undefined,
  opts: { log: Logger; signal?: AbortSignal; pageSize?: number },
): Promise<ResyncTotals> {
  const totals: ResyncTotals = { written: 0, gone: 0, failed: 0, skipped: 0, pages: 0 };
  const p = await db.profile.findUnique({ where: { id: profileId }, select: { resyncFailedAfter: true } });
  let after = p?.resyncFailedAfter ?? null;
  if (after) opts.log.info(`re-sync of failed records: resuming after ${after.replace(SEP, " ")}`);
  for (;;) {
    opts.signal?.throwIfAborted();
    const page = await db.failedRecord.findMany({
      where: { profileId, ...cursorWhere(after) },
      orderBy: [{ entity: "asc" }, { recordId: "asc" }],
      take: opts.pageSize ?? RESYNC_PAGE,
      select: { entity: true, recordId: true },
    });
    if (page.length === 0) break;
    const byEntity = new Map<string, string[]>();
    for (const m of page) {
      const ids = byEntity.get(m.entity);
      if (ids) ids.push(m.recordId);
      else byEntity.set(m.entity, [m.recordId]);
    }
    for (const [entity, ids] of byEntity) {
      const pipeline = pipelineFor(entity);
      if (!pipeline) {
        totals.skipped += ids.length;
        continue;
      }
      const r = await pipeline.resyncRecords(ids);
      totals.written += r.written.length;
      totals.gone += r.gone.length;
      totals.failed += r.failed.length;
    }
    const last = page[page.length - 1];
    after = `${last.entity}${SEP}${last.recordId}`;
    await db.profile.update({ where: { id: profileId }, data: { resyncFailedAfter: after } });
    totals.pages++;
  }
  await db.profile.update({ where: { id: profileId }, data: { resyncFailedRequested: false, resyncFailedAfter: null } });
  opts.log.info(`re-synced failed records: ${totals.written} written, ${totals.gone} gone, ${totals.failed} still failing${totals.skipped ? `, ${totals.skipped} of tables not exported` : ""}`);
  return totals;
}
