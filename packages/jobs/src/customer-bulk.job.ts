import {
  appendEvents,
  findBulkJob,
  finishBulkJob,
  inTransaction,
  listBulkItems,
  lockCustomersByIds,
  markBulkStarted,
  settleBulkItem,
  writeCustomerDecision,
  type BulkJob,
  type Trx,
} from "@clientele/db";
import {
  customerNotFound,
  deactivateCustomer,
  DomainError,
  setCustomerTags,
  updateCustomerRecord,
  type Actor,
  type Customer,
  type CustomerRecordPatch,
  type Decision,
} from "@clientele/domain";
import { cacheKeys } from "@clientele/cache";
import type { JobDeps } from "./job-deps";
import { PermanentJobError, type CustomerBulkPayload } from "./queues";
import { CheckpointMoved } from "./tabular-import.runner";

/** Up to this many ids a bulk operation runs inside the request; more (or a filter) run as a worker job. */
export const MAX_INLINE_BULK_IDS = 1000;

export type BulkOperation =
  | { operation: "update"; patch: CustomerRecordPatch }
  | { operation: "delete"; reason: string }
  /** Tags already normalized; added first, then removed. */
  | { operation: "tag"; add: string[]; remove: string[] };

export type BulkItemResult = { id: string; ok: true } | { id: string; ok: false; code: string; message: string };

const ACTIONS: Record<BulkOperation["operation"], string> = { update: "CustomerUpdated", delete: "CustomerDeactivated", tag: "CustomerTagsChanged" };

function decide(op: BulkOperation, customer: Customer, actor: Actor, now: Date): Decision {
  switch (op.operation) {
    case "update":
      return updateCustomerRecord(customer, op.patch, actor, now);
    case "delete":
      return deactivateCustomer(customer, op.reason, actor, now);
    case "tag": {
      const tags = [...customer.tags, ...op.add].filter((t) => !op.remove.includes(t));
      return setCustomerTags(customer, tags, actor, now);
    }
  }
}

/**
 * One customer of a bulk operation, in its own transaction with its events and audit (the
 * customers' one write path); `settle` (a job's checkpoint) commits with it. A domain refusal is
 * the item's result, not the operation's failure.
 */
export async function applyBulkItem(
  deps: JobDeps,
  actor: Actor,
  op: BulkOperation,
  customerId: string,
  traceId: string | null,
  settle?: (trx: Trx, outcome: string, message: string | null) => Promise<void>,
): Promise<BulkItemResult> {
  try {
    const decision = await inTransaction(deps.db, async (trx) => {
      const [customer] = await lockCustomersByIds(trx, actor.tenantId, [customerId]);
      if (!customer || (customer.isDeleted && op.operation !== "delete")) throw customerNotFound();
      const d = decide(op, customer, actor, deps.now());
      await writeCustomerDecision(trx, actor, d, customer.version, ACTIONS[op.operation], traceId);
      await settle?.(trx, "ok", null);
      return d;
    });
    if (decision.events.length) {
      // The worker can't render the API's DTO: the changed customer is dropped from the cache, read again on demand.
      await Promise.all([
        deps.cache.del(cacheKeys.customer(actor.tenantId, customerId)),
        deps.cache.bumpMany([
          cacheKeys.searchGeneration(actor.tenantId),
          ...(op.operation === "delete" ? [cacheKeys.contactsGeneration(actor.tenantId, customerId), cacheKeys.communicationsGeneration(actor.tenantId, customerId)] : []),
        ]),
      ]);
    }
    return { id: customerId, ok: true };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const fields = Object.entries(error.fieldErrors).map(([f, m]) => `${f}: ${m.join("; ")}`);
    const message = fields.length ? `${error.message} ${fields.join(" ")}` : error.message;
    if (settle) await inTransaction(deps.db, (trx) => settle(trx, error.code, message));
    return { id: customerId, ok: false, code: error.code, message };
  }
}

const PAGE = 500;

/**
 * Runs (or resumes) a bulk job over its frozen list of customers. Each item's change commits
 * with its result and the checkpoint, so a run killed at any point resumes at the first item
 * without a result and never applies one twice; a racing second run loses the compare-and-set.
 */
export async function runCustomerBulk(deps: JobDeps, payload: CustomerBulkPayload): Promise<BulkJob<BulkOperation>> {
  let job = await findBulkJob<BulkOperation>(deps.db, payload.tenantId, payload.jobId);
  if (!job) throw new PermanentJobError(`bulk job ${payload.jobId} not found`);
  if (job.status === "Completed" || job.status === "Failed") return job;
  await markBulkStarted(deps.db, job.id);
  const actor: Actor = { userId: job.createdBy, tenantId: job.tenantId, roles: [] };
  const op = job.options;
  try {
    for (let from = job.processed; from < job.total; from += PAGE) {
      for (const item of await listBulkItems(deps.db, job.id, from, PAGE)) {
        await applyBulkItem(deps, actor, op, item.customerId, null, async (trx, outcome, message) => {
          if (!(await settleBulkItem(trx, job!.id, item.position, outcome, message))) throw new CheckpointMoved();
        });
      }
    }
  } catch (error) {
    if (!(error instanceof CheckpointMoved)) throw error;
    deps.log.warn({ jobId: job.id }, "another run advanced this bulk job; stopping");
    return (await findBulkJob<BulkOperation>(deps.db, job.tenantId, job.id))!;
  }
  await inTransaction(deps.db, async (trx) => {
    const done = (await findBulkJob<BulkOperation>(trx, job!.tenantId, job!.id))!;
    if (done.status === "Completed") return;
    const at = deps.now();
    await finishBulkJob(trx, done.id, "Completed", at);
    await appendEvents(
      trx,
      [
        {
          type: "CustomersBulkProcessed",
          aggregateType: "CustomerList",
          aggregateId: done.id,
          data: { jobId: done.id, operation: done.operation, total: done.total, succeeded: done.succeeded, failed: done.failed, completedAt: at.toISOString(), requestedBy: done.createdBy },
        },
      ],
      { tenantId: done.tenantId, actor: done.createdBy, version: 1, occurredAt: at },
    );
  });
  job = (await findBulkJob<BulkOperation>(deps.db, job.tenantId, job.id))!;
  return job;
}
