import { randomUUID } from "node:crypto";
import { findBulkJob, inTransaction, insertBulkJob, listBulkItems, streamCustomerSelectionIds, type BulkJob } from "@clientele/db";
import { DomainError, normalizeCustomerTags, validationError, type Actor } from "@clientele/domain";
import { applyBulkItem, MAX_INLINE_BULK_IDS, type BulkItemResult, type BulkOperation } from "@clientele/jobs";
import type { z } from "zod";
import type { AppDeps } from "../../deps";
import type { TBulkSelection, ZBulkDeleteInput, ZBulkTagInput, ZBulkUpdateInput } from "./customer-bulk.schemas";
import { toSelection } from "./customer-transfer.use-cases";

const jobNotFound = () => new DomainError("BULK-001", "not_found", "Bulk job not found.");

function normalizedTags(field: string, raw: string[] | undefined): string[] {
  if (!raw?.length) return [];
  const result = normalizeCustomerTags(raw);
  if (!result.ok) throw validationError(Object.fromEntries(Object.values(result.errors).map((m) => [field, m])));
  return result.value;
}

export const bulkUpdateOperation = (input: z.infer<typeof ZBulkUpdateInput>): BulkOperation => {
  const { type: _type, ...profile } = input.patch.profile ?? {};
  const patch = { ...(input.patch.profile ? { profile } : {}), ...(input.patch.contactInfo ? { contactInfo: input.patch.contactInfo } : {}), ...(input.patch.preferences ? { preferences: input.patch.preferences } : {}) };
  if (Object.keys(patch).length === 0) throw validationError({ patch: ["must change at least one of profile, contactInfo, preferences"] });
  return { operation: "update", patch };
};

export const bulkDeleteOperation = (input: z.infer<typeof ZBulkDeleteInput>): BulkOperation => {
  if (input.reason.trim().length < 3) throw validationError({ reason: ["must be at least 3 characters"] });
  return { operation: "delete", reason: input.reason.trim() };
};

export const bulkTagOperation = (input: z.infer<typeof ZBulkTagInput>): BulkOperation => {
  const add = normalizedTags("add", input.add);
  const remove = normalizedTags("remove", input.remove);
  if (add.length === 0 && remove.length === 0) throw validationError({ add: ["give tags to add or to remove"] });
  return { operation: "tag", add, remove };
};

const outcome = (job: BulkJob<BulkOperation>) => ({
  operation: job.options.operation,
  status: job.status,
  total: job.total,
  processed: job.processed,
  succeeded: job.succeeded,
  failed: job.failed,
});

const toResult = (r: BulkItemResult) => (r.ok ? { id: r.id, ok: true } : { id: r.id, ok: false, code: r.code, message: r.message });

/**
 * Up to 1,000 ids run in the request, each customer in its own transaction; more ids or a filter
 * become a worker job whose list of customers is frozen now (a filter's matches at this moment).
 */
export async function runBulk(deps: AppDeps, actor: Actor, input: TBulkSelection, op: BulkOperation, traceId: string) {
  if (!input.ids === !input.filter) throw validationError({ ids: ["give either ids or filter"] });
  const ids = input.ids ? [...new Set(input.ids)] : undefined;
  if (ids && ids.length <= MAX_INLINE_BULK_IDS) {
    const results: BulkItemResult[] = [];
    for (const id of ids) results.push(await applyBulkItem(deps, actor, op, id, traceId));
    const succeeded = results.filter((r) => r.ok).length;
    return { jobId: null, operation: op.operation, status: "Completed" as const, total: ids.length, processed: ids.length, succeeded, failed: ids.length - succeeded, results: results.map(toResult) };
  }
  const selection = input.filter ? toSelection(input.filter) : undefined;
  const jobId = randomUUID();
  const source = ids ?? idsOf(streamCustomerSelectionIds(deps.db, actor.tenantId, selection!));
  await inTransaction(deps.db, (trx) => insertBulkJob(trx, { id: jobId, tenantId: actor.tenantId, operation: op.operation, options: op, createdBy: actor.userId, createdAt: deps.now() }, source));
  await deps.jobs.enqueueCustomerBulk({ jobId, tenantId: actor.tenantId });
  const job = (await findBulkJob<BulkOperation>(deps.db, actor.tenantId, jobId))!;
  return { jobId, ...outcome(job), results: [] };
}

async function* idsOf(rows: AsyncIterable<{ id: string }>) {
  for await (const row of rows) yield row.id;
}

export async function getBulkJob(deps: AppDeps, actor: Actor, input: { jobId: string; offset: number; limit: number }) {
  const job = await findBulkJob<BulkOperation>(deps.db, actor.tenantId, input.jobId);
  if (!job) throw jobNotFound();
  const items = await listBulkItems(deps.db, job.id, input.offset, input.limit);
  return {
    jobId: job.id,
    ...outcome(job),
    failureReason: job.failureReason,
    createdAt: job.createdAt.toISOString(),
    completedAt: job.completedAt?.toISOString() ?? null,
    results: items.map((i) =>
      i.outcome === null ? { id: i.customerId, ok: null } : i.outcome === "ok" ? { id: i.customerId, ok: true } : { id: i.customerId, ok: false, code: i.outcome, message: i.message ?? "" },
    ),
  };
}
