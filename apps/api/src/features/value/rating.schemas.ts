import "../../zod-setup";
import { CUSTOMER_RATINGS, INACTIVITY_FLAGS, MAX_RATING_OVERRIDE_REASON_CHARS, type Customer, type RatingDecision } from "@clientele/domain";
import { z } from "zod";
import { text, ZId, ZPage, ZPageSize } from "../shared.schemas";

const count = z.number().int().nonnegative();

export const ZRatingDecision = z
  .object({
    rating: z.enum(CUSTOMER_RATINGS),
    rule: z.enum(["poor-payment-issues", "poor-complaints", "unrated-insufficient-data", "excellent", "good", "fair"]).describe("the row of the REQ-CUS-018 table that decided (rows tried in this order)"),
    reasons: z.array(z.string()),
    paymentHistory: z.enum(["None", "Perfect", "Good", "SomeLate", "Issues"]),
    factors: z.object({
      paymentsTotal: count,
      latePayments: count,
      failedPayments: count,
      eventsAttended: count,
      complaints: count.describe("received in the last 24 months, whatever their status"),
      positiveTestimonials: count.describe("approved, 4-5 stars"),
      negativeTestimonials: count.describe("approved, 1-2 stars"),
    }),
  })
;

export const ZRatingOverride = z.object({ rating: z.enum(CUSTOMER_RATINGS), reason: z.string(), by: z.string(), at: z.string() });
export const ZLoyaltyTierOut = z.object({ tier: z.string(), since: z.string().nullable() });
export const ZInactivityOut = z.object({ flag: z.enum(INACTIVITY_FLAGS), since: z.string(), lastActivityAt: z.string() });

/** The customer DTO's value fields (issue 12, RATING). */
export const customerValueFields = {
  ratingOverride: ZRatingOverride.nullable().describe("a manager's rating, shown as profile.rating until cleared"),
  ratingFactors: ZRatingDecision.nullable().describe("what decided the calculated rating; null before the first calculation"),
  loyaltyTier: ZLoyaltyTierOut.nullable().describe("from the trailing 12 months' spend, recalculated monthly; null before the first run"),
  inactivity: ZInactivityOut.nullable().describe("InactiveRisk after the tenant's inactivity threshold (180 days), Review after 24 months; cleared by new activity"),
};

export function customerValueDto(c: Customer) {
  return {
    ratingOverride: c.ratingOverride ? { ...c.ratingOverride, at: c.ratingOverride.at.toISOString() } : null,
    ratingFactors: (c.ratingFactors ?? null) as RatingDecision | null,
    loyaltyTier: c.loyaltyTier ? { tier: c.loyaltyTier.tier, since: c.loyaltyTier.since?.toISOString() ?? null } : null,
    inactivity: c.inactivity ? { flag: c.inactivity.flag, since: c.inactivity.since.toISOString(), lastActivityAt: c.inactivity.lastActivityAt.toISOString() } : null,
  };
}

export const ZCustomerRef = z.object({ customerId: ZId });

export const ZRatingOverrideInput = ZCustomerRef.extend({
  rating: z.enum(["Excellent", "Good", "Fair", "Poor"]),
  reason: text(MAX_RATING_OVERRIDE_REASON_CHARS).describe("why the manager overrides the calculated rating (required)"),
});

export const ZRatingHistoryItem = z.object({
  rating: z.enum(CUSTOMER_RATINGS),
  calculatedRating: z.enum(CUSTOMER_RATINGS),
  change: z.enum(["Calculated", "Override", "OverrideCleared"]),
  rule: z.string().nullable(),
  factors: ZRatingDecision.nullable(),
  reason: z.string().nullable(),
  changedBy: z.string(),
  changedAt: z.string(),
});

export const ZRatingOutput = z.object({
  customerId: z.string(),
  rating: z.enum(CUSTOMER_RATINGS).describe("what the customer shows: the override while one stands"),
  calculatedRating: z.enum(CUSTOMER_RATINGS),
  decision: ZRatingDecision.describe("the table's decision from the current facts"),
  override: ZRatingOverride.nullable(),
  history: z.array(ZRatingHistoryItem).describe("newest first, at most 100"),
  version: z.number().int(),
});

export const ZReviewListInput = z.object({
  flag: z.enum(INACTIVITY_FLAGS).optional().describe("only this flag; both when absent"),
  page: ZPage,
  pageSize: ZPageSize,
});
export const ZReviewListOutput = z.object({
  items: z.array(
    z.object({
      customerId: z.string(),
      customerNumber: z.string(),
      companyName: z.string(),
      flag: z.enum(INACTIVITY_FLAGS),
      reason: z.string(),
      since: z.string().describe("when the flag was raised"),
      lastActivityAt: z.string().describe("the last activity, or the customer's creation when it never had one"),
      hadActivity: z.boolean(),
    }),
  ),
  totalCount: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  totalPages: z.number().int(),
});
