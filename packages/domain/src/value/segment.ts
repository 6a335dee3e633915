import { FieldErrorCollector } from "../errors";
import { CUSTOMER_SEGMENTS, type CustomerSegment, type CustomerType } from "../customer/customer.types";
import type { DomainEvent } from "../events";
import { parseMoney, parseSignedMoney } from "./money";
import type { ValueSettings } from "./value-settings";

/** Why a segment changed: the rule moved it, an override set it, or clearing one handed it back to the rule. */
export type SegmentChangeReason = "auto" | "override" | "cleared";

export type SegmentOverride = { segment: CustomerSegment; reason: string; by: string; at: Date };

export type SegmentState = { type: CustomerType; lifetimeValue: string; segment: CustomerSegment; override: SegmentOverride | null };

export type SegmentChange = { from: CustomerSegment; to: CustomerSegment; reason: SegmentChangeReason };

/**
 * REQ-CUS-017 tier rule. Corporate names the kind of account (Enterprise), so it holds at any LTV;
 * everybody else climbs by lifetime value, strictly above each threshold (10,000.00 stays Standard).
 */
export function ruleSegment(type: CustomerType, lifetimeValue: string, thresholds: ValueSettings["lifetimeValueThresholds"]): CustomerSegment {
  if (type === "Enterprise") return "Corporate";
  const ltv = parseSignedMoney(lifetimeValue, "lifetimeValue");
  if (ltv > parseMoney(thresholds.vip)) return "VIP";
  if (ltv > parseMoney(thresholds.premium)) return "Premium";
  return "Standard";
}

/** The segment a customer should have now: a manual override wins until it is cleared. */
export const effectiveSegment = (s: SegmentState, thresholds: ValueSettings["lifetimeValueThresholds"]): CustomerSegment =>
  s.override?.segment ?? ruleSegment(s.type, s.lifetimeValue, thresholds);

/** The change a new lifetime value brings (none while an override holds). */
export function segmentAfterValueChange(s: SegmentState, thresholds: ValueSettings["lifetimeValueThresholds"]): SegmentChange | null {
  const to = effectiveSegment(s, thresholds);
  return to === s.segment ? null : { from: s.segment, to, reason: "auto" };
}

export type OverrideInput = { segment: string; reason: string | undefined };

/** Validates a manual override: a known segment and a reason (required, at most 500 characters). */
export function checkSegmentOverride(input: OverrideInput, by: string, at: Date): SegmentOverride {
  const errors = new FieldErrorCollector();
  if (!(CUSTOMER_SEGMENTS as readonly string[]).includes(input.segment)) errors.add("segment", `must be one of ${CUSTOMER_SEGMENTS.join(", ")}`);
  const reason = input.reason?.trim() ?? "";
  if (reason === "") errors.add("reason", "is required");
  else if (reason.length > 500) errors.add("reason", "must be at most 500 characters");
  errors.throwIfAny();
  return { segment: input.segment as CustomerSegment, reason, by, at };
}

/** The change an override makes (its segment may equal the current one: then only the override is recorded). */
export function segmentAfterOverride(s: SegmentState, o: SegmentOverride): SegmentChange | null {
  return o.segment === s.segment ? null : { from: s.segment, to: o.segment, reason: "override" };
}

/** Clearing hands the segment back to the rule. */
export function segmentAfterClear(s: SegmentState, thresholds: ValueSettings["lifetimeValueThresholds"]): SegmentChange | null {
  const to = ruleSegment(s.type, s.lifetimeValue, thresholds);
  return to === s.segment ? null : { from: s.segment, to, reason: "cleared" };
}

/**
 * The events of a segment change (REQ-CUS-017, 003 BR-5): CustomerProfileUpdated carrying the
 * change, as every profile change does, and CustomerSegmentChanged for those who follow only tiers.
 */
export function segmentChangeEvents(customerId: string, change: SegmentChange, by: string, at: Date, lifetimeValue: string): DomainEvent[] {
  const common = { aggregateType: "Customer" as const, aggregateId: customerId };
  return [
    {
      ...common,
      type: "CustomerProfileUpdated",
      data: { changedFields: { segment: change.to }, segmentChange: change, updatedAt: at.toISOString(), updatedBy: by },
    },
    {
      ...common,
      type: "CustomerSegmentChanged",
      data: { customerId, from: change.from, to: change.to, reason: change.reason, lifetimeValue, changedBy: by, changedAt: at.toISOString() },
    },
  ];
}
