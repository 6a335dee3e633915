import { findRecalculation, getTenantSettings, listLoyaltyHistory, trailingSpend, type ValueRecalculation } from "@clientele/db";
import { loyaltyRunNotFound, loyaltyWindowStart, readValueSettings, VALUE_SETTINGS_KEY, type Actor } from "@clientele/domain";
import { createLoyaltyRun } from "@clientele/jobs";
import type { z } from "zod";
import type { AppDeps } from "../../deps";
import { loadVisible } from "../customers/customer.use-cases";
import type { ZLoyaltyRun } from "./loyalty.schemas";

const toRunDto = (r: ValueRecalculation): z.infer<typeof ZLoyaltyRun> => ({
  runId: r.id,
  kind: "Loyalty",
  // A monthly run's period is its month; an on-demand run's is its own id.
  trigger: r.period === r.id ? "OnDemand" : "Monthly",
  status: r.status as z.infer<typeof ZLoyaltyRun>["status"],
  asOf: r.asOf.toISOString(),
  total: r.total,
  processed: r.processed,
  changed: r.changed,
  failureReason: r.failureReason,
  createdBy: r.createdBy,
  createdAt: r.createdAt.toISOString(),
  startedAt: r.startedAt?.toISOString() ?? null,
  completedAt: r.completedAt?.toISOString() ?? null,
});

/** POST /loyalty/recalculate (003 BR-8 on demand, Admins): a run of the worker's, its progress queryable. */
export async function startLoyaltyRecalculation(deps: AppDeps, actor: Actor) {
  const run = await createLoyaltyRun(deps.db, actor.tenantId, deps.now(), actor.userId);
  // Refused by Redis: the worker's sweep queues the Queued run later.
  await deps.jobs.enqueueLoyaltyRecalculation({ runId: run.id, tenantId: actor.tenantId });
  return toRunDto(run);
}

export async function loyaltyRun(deps: AppDeps, actor: Actor, runId: string) {
  const run = await findRecalculation(deps.db, actor.tenantId, runId);
  if (!run) throw loyaltyRunNotFound();
  return toRunDto(run);
}

/** GET /customers/{id}/loyalty: the tier, today's trailing spend against the tenant's tiers, the history. */
export async function customerLoyalty(deps: AppDeps, actor: Actor, customerId: string) {
  const customer = await loadVisible(deps, actor, customerId);
  const now = deps.now();
  const settings = readValueSettings((await getTenantSettings(deps.db, actor.tenantId))[VALUE_SETTINGS_KEY]);
  const [spend, history] = await Promise.all([trailingSpend(deps.db, actor.tenantId, [customerId], loyaltyWindowStart(now), now), listLoyaltyHistory(deps.db, actor.tenantId, customerId, 100)]);
  return {
    customerId,
    tier: customer.loyaltyTier?.tier ?? null,
    since: customer.loyaltyTier?.since?.toISOString() ?? null,
    trailingSpend: spend.get(customerId) ?? "0.00",
    tiers: settings.loyaltyTiers,
    history: history.map((h) => ({ from: h.fromTier, to: h.toTier, spend: String(h.spend), runId: h.runId, changedAt: h.changedAt.toISOString() })),
  };
}
