import type { CustomerRating } from "../customer/customer.types";
import { FieldErrorCollector } from "../errors";
import type { DomainEvent } from "../events";

/**
 * What REQ-CUS-018's table reads, counted by the caller:
 * - payments: Payment transactions that were Paid or Failed (Pending ones are not history yet);
 *   late: Paid after their due date; failed: Failed.
 * - eventsAttended: attendance rows marked Attended (the customer's totalEvents).
 * - complaints: complaints received in the trailing COMPLAINT_WINDOW_MONTHS, whatever their
 *   status: a resolved complaint still happened, and an old one stops weighing after two years.
 * - testimonials: Approved ones only (a rejected one was never published); positive means 4-5
 *   stars, negative 1-2 stars, 3 stars neither.
 */
export type RatingFactors = {
  paymentsTotal: number;
  latePayments: number;
  failedPayments: number;
  eventsAttended: number;
  complaints: number;
  positiveTestimonials: number;
  negativeTestimonials: number;
};

export const COMPLAINT_WINDOW_MONTHS = 24;
export const POSITIVE_TESTIMONIAL_MIN_STARS = 4;
export const NEGATIVE_TESTIMONIAL_MAX_STARS = 2;

/**
 * The table's payment-history words, made countable (issues = late + failed):
 * None: no payment yet. Perfect: payments, none late or failed. Good: exactly one late, none
 * failed. SomeLate: 2-3 issues with at most one failed, or one failed. Issues: two or more
 * failed, or four or more issues.
 */
export type PaymentHistory = "None" | "Perfect" | "Good" | "SomeLate" | "Issues";

export function paymentHistoryOf(f: Pick<RatingFactors, "paymentsTotal" | "latePayments" | "failedPayments">): PaymentHistory {
  if (f.paymentsTotal === 0) return "None";
  const issues = f.latePayments + f.failedPayments;
  if (issues === 0) return "Perfect";
  if (f.failedPayments === 0 && f.latePayments === 1) return "Good";
  if (f.failedPayments <= 1 && issues <= 3) return "SomeLate";
  return "Issues";
}

/** Which row decided, in the order they are tried (first match wins). */
export type RatingRule = "poor-payment-issues" | "poor-complaints" | "unrated-insufficient-data" | "excellent" | "good" | "fair";

export type RatingDecision = {
  rating: CustomerRating;
  rule: RatingRule;
  /** The criteria of the deciding row, in words, for the response and the admin screen. */
  reasons: string[];
  paymentHistory: PaymentHistory;
  factors: RatingFactors;
};

export const EXCELLENT_MIN_EVENTS = 5;
export const GOOD_MIN_EVENTS = 3;
/** Good allows fewer than this many complaints; Excellent none. */
export const GOOD_MAX_COMPLAINTS_EXCLUSIVE = 2;
/** More than this many complaints is Poor. */
export const POOR_MIN_COMPLAINTS_EXCLUSIVE = 5;

/**
 * REQ-CUS-018's table as a total function. The spec's rows overlap (perfect payments with 5+
 * events also meet Good) and leave gaps (perfect payments with no events meet no row), so the
 * rows are tried in this order and the first that holds decides:
 * 1. Poor: payment Issues, or more than 5 complaints. The worst signals win over any number of
 *    events; "no events" alone is not Poor (a paying customer who never came to an event is not
 *    a poor customer), it only keeps a customer out of Good and Excellent.
 * 2. Unrated: no payment history and no attendance: too little to judge (a new customer), even
 *    with a complaint or a testimonial.
 * 3. Excellent: Perfect payments, 5+ events, no complaint, at least one positive and no negative
 *    testimonial.
 * 4. Good: payments Perfect, Good or None (none late or failed beyond one late one), 3+ events,
 *    fewer than 2 complaints.
 * 5. Fair: everything else with data: some late payments, 1-2 events, 2-5 complaints, and the
 *    table's gaps.
 */
export function decideRating(f: RatingFactors): RatingDecision {
  checkFactors(f);
  const paymentHistory = paymentHistoryOf(f);
  const decide = (rating: CustomerRating, rule: RatingRule, reasons: string[]): RatingDecision => ({ rating, rule, reasons, paymentHistory, factors: { ...f } });
  if (paymentHistory === "Issues") return decide("Poor", "poor-payment-issues", [`payment issues: ${f.latePayments} late and ${f.failedPayments} failed of ${f.paymentsTotal} payments`]);
  if (f.complaints > POOR_MIN_COMPLAINTS_EXCLUSIVE) return decide("Poor", "poor-complaints", [`${f.complaints} complaints (more than ${POOR_MIN_COMPLAINTS_EXCLUSIVE})`]);
  if (f.paymentsTotal === 0 && f.eventsAttended === 0) return decide("Unrated", "unrated-insufficient-data", ["no payment history and no event attended yet"]);
  if (
    paymentHistory === "Perfect" &&
    f.eventsAttended >= EXCELLENT_MIN_EVENTS &&
    f.complaints === 0 &&
    f.positiveTestimonials > 0 &&
    f.negativeTestimonials === 0
  ) {
    return decide("Excellent", "excellent", [
      `perfect payment history (${f.paymentsTotal} payments)`,
      `${f.eventsAttended} events attended (${EXCELLENT_MIN_EVENTS}+)`,
      "no complaints",
      `${f.positiveTestimonials} positive testimonials, none negative`,
    ]);
  }
  if ((paymentHistory === "Perfect" || paymentHistory === "Good" || paymentHistory === "None") && f.eventsAttended >= GOOD_MIN_EVENTS && f.complaints < GOOD_MAX_COMPLAINTS_EXCLUSIVE) {
    return decide("Good", "good", [
      paymentHistory === "None" ? "no payment issues (no payments yet)" : `good payment history (${f.latePayments} late, ${f.failedPayments} failed)`,
      `${f.eventsAttended} events attended (${GOOD_MIN_EVENTS}+)`,
      `${f.complaints} complaints (fewer than ${GOOD_MAX_COMPLAINTS_EXCLUSIVE})`,
    ]);
  }
  const reasons: string[] = [];
  if (paymentHistory === "SomeLate") reasons.push(`some payment issues (${f.latePayments} late, ${f.failedPayments} failed)`);
  if (f.eventsAttended < GOOD_MIN_EVENTS) reasons.push(`${f.eventsAttended} events attended (fewer than ${GOOD_MIN_EVENTS})`);
  if (f.complaints >= GOOD_MAX_COMPLAINTS_EXCLUSIVE) reasons.push(`${f.complaints} complaints (${GOOD_MAX_COMPLAINTS_EXCLUSIVE}-${POOR_MIN_COMPLAINTS_EXCLUSIVE})`);
  return decide("Fair", "fair", reasons);
}

function checkFactors(f: RatingFactors): void {
  const errors = new FieldErrorCollector();
  for (const [name, value] of Object.entries(f)) {
    if (!Number.isInteger(value) || value < 0) errors.add(name, "must be a whole number, 0 or more");
  }
  if (f.latePayments + f.failedPayments > f.paymentsTotal) errors.add("paymentsTotal", "must count every late and failed payment");
  errors.throwIfAny();
}

export const MIN_RATING_OVERRIDE_REASON_CHARS = 3;
export const MAX_RATING_OVERRIDE_REASON_CHARS = 500;

/** A manager's rating, which holds over the calculated one until cleared. */
export type RatingOverride = { rating: CustomerRating; reason: string; by: string; at: Date };

const OVERRIDABLE: readonly CustomerRating[] = ["Excellent", "Good", "Fair", "Poor"];

/** The override a manager asks for: a real rating (not Unrated) and a reason. */
export function checkRatingOverride(input: { rating: string; reason: string }, by: string, at: Date): RatingOverride {
  const errors = new FieldErrorCollector();
  if (!(OVERRIDABLE as readonly string[]).includes(input.rating)) errors.add("rating", `must be one of ${OVERRIDABLE.join(", ")}`);
  const reason = input.reason.trim();
  if (reason.length < MIN_RATING_OVERRIDE_REASON_CHARS) errors.add("reason", `is required (at least ${MIN_RATING_OVERRIDE_REASON_CHARS} characters)`);
  else if (reason.length > MAX_RATING_OVERRIDE_REASON_CHARS) errors.add("reason", `must be at most ${MAX_RATING_OVERRIDE_REASON_CHARS} characters`);
  errors.throwIfAny();
  return { rating: input.rating as CustomerRating, reason, by, at };
}

/** The rating a customer shows: the override while one stands, else the calculated one. */
export const effectiveRating = (calculated: CustomerRating, override: RatingOverride | null): CustomerRating => override?.rating ?? calculated;

/** The first instant a complaint still counts at `now`. */
export function complaintWindowStart(now: Date): Date {
  const d = new Date(now.getTime());
  d.setUTCMonth(d.getUTCMonth() - COMPLAINT_WINDOW_MONTHS);
  return d;
}

export type RatingChangeSource = "Calculated" | "Override" | "OverrideCleared";

/**
 * The events of a shown-rating change (REQ-CUS-018): CustomerProfileUpdated carrying it, as every
 * profile change does, with what decided it (the rule, or the manager's override).
 */
export function ratingChangeEvents(
  customerId: string,
  change: { from: CustomerRating; to: CustomerRating; calculated: CustomerRating; source: RatingChangeSource; rule: RatingRule | null; reason: string | null },
  by: string,
  at: Date,
): DomainEvent[] {
  return [
    {
      type: "CustomerProfileUpdated",
      aggregateType: "Customer",
      aggregateId: customerId,
      data: { customerId, changedFields: { rating: change.to }, ratingChange: change, updatedAt: at.toISOString(), updatedBy: by },
    },
  ];
}
