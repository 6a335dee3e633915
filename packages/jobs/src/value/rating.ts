import type { Cache } from "@clientele/cache";
import { cacheKeys } from "@clientele/cache";
import {
  appendAudit,
  appendEvents,
  insertRatingHistory,
  loadRatingFactors,
  lockCustomerValue,
  parseJson,
  updateCustomerRating,
  type CustomerValueRow,
  type Trx,
} from "@clientele/db";
import { decideRating, effectiveRating, ratingChangeEvents, type CustomerRating, type RatingChangeSource, type RatingDecision, type RatingOverride } from "@clientele/domain";
import type { StreamHandler } from "../streams/stream-consumer";
import type { StreamEnvelope } from "../streams/stream-envelope";

type Write = { actor: string; now: Date; traceId?: string | null };

const overrideOf = (row: CustomerValueRow): RatingOverride | null =>
  row.ratingOverride ? { rating: row.ratingOverride as CustomerRating, reason: row.ratingOverrideReason ?? "", by: row.ratingOverrideBy ?? "", at: row.ratingOverrideAt! } : null;

/** The stored decision (ratingFactors) as written by writeRating, or null before the first calculation. */
export const storedDecision = (row: { ratingFactors: unknown }): RatingDecision | null => (row.ratingFactors ? parseJson<RatingDecision>(row.ratingFactors as string) : null);

/**
 * Writes a customer's new calculated decision and/or override, in the caller's transaction on
 * the row it locked. A change of the shown rating (or of the calculated one, or of the override)
 * gets a history row, an audit row and CustomerProfileUpdated; new factors with the same
 * rating only refresh what the customer shows. Returns whether anything was written.
 */
async function writeRating(trx: Trx, row: CustomerValueRow, next: { decision: RatingDecision; override: RatingOverride | null }, source: RatingChangeSource, w: Write): Promise<boolean> {
  const before = { shown: row.rating as CustomerRating, calculated: row.calculatedRating as CustomerRating, override: overrideOf(row) };
  const shown = effectiveRating(next.decision.rating, next.override);
  const overrideChanged = (before.override?.rating ?? null) !== (next.override?.rating ?? null) || (before.override?.reason ?? null) !== (next.override?.reason ?? null);
  const significant = shown !== before.shown || next.decision.rating !== before.calculated || overrideChanged;
  const factors = JSON.stringify(next.decision);
  if (!significant && factors === JSON.stringify(storedDecision(row))) return false;
  await updateCustomerRating(
    trx,
    row.tenantId,
    row.id,
    {
      rating: shown,
      calculatedRating: next.decision.rating,
      ratingFactors: factors,
      ratingOverride: next.override?.rating ?? null,
      ratingOverrideReason: next.override?.reason ?? null,
      ratingOverrideBy: next.override?.by ?? null,
      ratingOverrideAt: next.override?.at ?? null,
    },
    row.version,
    w.now,
    w.actor,
  );
  if (!significant) return true;
  const reason = source === "Calculated" ? null : source === "Override" ? next.override!.reason : before.override!.reason;
  await insertRatingHistory(trx, {
    tenantId: row.tenantId,
    customerId: row.id,
    rating: shown,
    calculatedRating: next.decision.rating,
    change: source,
    rule: next.decision.rule,
    factors,
    reason,
    changedBy: w.actor,
    changedAt: w.now,
  });
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  if (shown !== before.shown) changes.rating = { from: before.shown, to: shown };
  if (next.decision.rating !== before.calculated) changes.calculatedRating = { from: before.calculated, to: next.decision.rating };
  if (overrideChanged) changes.ratingOverride = { from: before.override ? { rating: before.override.rating, reason: before.override.reason } : null, to: next.override ? { rating: next.override.rating, reason: next.override.reason } : null };
  const action = source === "Calculated" ? "CustomerRatingCalculated" : source === "Override" ? "CustomerRatingOverridden" : "CustomerRatingOverrideCleared";
  await appendAudit(trx, [{ tenantId: row.tenantId, entityType: "Customer", entityId: row.id, action, actorId: w.actor, occurredAt: w.now, changes, traceId: w.traceId ?? null }]);
  const events = ratingChangeEvents(row.id, { from: before.shown, to: shown, calculated: next.decision.rating, source, rule: next.decision.rule, reason }, w.actor, w.now);
  await appendEvents(trx, events, { tenantId: row.tenantId, actor: w.actor, version: row.version + 1, occurredAt: w.now });
  return true;
}

/**
 * Recalculates a customer's rating from its payments, attendance, complaints and testimonials
 * (REQ-CUS-018), in the caller's transaction. An override keeps showing; the calculated rating
 * under it still moves. Null for a customer that does not exist in the tenant.
 */
export async function recalculateRating(trx: Trx, tenantId: string, customerId: string, now: Date, actor = "system"): Promise<{ decision: RatingDecision; changed: boolean } | null> {
  const row = await lockCustomerValue(trx, tenantId, customerId);
  if (!row) return null;
  const decision = decideRating(await loadRatingFactors(trx, tenantId, customerId, now));
  const changed = await writeRating(trx, row, { decision, override: overrideOf(row) }, "Calculated", { actor, now });
  return { decision, changed };
}

/**
 * Sets (or with null clears) a manager's override, in the caller's transaction. The calculated
 * decision is refreshed with it, so what the customer shows after clearing is current.
 */
export async function applyRatingOverride(trx: Trx, row: CustomerValueRow, override: RatingOverride | null, w: Write): Promise<boolean> {
  const decision = decideRating(await loadRatingFactors(trx, row.tenantId, row.id, w.now));
  if (override === null && !row.ratingOverride) return writeRating(trx, row, { decision, override: null }, "Calculated", w);
  return writeRating(trx, row, { decision, override }, override ? "Override" : "OverrideCleared", w);
}

/** The events whose facts feed the rating, by the topic our outbox relay publishes them to. */
export const RATING_TRIGGERS = {
  "customer-events": ["TransactionRecorded", "AttendanceRecorded"],
  "complaint-events": ["CustomerComplaintReceived", "CustomerComplaintResolved"],
  "testimonial-events": ["CustomerTestimonialApproved", "CustomerTestimonialRejected"],
} as const;

export const RATING_CONSUMER_GROUP = "customer-rating";

/**
 * Stream handlers (the platform consumer) recalculating the rating on each significant event.
 * The cached customer is retired once the change committed.
 */
export function ratingStreamHandlers(o: { now: () => Date; cache: Cache }): StreamHandler[] {
  /** Each customer the events name, once (a burst of payments is one recalculation), in id order so batches lock alike. */
  const recalculate = async (envelopes: StreamEnvelope[], trx: Trx, afterCommit: (fn: () => Promise<void>) => void) => {
    const customers = new Map<string, { tenantId: string; customerId: string }>();
    for (const e of envelopes) {
      const customerId = e.data.customerId;
      if (typeof customerId === "string") customers.set(`${e.tenantId}\0${customerId}`, { tenantId: e.tenantId, customerId });
    }
    const now = o.now();
    for (const key of [...customers.keys()].sort()) {
      const { tenantId, customerId } = customers.get(key)!;
      const result = await recalculateRating(trx, tenantId, customerId, now);
      if (result?.changed) afterCommit(() => o.cache.del(cacheKeys.customer(tenantId, customerId)));
    }
  };
  return Object.entries(RATING_TRIGGERS).map(([stream, types]) => ({
    stream,
    group: RATING_CONSUMER_GROUP,
    types: [...types],
    handle: (envelope, { trx, afterCommit }) => recalculate([envelope], trx, afterCommit),
    handleBatch: (envelopes, { trx, afterCommit }) => recalculate(envelopes, trx, afterCommit),
  }));
}
