import { randomUUID } from "node:crypto";
import {
  appendAudit,
  appendEvents,
  dismissDuplicatePair,
  findDuplicateCandidates,
  findDuplicateScan,
  inTransaction,
  insertDuplicateScan,
  listDuplicatePairs,
  type DuplicateCandidate,
  type DuplicateScan,
} from "@clientele/db";
import { assertDistinctDuplicatePair, duplicateScanNotFound, matchKeys, orderedPair, type Actor, type Customer } from "@clientele/domain";
import type { z } from "zod";
import type { AppDeps } from "../../deps";
import type { TPossibleDuplicate, ZDuplicateScanOutput, ZListDuplicatePairsInput } from "./customer-duplicate.schemas";
import { loadVisible } from "./customer.use-cases";

/** Creates and updates list at most this many possible duplicates (GET /customers/{id}/duplicates has them all). */
const MAX_WARNINGS = 10;

const toPossible = (c: DuplicateCandidate): TPossibleDuplicate => ({ id: c.customerId, customerNumber: c.customerNumber, name: c.companyName, score: c.score, reasons: c.reasons });

/**
 * The warning a create or update answers with, read after its commit: a failed lookup is logged
 * and answers none, since the write itself succeeded and must not look failed.
 */
export async function possibleDuplicatesOf(deps: AppDeps, actor: Actor, customer: Customer): Promise<TPossibleDuplicate[]> {
  try {
    const found = await findDuplicateCandidates(deps.db, actor.tenantId, customer.id, matchKeys(customer));
    return found.slice(0, MAX_WARNINGS).map(toPossible);
  } catch (error) {
    deps.log.warn({ customerId: customer.id, err: (error as Error).message }, "possible-duplicate lookup failed; answered without it");
    return [];
  }
}

/**
 * After a customer write committed: the worker recomputes its review-queue pairs. Not awaited, so
 * the response never waits on Redis (a queue still connecting holds its adds); a lost enqueue is
 * caught up by the worker's sweep from the mark the write left in its transaction.
 */
export function queueDuplicateRefresh(deps: AppDeps, customer: Customer): void {
  void deps.jobs.enqueueCustomerDuplicates({ tenantId: customer.tenantId, customerId: customer.id, version: customer.version });
}

export async function customerDuplicates(deps: AppDeps, actor: Actor, id: string) {
  const customer = await loadVisible(deps, actor, id);
  const found = await findDuplicateCandidates(deps.db, actor.tenantId, customer.id, matchKeys(customer));
  return { customerId: customer.id, items: found.map(toPossible) };
}

export async function duplicateQueue(deps: AppDeps, actor: Actor, input: z.infer<typeof ZListDuplicatePairsInput>) {
  const { items, totalCount } = await listDuplicatePairs(deps.db, actor.tenantId, input);
  return {
    items: items.map((p) => ({
      customerA: { id: p.a.id, customerNumber: p.a.customerNumber, name: p.a.companyName },
      customerB: { id: p.b.id, customerNumber: p.b.customerNumber, name: p.b.companyName },
      score: p.score,
      reasons: p.reasons,
      detectedAt: p.detectedAt.toISOString(),
    })),
    totalCount,
    page: input.page,
    pageSize: input.pageSize,
    totalPages: Math.ceil(totalCount / input.pageSize),
  };
}

/**
 * "Not a duplicate": remembered for the pair (it never comes back, in lookups, jobs or scans) and
 * taken off the queue, with an audit row on both customers and an event, in one transaction.
 */
export async function dismissDuplicate(deps: AppDeps, actor: Actor, input: { customerIdA: string; customerIdB: string }, traceId: string) {
  assertDistinctDuplicatePair(input.customerIdA, input.customerIdB);
  const [x, y] = await Promise.all([loadVisible(deps, actor, input.customerIdA), loadVisible(deps, actor, input.customerIdB)]);
  const [a, b] = orderedPair(x.id, y.id);
  const at = deps.now();
  const fresh = await inTransaction(deps.db, async (trx) => {
    const inserted = await dismissDuplicatePair(trx, actor.tenantId, a, b, actor.userId, at);
    if (!inserted) return false;
    await appendAudit(
      trx,
      [x, y].map((c) => ({
        tenantId: actor.tenantId,
        entityType: "Customer",
        entityId: c.id,
        action: "CustomerDuplicateDismissed",
        actorId: actor.userId,
        occurredAt: at,
        changes: { notDuplicateOf: { from: null, to: c.id === x.id ? y.id : x.id } },
        traceId,
      })),
    );
    await appendEvents(trx, [{ type: "CustomerDuplicateDismissed", aggregateType: "Customer", aggregateId: a, data: { customerIdA: a, customerIdB: b } }], {
      tenantId: actor.tenantId,
      actor: actor.userId,
      version: (a === x.id ? x : y).version,
      occurredAt: at,
    });
    return true;
  });
  return { customerIdA: a, customerIdB: b, dismissed: true as const, alreadyDismissed: !fresh };
}

function scanStatus(s: DuplicateScan): z.infer<typeof ZDuplicateScanOutput> {
  return {
    scanId: s.id,
    status: s.status,
    totalKeys: s.totalKeys,
    processedKeys: s.processedKeys,
    progress: s.status === "Completed" ? 100 : s.totalKeys ? Math.min(99, Math.floor((s.processedKeys / s.totalKeys) * 100)) : 0,
    pairsFound: s.pairsFound,
    failureReason: s.failureReason,
    createdAt: s.createdAt.toISOString(),
    startedAt: s.startedAt?.toISOString() ?? null,
    completedAt: s.completedAt?.toISOString() ?? null,
  };
}

/** A full scan of the tenant as a worker job; its progress at GET /customers/duplicates/scans/{scanId}. */
export async function startDuplicateScan(deps: AppDeps, actor: Actor) {
  const scan = { id: randomUUID(), tenantId: actor.tenantId, createdBy: actor.userId, createdAt: deps.now() };
  await insertDuplicateScan(deps.db, scan);
  await deps.jobs.enqueueDuplicateScan({ scanId: scan.id, tenantId: actor.tenantId });
  return getDuplicateScan(deps, actor, scan.id);
}

export async function getDuplicateScan(deps: AppDeps, actor: Actor, scanId: string) {
  const scan = await findDuplicateScan(deps.db, actor.tenantId, scanId);
  if (!scan) throw duplicateScanNotFound();
  return scanStatus(scan);
}
