import type { DomainEvent } from "../events";
import { parseMoney, parseSignedMoney } from "./money";
import type { ValueSettings } from "./value-settings";

/**
 * Loyalty tiers (003 BR-8): from what the customer spent in the trailing 12 months, against the
 * tenant's tiers (names and minimum spends, validated as rising from 0.00 by ZValueSettings).
 * Reaching a tier's minimum exactly is enough: 1000.00 is Silver with the default tiers.
 */
export type LoyaltyTierRule = ValueSettings["loyaltyTiers"][number];

export const LOYALTY_WINDOW_MONTHS = 12;

/** The tier of a trailing spend (a money string; refunds may make it negative). */
export function loyaltyTierFor(spend: string, tiers: readonly LoyaltyTierRule[]): string {
  const cents = parseSignedMoney(spend, "spend");
  let tier = tiers[0]!.name;
  for (const t of tiers) if (cents >= parseMoney(t.minSpend)) tier = t.name;
  return tier;
}

/** The first instant a transaction counts toward the tier computed at `now`. */
export function loyaltyWindowStart(now: Date): Date {
  const d = new Date(now.getTime());
  d.setUTCMonth(d.getUTCMonth() - LOYALTY_WINDOW_MONTHS);
  return d;
}

/** CustomerLoyaltyTierUpdated (003 §6 phase 3): one per customer whose tier changed. */
export function loyaltyTierEvent(customerId: string, change: { from: string | null; to: string; spend: string; windowStart: Date; asOf: Date; runId: string }): DomainEvent {
  return {
    type: "CustomerLoyaltyTierUpdated",
    aggregateType: "Customer",
    aggregateId: customerId,
    data: { customerId, from: change.from, to: change.to, trailingSpend: change.spend, windowStart: change.windowStart.toISOString(), asOf: change.asOf.toISOString(), runId: change.runId },
  };
}
