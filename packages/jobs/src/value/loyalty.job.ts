import { cacheKeys } from "@clientele/cache";
import {
  appendAuditQueries,
  appendEventsQueries,
  bulkInsertQueries,
  countCustomersOf,
  createRecalculation,
  findRecalculationById,
  getTenantSettings,
  inTransaction,
  lockLoyaltyChunk,
  setLoyaltyTiers,
  trailingSpend,
  updateRecalculation,
  type Db,
  type ValueRecalculation,
} from "@clientele/db";
import { loyaltyTierEvent, loyaltyTierFor, loyaltyWindowStart, readValueSettings, timeOrderedUuid, VALUE_SETTINGS_KEY } from "@clientele/domain";
import { z } from "zod";
import type { JobDeps } from "../job-deps";

export const ZLoyaltyRunPayload = z.object({ runId: z.uuid(), tenantId: z.string() });
export type LoyaltyRunPayload = z.infer<typeof ZLoyaltyRunPayload>;

export const LOYALTY_KIND = "Loyalty";
const CHUNK = 1000;

/** A run of `tenantId` as of `asOf`: the month's one ("2026-12") when `period` is given, else a new on-demand run. */
export async function createLoyaltyRun(db: Db, tenantId: string, asOf: Date, createdBy: string, period?: string): Promise<ValueRecalculation> {
  const id = timeOrderedUuid(asOf.getTime());
  return createRecalculation(db, { id, tenantId, kind: LOYALTY_KIND, period: period ?? id, status: "Queued", asOf, createdBy, createdAt: asOf });
}

/** The monthly job (003 BR-8): one run per tenant for the month of `now` (a second trigger in the month finds them made). */
export async function createMonthlyLoyaltyRuns(deps: JobDeps): Promise<ValueRecalculation[]> {
  const now = deps.now();
  const period = now.toISOString().slice(0, 7);
  const tenants = await deps.db.selectFrom("tenants").select("id").orderBy("id").execute();
  const runs: ValueRecalculation[] = [];
  for (const t of tenants) runs.push(await createLoyaltyRun(deps.db, t.id, now, "system", period));
  return runs.filter((r) => r.status !== "Completed");
}

/**
 * One tenant's loyalty recalculation: customers in id order, a chunk per transaction. Each chunk
 * sums the chunk's trailing-12-month spend in one grouped query, writes only the changed tiers
 * (one UPDATE), their history, audit rows and CustomerLoyaltyTierUpdated events, and moves the
 * checkpoint, all in the same commit: a crash resumes after the last committed chunk and never
 * repeats an event. The window is the run's own (asOf), so a resumed run judges alike.
 */
export async function runLoyaltyRecalculation(deps: JobDeps, p: LoyaltyRunPayload): Promise<{ processed: number; changed: number }> {
  const run = await findRecalculationById(deps.db, p.runId);
  if (!run || run.tenantId !== p.tenantId || run.status === "Completed") return { processed: run?.processed ?? 0, changed: run?.changed ?? 0 };
  const settings = readValueSettings((await getTenantSettings(deps.db, run.tenantId))[VALUE_SETTINGS_KEY]);
  const total = await countCustomersOf(deps.db, run.tenantId);
  await updateRecalculation(deps.db, run.id, { status: "Running", total, startedAt: run.startedAt ?? deps.now() });
  const windowStart = loyaltyWindowStart(run.asOf);
  let cursor = run.lastCustomerId;
  let processed = run.processed;
  let changedTotal = run.changed;
  for (;;) {
    const step = await inTransaction(deps.db, async (trx) => {
      const chunk = await lockLoyaltyChunk(trx, run.tenantId, cursor, CHUNK);
      if (chunk.length === 0) return null;
      const live = chunk.filter((c) => !c.isDeleted);
      const spend = await trailingSpend(trx, run.tenantId, live.map((c) => c.id), windowStart, run.asOf);
      const changes = live.flatMap((c) => {
        const s = spend.get(c.id) ?? "0.00";
        const tier = loyaltyTierFor(s, settings.loyaltyTiers);
        return tier === c.loyaltyTier ? [] : [{ id: c.id, tier, from: c.loyaltyTier, spend: s, version: c.version }];
      });
      const at = deps.now();
      await setLoyaltyTiers(trx, run.tenantId, changes, at);
      // Rendered multi-row inserts (as import chunks write): a first run changes every customer of the chunk.
      const history = changes.map((c) => ({ tenantId: run.tenantId, customerId: c.id, fromTier: c.from, toTier: c.tier, spend: c.spend, runId: run.id, changedAt: at }));
      const audit = changes.map((c) => ({ tenantId: run.tenantId, entityType: "Customer", entityId: c.id, action: "CustomerLoyaltyTierUpdated", actorId: run.createdBy, occurredAt: at, changes: { loyaltyTier: { from: c.from, to: c.tier } } }));
      // Each event carries the version its customer's update produced.
      const events = changes.map((c) => ({ ...loyaltyTierEvent(c.id, { from: c.from, to: c.tier, spend: c.spend, windowStart, asOf: run.asOf, runId: run.id }), version: c.version + 1 }));
      for (const q of [
        ...bulkInsertQueries("customerLoyaltyHistory", history),
        ...appendAuditQueries(audit),
        ...appendEventsQueries(events, { tenantId: run.tenantId, actor: run.createdBy, version: 1, occurredAt: at }),
      ]) {
        await trx.executeQuery(q);
      }
      const last = chunk[chunk.length - 1]!.id;
      await updateRecalculation(trx, run.id, { lastCustomerId: last, processed: processed + live.length, changed: changedTotal + changes.length });
      return { last, processed: live.length, changed: changes.map((c) => c.id) };
    });
    if (!step) break;
    cursor = step.last;
    processed += step.processed;
    changedTotal += step.changed.length;
    await Promise.all(step.changed.map((id) => deps.cache.del(cacheKeys.customer(run.tenantId, id))));
  }
  await updateRecalculation(deps.db, run.id, { status: "Completed", completedAt: deps.now(), processed });
  return { processed, changed: changedTotal };
}
