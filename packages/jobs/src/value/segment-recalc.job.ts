import { appendAudit, appendEvents, getTenantSettings, inTransaction, insertSegmentHistory, lockRuleSegmentChunk, setCustomerValue } from "@clientele/db";
import { readValueSettings, ruleSegment, segmentChangeEvents, VALUE_SETTINGS_KEY, type CustomerSegment, type CustomerType } from "@clientele/domain";
import { z } from "zod";
import type { JobDeps } from "../job-deps";
import { invalidateCustomerValue } from "./transaction-ingest";

export const ZSegmentRecalculationPayload = z.object({ tenantId: z.string(), requestedAt: z.string(), after: z.string().optional() });
export type SegmentRecalculationPayload = z.infer<typeof ZSegmentRecalculationPayload>;

export type SegmentRecalculationResult = { checked: number; changed: number };

const ACTOR = "system:segment-thresholds";

/**
 * After the tenant's LTV thresholds change: every customer the rule decides is judged again, in
 * chunks of locked rows, each chunk's changes (segment, history, audit, CustomerProfileUpdated and
 * CustomerSegmentChanged) in one transaction. `onChunk` records the last id done (the job's data),
 * so a retry after a crash resumes there; a chunk run twice changes nothing the second time.
 */
export async function runSegmentRecalculation(
  deps: JobDeps,
  p: SegmentRecalculationPayload,
  o: { chunkSize?: number; onChunk?: (after: string) => Promise<unknown> } = {},
): Promise<SegmentRecalculationResult> {
  const size = o.chunkSize ?? 1000;
  const thresholds = readValueSettings((await getTenantSettings(deps.db, p.tenantId))[VALUE_SETTINGS_KEY]).lifetimeValueThresholds;
  const result: SegmentRecalculationResult = { checked: 0, changed: 0 };
  for (let after = p.after ?? ""; ; ) {
    const now = deps.now();
    const chunk = await inTransaction(
      deps.db,
      async (trx) => {
        const rows = await lockRuleSegmentChunk(trx, p.tenantId, after, size);
        const changedIds: string[] = [];
        for (const r of rows) {
          const from = r.segment as CustomerSegment;
          const to = ruleSegment(r.type as CustomerType, r.lifetimeValue, thresholds);
          if (to === from) continue;
          const change = { from, to, reason: "auto" as const };
          await setCustomerValue(trx, p.tenantId, r.id, { lifetimeValue: r.lifetimeValue, segment: to });
          await insertSegmentHistory(trx, { tenantId: p.tenantId, customerId: r.id, fromSegment: from, toSegment: to, reason: "auto", note: "thresholds changed", changedBy: ACTOR, changedAt: now });
          await appendAudit(trx, [{ tenantId: p.tenantId, entityType: "Customer", entityId: r.id, action: "CustomerSegmentChanged", actorId: ACTOR, occurredAt: now, changes: { segment: { from, to } } }]);
          await appendEvents(trx, segmentChangeEvents(r.id, change, ACTOR, now, r.lifetimeValue), { tenantId: p.tenantId, actor: ACTOR, version: r.version + 1, occurredAt: now });
          changedIds.push(r.id);
        }
        return { count: rows.length, last: rows.at(-1)?.id, changedIds };
      },
      { isolation: "read committed" },
    );
    result.checked += chunk.count;
    result.changed += chunk.changedIds.length;
    if (chunk.changedIds.length) await invalidateCustomerValue(deps.cache, p.tenantId, chunk.changedIds);
    if (!chunk.last) break;
    after = chunk.last;
    await o.onChunk?.(after);
    if (chunk.count < size) break;
  }
  deps.log.info({ tenantId: p.tenantId, ...result }, "segment recalculation done");
  return result;
}
