import { inTransaction, listRatingHistory, loadRatingFactors, lockCustomerValue } from "@clientele/db";
import { checkRatingOverride, customerNotFound, decideRating, type Actor, type CustomerRating, type RatingDecision, type RatingOverride } from "@clientele/domain";
import { applyRatingOverride, recalculateRating, storedDecision } from "@clientele/jobs";
import type { z } from "zod";
import type { AppDeps } from "../../deps";
import { loadModifiable, loadVisible } from "../customers/customer.use-cases";
import type { ZRatingHistoryItem, ZRatingOutput, ZRatingOverrideInput } from "./rating.schemas";
import { refreshCachedCustomer } from "./value-cache";

const HISTORY_LIMIT = 100;

/** GET /customers/{id}/rating: what the customer shows, what decided it, the override and the history. */
export async function getRating(deps: AppDeps, actor: Actor, customerId: string): Promise<z.infer<typeof ZRatingOutput>> {
  await loadVisible(deps, actor, customerId);
  const row = await deps.db
    .selectFrom("customers")
    .select(["rating", "calculatedRating", "ratingFactors", "ratingOverride", "ratingOverrideReason", "ratingOverrideBy", "ratingOverrideAt", "version"])
    .where("tenantId", "=", actor.tenantId)
    .where("id", "=", customerId)
    .executeTakeFirstOrThrow();
  // Before the first recalculation nothing is stored: the table's answer from today's facts.
  const decision = storedDecision(row) ?? decideRating(await loadRatingFactors(deps.db, actor.tenantId, customerId, deps.now()));
  const history = await listRatingHistory(deps.db, actor.tenantId, customerId, HISTORY_LIMIT);
  return {
    customerId,
    rating: row.rating as CustomerRating,
    calculatedRating: row.calculatedRating as CustomerRating,
    decision,
    override: row.ratingOverride ? { rating: row.ratingOverride as CustomerRating, reason: row.ratingOverrideReason ?? "", by: row.ratingOverrideBy ?? "", at: row.ratingOverrideAt!.toISOString() } : null,
    history: history.map(
      (h): z.infer<typeof ZRatingHistoryItem> => ({
        rating: h.rating as CustomerRating,
        calculatedRating: h.calculatedRating as CustomerRating,
        change: h.change as z.infer<typeof ZRatingHistoryItem>["change"],
        rule: h.rule,
        factors: h.factors as RatingDecision | null,
        reason: h.reason,
        changedBy: h.changedBy,
        changedAt: h.changedAt.toISOString(),
      }),
    ),
    version: row.version,
  };
}

async function withLockedValue(deps: AppDeps, actor: Actor, customerId: string, override: RatingOverride | null, traceId: string) {
  await loadModifiable(deps, actor, customerId);
  const now = deps.now();
  const changed = await inTransaction(deps.db, async (trx) => {
    const row = await lockCustomerValue(trx, actor.tenantId, customerId);
    if (!row || row.isDeleted) throw customerNotFound();
    return applyRatingOverride(trx, row, override, { actor: actor.userId, now, traceId });
  });
  if (changed) await refreshCachedCustomer(deps, actor.tenantId, customerId);
  return getRating(deps, actor, customerId);
}

/** PUT /customers/{id}/rating-override (REQ-CUS-018: managers; a reason is required). */
export async function overrideRating(deps: AppDeps, actor: Actor, input: z.infer<typeof ZRatingOverrideInput>, traceId: string) {
  return withLockedValue(deps, actor, input.customerId, checkRatingOverride(input, actor.userId, deps.now()), traceId);
}

/** DELETE /customers/{id}/rating-override: the calculated rating shows again (a customer without one is unchanged). */
export async function clearRatingOverride(deps: AppDeps, actor: Actor, customerId: string, traceId: string) {
  return withLockedValue(deps, actor, customerId, null, traceId);
}

/** POST /customers/{id}/rating/recalculate: the synchronous recalculation, for a manager who will not wait for the events. */
export async function recalculateCustomerRating(deps: AppDeps, actor: Actor, customerId: string) {
  const now = deps.now();
  await loadModifiable(deps, actor, customerId);
  const result = await inTransaction(deps.db, (trx) => recalculateRating(trx, actor.tenantId, customerId, now, actor.userId));
  if (!result) throw customerNotFound();
  if (result.changed) await refreshCachedCustomer(deps, actor.tenantId, customerId);
  return getRating(deps, actor, customerId);
}
