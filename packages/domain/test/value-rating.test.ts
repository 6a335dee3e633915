import { describe, expect, it } from "vitest";
import { codeOf, fieldErrors } from "./support";
import {
  attendanceRecordedEvent,
  checkAttendance,
  checkRatingOverride,
  complaintWindowStart,
  decideRating,
  DEFAULT_INACTIVITY_RULES,
  DEFAULT_VALUE_SETTINGS,
  effectiveRating,
  inactivityCutoffs,
  inactivityFlagFor,
  inactivityReason,
  loyaltyTierFor,
  loyaltyWindowStart,
  paymentHistoryOf,
  ratingChangeEvents,
  type RatingFactors,
} from "../src/index";

const none: RatingFactors = { paymentsTotal: 0, latePayments: 0, failedPayments: 0, eventsAttended: 0, complaints: 0, positiveTestimonials: 0, negativeTestimonials: 0 };
/** A customer who meets every Excellent criterion; each test spoils one. */
const excellent: RatingFactors = { ...none, paymentsTotal: 4, eventsAttended: 5, positiveTestimonials: 1 };
const rate = (f: Partial<RatingFactors>) => decideRating({ ...excellent, ...f });

describe("payment history words (REQ-CUS-018)", () => {
  it.each([
    [0, 0, 0, "None"],
    [3, 0, 0, "Perfect"],
    [3, 1, 0, "Good"],
    [3, 2, 0, "SomeLate"],
    [3, 3, 0, "SomeLate"],
    [3, 0, 1, "SomeLate"],
    [3, 2, 1, "SomeLate"],
    [4, 3, 1, "Issues"],
    [4, 4, 0, "Issues"],
    [2, 0, 2, "Issues"],
  ] as const)("%i payments, %i late, %i failed: %s", (paymentsTotal, latePayments, failedPayments, expected) => {
    expect(paymentHistoryOf({ paymentsTotal, latePayments, failedPayments })).toBe(expected);
  });
});

describe("the rating table, rows tried in order", () => {
  it("Excellent: perfect payments, 5+ events, no complaint, a positive testimonial; the factors and rule come back", () => {
    const d = decideRating(excellent);
    expect(d).toMatchObject({ rating: "Excellent", rule: "excellent", paymentHistory: "Perfect", factors: excellent });
    expect(d.reasons).toHaveLength(4);
  });

  it("5 events is Excellent, 4 is Good (the rows overlap: Excellent is tried first)", () => {
    expect(rate({ eventsAttended: 5 }).rating).toBe("Excellent");
    expect(rate({ eventsAttended: 4 }).rating).toBe("Good");
  });

  it("3 events is Good, 2 and 1 are Fair", () => {
    expect(rate({ eventsAttended: 3 }).rating).toBe("Good");
    expect(rate({ eventsAttended: 2 }).rule).toBe("fair");
    expect(rate({ eventsAttended: 1 }).rule).toBe("fair");
  });

  it("complaints 0 Excellent, 1 Good, 2 and 5 Fair, 6 Poor", () => {
    expect(rate({ complaints: 0 }).rating).toBe("Excellent");
    expect(rate({ complaints: 1 }).rating).toBe("Good");
    expect(rate({ complaints: 2 }).rating).toBe("Fair");
    expect(rate({ complaints: 5 }).rating).toBe("Fair");
    expect(rate({ complaints: 6 })).toMatchObject({ rating: "Poor", rule: "poor-complaints" });
  });

  it("Excellent needs a positive testimonial and no negative one", () => {
    expect(rate({ positiveTestimonials: 0 }).rating).toBe("Good");
    expect(rate({ negativeTestimonials: 1 }).rating).toBe("Good");
  });

  it("one late payment keeps Good but not Excellent; two late payments are Fair; four issues are Poor", () => {
    expect(rate({ latePayments: 1 }).rating).toBe("Good");
    expect(rate({ latePayments: 2 })).toMatchObject({ rating: "Fair", paymentHistory: "SomeLate" });
    expect(rate({ latePayments: 3, failedPayments: 1 })).toMatchObject({ rating: "Poor", rule: "poor-payment-issues" });
    expect(rate({ failedPayments: 2 }).rating).toBe("Poor");
  });

  it("Poor wins over any number of events (payment issues are tried before Excellent and Good)", () => {
    expect(rate({ eventsAttended: 50, failedPayments: 2 }).rating).toBe("Poor");
    expect(rate({ eventsAttended: 50, complaints: 6 }).rating).toBe("Poor");
  });

  it("Unrated: no payment and no attendance, even with a complaint or testimonial", () => {
    expect(decideRating(none)).toMatchObject({ rating: "Unrated", rule: "unrated-insufficient-data" });
    expect(decideRating({ ...none, complaints: 3, positiveTestimonials: 2 }).rating).toBe("Unrated");
    // …but six complaints are data enough to be Poor.
    expect(decideRating({ ...none, complaints: 6 }).rating).toBe("Poor");
  });

  it("the table's gaps fall to Fair: perfect payments and no events; events but no payments short of 3", () => {
    expect(decideRating({ ...none, paymentsTotal: 10 })).toMatchObject({ rating: "Fair", rule: "fair" });
    expect(decideRating({ ...none, eventsAttended: 1 }).rating).toBe("Fair");
  });

  it("no payments yet with 3+ events is Good, never Excellent (perfect history needs payments)", () => {
    expect(decideRating({ ...none, eventsAttended: 3 }).rating).toBe("Good");
    expect(decideRating({ ...none, eventsAttended: 9, positiveTestimonials: 3 }).rating).toBe("Good");
  });

  it("Fair names what kept the customer from Good", () => {
    expect(rate({ latePayments: 2, eventsAttended: 1, complaints: 3 }).reasons).toEqual([
      "some payment issues (2 late, 0 failed)",
      "1 events attended (fewer than 3)",
      "3 complaints (2-5)",
    ]);
  });

  it("refuses impossible factors: negative, fractional, more late than payments", () => {
    expect(fieldErrors(() => decideRating({ ...none, complaints: -1 }))).toHaveProperty("complaints");
    expect(fieldErrors(() => decideRating({ ...none, eventsAttended: 1.5 }))).toHaveProperty("eventsAttended");
    expect(fieldErrors(() => decideRating({ ...none, paymentsTotal: 1, latePayments: 1, failedPayments: 1 }))).toHaveProperty("paymentsTotal");
  });

  it("complaints count from 24 months back", () => {
    expect(complaintWindowStart(new Date("2026-12-04T10:00:00Z")).toISOString()).toBe("2024-12-04T10:00:00.000Z");
  });
});

describe("rating override", () => {
  const at = new Date("2026-12-04T10:00:00Z");
  it("needs a rating other than Unrated and a reason; trims the reason", () => {
    expect(checkRatingOverride({ rating: "Poor", reason: "  fraud suspicion " }, "boss", at)).toEqual({ rating: "Poor", reason: "fraud suspicion", by: "boss", at });
    expect(fieldErrors(() => checkRatingOverride({ rating: "Poor", reason: "  " }, "boss", at))).toEqual({ reason: ["is required (at least 3 characters)"] });
    expect(fieldErrors(() => checkRatingOverride({ rating: "Unrated", reason: "because" }, "boss", at))).toHaveProperty("rating");
    expect(fieldErrors(() => checkRatingOverride({ rating: "Great", reason: "x".repeat(501) }, "boss", at))).toEqual({
      rating: ["must be one of Excellent, Good, Fair, Poor"],
      reason: ["must be at most 500 characters"],
    });
    expect(codeOf(() => checkRatingOverride({ rating: "Good", reason: "" }, "boss", at))).toBe("VALIDATION");
  });

  it("holds over the calculated rating until cleared", () => {
    expect(effectiveRating("Fair", { rating: "Excellent", reason: "key account", by: "boss", at })).toBe("Excellent");
    expect(effectiveRating("Fair", null)).toBe("Fair");
  });
});

describe("loyalty tiers (003 BR-8)", () => {
  const tiers = DEFAULT_VALUE_SETTINGS.loyaltyTiers;
  it.each([
    ["0.00", "Bronze"],
    ["999.99", "Bronze"],
    ["1000.00", "Silver"],
    ["4999.99", "Silver"],
    ["5000.00", "Gold"],
    ["19999.99", "Gold"],
    ["20000.00", "Platinum"],
    ["1000000.00", "Platinum"],
    ["-50.00", "Bronze"],
  ])("%s spent in 12 months is %s (a threshold reached exactly counts)", (spend, tier) => {
    expect(loyaltyTierFor(spend, tiers)).toBe(tier);
  });

  it("uses the tenant's names and thresholds", () => {
    const custom = [
      { name: "Member", minSpend: "0.00" },
      { name: "Patron", minSpend: "250.50" },
    ];
    expect(loyaltyTierFor("250.49", custom)).toBe("Member");
    expect(loyaltyTierFor("250.50", custom)).toBe("Patron");
  });

  it("refuses a spend that is not money", () => {
    expect(fieldErrors(() => loyaltyTierFor("12.345", tiers))).toHaveProperty("spend");
  });

  it("counts from 12 months back", () => {
    expect(loyaltyWindowStart(new Date("2026-12-01T00:00:00Z")).toISOString()).toBe("2025-12-01T00:00:00.000Z");
  });
});

describe("inactivity (003 BR-6, Appendix C)", () => {
  const now = new Date("2026-12-04T12:00:00Z");
  const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
  it("179 days is active, 180 days is InactiveRisk", () => {
    expect(inactivityFlagFor(daysAgo(179), now, DEFAULT_INACTIVITY_RULES)).toBeNull();
    expect(inactivityFlagFor(new Date(daysAgo(180).getTime() + 1), now, DEFAULT_INACTIVITY_RULES)).toBeNull();
    expect(inactivityFlagFor(daysAgo(180), now, DEFAULT_INACTIVITY_RULES)).toBe("InactiveRisk");
  });

  it("exactly 24 months is still InactiveRisk; over 24 months is Review", () => {
    const { reviewBefore } = inactivityCutoffs(now, DEFAULT_INACTIVITY_RULES);
    expect(reviewBefore.toISOString()).toBe("2024-12-04T12:00:00.000Z");
    expect(inactivityFlagFor(reviewBefore, now, DEFAULT_INACTIVITY_RULES)).toBe("InactiveRisk");
    expect(inactivityFlagFor(new Date(reviewBefore.getTime() - 1), now, DEFAULT_INACTIVITY_RULES)).toBe("Review");
  });

  it("follows the tenant's threshold", () => {
    const rules = { inactivityThresholdDays: 30, reviewAfterMonths: 6 };
    expect(inactivityFlagFor(daysAgo(29), now, rules)).toBeNull();
    expect(inactivityFlagFor(daysAgo(30), now, rules)).toBe("InactiveRisk");
    expect(inactivityFlagFor(daysAgo(200), now, rules)).toBe("Review");
  });

  it("says why, in words", () => {
    expect(inactivityReason("InactiveRisk", daysAgo(200), true, now, DEFAULT_INACTIVITY_RULES)).toBe("no activity for 200 days: at risk of churn");
    expect(inactivityReason("Review", daysAgo(800), false, now, DEFAULT_INACTIVITY_RULES)).toBe(
      "no activity since the customer was created 800 days ago: inactive for over 24 months, to review",
    );
  });
});

describe("attendance (issue 12 §1)", () => {
  const valid = { customerId: "c-1", eventRef: " gala-1 ", eventName: "  ", status: "Attended", occurredAt: new Date("2026-11-20T18:00:00Z"), idempotencyKey: " k-1 " };
  it("trims, drops a blank name and keeps the rest", () => {
    expect(checkAttendance(valid)).toEqual({ customerId: "c-1", eventRef: "gala-1", eventName: null, status: "Attended", occurredAt: valid.occurredAt, idempotencyKey: "k-1" });
  });
  it("reports every bad field at once", () => {
    expect(fieldErrors(() => checkAttendance({ ...valid, eventRef: "", status: "Maybe", occurredAt: new Date("x"), idempotencyKey: "k".repeat(101), eventName: "n".repeat(201) }))).toEqual({
      eventRef: ["is required"],
      eventName: ["must be at most 200 characters"],
      status: ["must be one of Registered, Attended, NoShow"],
      occurredAt: ["must be a date-time"],
      idempotencyKey: ["must be at most 100 characters"],
    });
  });
  it("AttendanceRecorded carries the row and the new totalEvents", () => {
    const e = attendanceRecordedEvent({ ...checkAttendance(valid), id: "a-1", source: "api" }, 3);
    expect(e).toEqual({
      type: "AttendanceRecorded",
      aggregateType: "Customer",
      aggregateId: "c-1",
      data: { customerId: "c-1", attendanceId: "a-1", eventRef: "gala-1", eventName: null, status: "Attended", occurredAt: "2026-11-20T18:00:00.000Z", source: "api", totalEvents: 3 },
    });
  });
});

describe("rating change events", () => {
  it("CustomerProfileUpdated names the new rating and what decided it", () => {
    const at = new Date("2026-12-04T10:00:00Z");
    const change = { from: "Fair", to: "Excellent", calculated: "Fair", source: "Override", rule: "fair", reason: "key account" } as const;
    expect(ratingChangeEvents("c-1", change, "boss", at)).toEqual([
      { type: "CustomerProfileUpdated", aggregateType: "Customer", aggregateId: "c-1", data: { customerId: "c-1", changedFields: { rating: "Excellent" }, ratingChange: change, updatedAt: at.toISOString(), updatedBy: "boss" } },
    ]);
  });
});
