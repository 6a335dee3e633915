import { describe, expect, it } from "vitest";
import { ageOn, evaluateSegmentCriteria, segmentClock, ZSegmentCriteria, type SegmentCriteria, type SegmentCustomerFacts } from "../src/index";

const clock = segmentClock(new Date("2026-12-04T12:00:00.000Z"));
const daysAgo = (n: number) => new Date(clock.now.getTime() - n * 86_400_000);
const facts = (p: Partial<SegmentCustomerFacts> = {}): SegmentCustomerFacts => ({
  type: "Individual",
  status: "Active",
  segment: "Standard",
  rating: "Good",
  gender: "Female",
  loyaltyTier: null,
  source: "web",
  industry: null,
  companyName: "Ana Pérez",
  billingCountry: "ES",
  billingCity: "Málaga",
  billingState: "Andalucía",
  billingZipCode: "29001",
  lifetimeValue: "1500.00",
  totalEvents: 3,
  dateOfBirth: "1990-06-15",
  emailVerified: true,
  phoneVerified: false,
  tags: ["vip", "newsletter"],
  purchases: [],
  events: [],
  ...p,
});

const parse = (input: unknown) => ZSegmentCriteria.safeParse(input);
const issues = (input: unknown) => {
  const r = parse(input);
  if (r.success) throw new Error("expected a failure");
  return Object.fromEntries(r.error.issues.map((i) => [i.path.join("."), i.message]));
};
const ok = (input: unknown): SegmentCriteria => {
  const r = parse(input);
  if (!r.success) throw new Error(JSON.stringify(r.error.issues));
  return r.data;
};
const matches = (input: unknown, f: SegmentCustomerFacts) => evaluateSegmentCriteria(ok(input), f, clock);

describe("segment criteria validation", () => {
  it("accepts 004's example request shape (ISO countries, money as numbers normalized to decimal strings)", () => {
    const c = ok({
      demographics: { ageRange: { min: 25, max: 65 }, gender: ["Male", "Female"] },
      behavioral: { averageOrderValue: { min: 100 }, purchaseFrequency: { min: 2, period: "MONTHLY" } },
      geographic: { countries: ["es", "FR", "IT"] },
      customRules: [{ field: "lifetimeValue", operator: "greater_than", value: 1000.0 }],
    });
    expect(c.behavioral?.averageOrderValue?.min).toBe("100.00");
    expect(c.geographic?.countries).toEqual(["ES", "FR", "IT"]);
    expect(c.customRules?.[0]?.value).toBe("1000.00");
  });

  it("refuses empty criteria, at the top and in any section or nested node", () => {
    expect(issues({})).toEqual({ "": "must specify at least one criterion" });
    expect(issues({ geographic: {} })).toMatchObject({ geographic: "must specify at least one criterion" });
    expect(issues({ anyOf: [] })).toMatchObject({ anyOf: "must specify at least one criterion" });
    expect(issues({ not: {} })).toMatchObject({ not: "must specify at least one criterion" });
    expect(issues({ customRules: [] })).toMatchObject({ customRules: "must specify at least one criterion" });
  });

  it("names an unknown field, an unknown key and an operator not valid for the field's type", () => {
    expect(issues({ customRules: [{ field: "shoeSize", operator: "equals", value: 42 }] })["customRules.0.field"]).toMatch(/^unknown field "shoeSize"/);
    expect(issues({ customRules: [{ field: "events.NAP", operator: "equals", value: 1, withinDays: 7 }] })["customRules.0.field"]).toMatch(/unknown field/);
    expect(issues({ customRules: [{ field: "tags", operator: "greater_than", value: "vip" }] })["customRules.0.operator"]).toBe(
      '"greater_than" is not valid for tags field tags; use one of contains, not_contains',
    );
    expect(issues({ customRules: [{ field: "rating", operator: "less_than", value: "Good" }] })["customRules.0.operator"]).toMatch(/not valid for enum field rating/);
    expect(Object.keys(issues({ demographic: { ageRange: { min: 1 } } }))).toContain("");
  });

  it("checks values against the field's type", () => {
    expect(issues({ customRules: [{ field: "rating", operator: "equals", value: "Great" }] })["customRules.0.value"]).toMatch(/must be one of Excellent/);
    expect(issues({ customRules: [{ field: "lifetimeValue", operator: "greater_than", value: "12.345" }] })["customRules.0.value"]).toMatch(/decimal amount/);
    expect(issues({ customRules: [{ field: "age", operator: "between", value: [40, 30] }] })["customRules.0.value"]).toBe("low must not exceed high");
    expect(issues({ customRules: [{ field: "status", operator: "in", value: [] }] })["customRules.0.value"]).toMatch(/non-empty list/);
    expect(issues({ customRules: [{ field: "emailVerified", operator: "equals", value: "yes" }] })["customRules.0.value"]).toBe("must be true or false");
    expect(issues({ customRules: [{ field: "tags", operator: "contains", value: "no spaces!" }] })["customRules.0.value"]).toMatch(/must be a tag/);
    expect(ok({ customRules: [{ field: "tags", operator: "contains", value: " VIP " }] }).customRules?.[0]?.value).toBe("vip");
  });

  it("requires a window on event counts and only there", () => {
    expect(issues({ customRules: [{ field: "events.LOGIN", operator: "greater_than", value: 1 }] })["customRules.0.withinDays"]).toBe("is required for an event count");
    expect(issues({ customRules: [{ field: "totalEvents", operator: "greater_than", value: 1, withinDays: 3 }] })["customRules.0.withinDays"]).toBe(
      "applies only to event counts",
    );
    expect(ok({ customRules: [{ field: "events.CUSTOM.signup_step", operator: "equals", value: 1, withinDays: 3 }] }).customRules).toHaveLength(1);
    expect(issues({ customRules: [{ field: "events.CUSTOM", operator: "equals", value: 1, withinDays: 3 }] })["customRules.0.field"]).toMatch(/unknown field/);
  });

  it("checks ranges, countries, categories and depth", () => {
    expect(issues({ demographics: { ageRange: { min: 50, max: 20 } } })["demographics.ageRange.max"]).toBe("must not be less than min");
    expect(issues({ demographics: { ageRange: {} } })["demographics.ageRange"]).toBe("needs min or max");
    expect(issues({ geographic: { countries: ["Spain"] } })["geographic.countries.0"]).toMatch(/ISO 3166/);
    expect(issues({ behavioral: { productCategories: ["Shoes"] } })["behavioral.productCategories.0"]).toMatch(/must be one of Invoice/);
    expect(issues({ behavioral: { purchaseFrequency: { min: 1, period: "DAILY" } } })).toHaveProperty("behavioral.purchaseFrequency.period");
    const deep = { not: { not: { not: { not: { not: { customRules: [{ field: "age", operator: "equals", value: 1 }] } } } } } };
    expect(issues(deep)["not.not.not.not.not"]).toMatch(/at most 5 levels/);
  });
});

describe("segment criteria evaluation (one customer)", () => {
  it("counts age in whole years as the database does, including 29 February", () => {
    expect(ageOn("1990-12-04", "2026-12-04")).toBe(36);
    expect(ageOn("1990-12-05", "2026-12-04")).toBe(35);
    expect(ageOn("2000-02-29", "2001-02-28")).toBe(0);
    expect(ageOn("2000-02-29", "2001-03-01")).toBe(1);
    expect(matches({ demographics: { ageRange: { min: 36, max: 36 } } }, facts())).toBe(true);
    expect(matches({ demographics: { ageRange: { min: 37 } } }, facts())).toBe(false);
    expect(matches({ demographics: { ageRange: { max: 99 } } }, facts({ dateOfBirth: null }))).toBe(false);
  });

  it("matches gender and geography (cities folded like the collation: case and accents ignored)", () => {
    expect(matches({ demographics: { gender: ["Female"] } }, facts())).toBe(true);
    expect(matches({ demographics: { gender: ["Male"] } }, facts())).toBe(false);
    expect(matches({ demographics: { gender: ["Male"] } }, facts({ gender: null }))).toBe(false);
    expect(matches({ geographic: { countries: ["ES"], cities: ["malaga"], regions: ["ANDALUCIA"], postalCodes: ["29001"] } }, facts())).toBe(true);
    expect(matches({ geographic: { countries: ["FR"] } }, facts())).toBe(false);
    expect(matches({ geographic: { cities: ["Madrid"] } }, facts())).toBe(false);
  });

  it("computes purchase frequency, average order value, days since last purchase and categories from paid purchases", () => {
    const purchases = [
      { occurredAt: daysAgo(3), baseAmount: "100.00", category: "Merchandise" },
      { occurredAt: daysAgo(20), baseAmount: "50.01", category: "Service" },
      { occurredAt: daysAgo(200), baseAmount: "149.99", category: "Ticket" },
    ];
    const f = facts({ purchases });
    expect(matches({ behavioral: { purchaseFrequency: { min: 2, period: "MONTHLY" } } }, f)).toBe(true);
    expect(matches({ behavioral: { purchaseFrequency: { min: 2, period: "WEEKLY" } } }, f)).toBe(false);
    // 300.00 / 3 = 100.00 exactly: min 100.00 holds, min 100.01 does not.
    expect(matches({ behavioral: { averageOrderValue: { min: "100.00" } } }, f)).toBe(true);
    expect(matches({ behavioral: { averageOrderValue: { min: "100.01" } } }, f)).toBe(false);
    expect(matches({ behavioral: { averageOrderValue: { max: "99.99" } } }, f)).toBe(false);
    expect(matches({ behavioral: { averageOrderValue: { min: "0.01" } } }, facts())).toBe(false);
    expect(matches({ behavioral: { lastPurchaseDays: { min: 3, max: 3 } } }, f)).toBe(true);
    expect(matches({ behavioral: { lastPurchaseDays: { min: 4 } } }, f)).toBe(false);
    expect(matches({ behavioral: { lastPurchaseDays: { max: 2 } } }, f)).toBe(false);
    expect(matches({ behavioral: { lastPurchaseDays: { min: 0 } } }, facts())).toBe(false);
    expect(matches({ behavioral: { productCategories: ["Ticket"] } }, f)).toBe(true);
    expect(matches({ behavioral: { productCategories: ["Invoice"] } }, f)).toBe(false);
  });

  it("sums purchase history over all time or a window; no purchases is a total of zero", () => {
    const f = facts({ purchases: [{ occurredAt: daysAgo(10), baseAmount: "10.00", category: "Other" }, { occurredAt: daysAgo(100), baseAmount: "5.00", category: "Other" }] });
    expect(matches({ purchaseHistory: { totalSpent: { min: "15.00" } } }, f)).toBe(true);
    expect(matches({ purchaseHistory: { totalSpent: { min: "15.00" }, withinDays: 30 } }, f)).toBe(false);
    expect(matches({ purchaseHistory: { purchaseCount: { max: 0 } } }, facts())).toBe(true);
  });

  it("applies custom rules over fields, money, tags and tracked-event windows", () => {
    const f = facts({
      loyaltyTier: "Gold",
      events: [
        { day: "2026-12-04", eventType: "LOGIN", name: "", count: 2 },
        { day: "2026-11-28", eventType: "LOGIN", name: "", count: 5 },
        { day: "2026-11-27", eventType: "LOGIN", name: "", count: 100 },
        { day: "2026-12-01", eventType: "CUSTOM", name: "quiz", count: 1 },
      ],
    });
    const rule = (field: string, operator: string, value: unknown, withinDays?: number) => ({ customRules: [{ field, operator, value, ...(withinDays ? { withinDays } : {}) }] });
    expect(matches(rule("lifetimeValue", "greater_than", 1000), f)).toBe(true);
    expect(matches(rule("lifetimeValue", "greater_than", "1500.00"), f)).toBe(false);
    expect(matches(rule("lifetimeValue", "between", ["1500", "1500.00"]), f)).toBe(true);
    expect(matches(rule("tags", "contains", "VIP"), f)).toBe(true);
    expect(matches(rule("tags", "not_contains", "vip"), f)).toBe(false);
    expect(matches(rule("loyaltyTier", "in", ["gold", "Silver"]), f)).toBe(true);
    expect(matches(rule("loyaltyTier", "not_equals", "Gold"), facts())).toBe(true);
    expect(matches(rule("industry", "equals", "Retail"), f)).toBe(false);
    expect(matches(rule("age", "not_equals", 30), facts({ dateOfBirth: null }))).toBe(true);
    expect(matches(rule("age", "less_than", 200), facts({ dateOfBirth: null }))).toBe(false);
    expect(matches(rule("emailVerified", "equals", true), f)).toBe(true);
    // 7 days ending today: 2026-11-28 .. 2026-12-04.
    expect(matches(rule("events.LOGIN", "equals", 7, 7), f)).toBe(true);
    expect(matches(rule("events.LOGIN", "equals", 2, 1), f)).toBe(true);
    expect(matches(rule("events.CUSTOM.quiz", "greater_than_or_equal", 1, 7), f)).toBe(true);
    expect(matches(rule("events.CUSTOM.other", "greater_than", 0, 7), f)).toBe(false);
  });

  it("combines with allOf, anyOf and not, every section of a node having to hold", () => {
    const gold = { customRules: [{ field: "tags", operator: "contains", value: "gold" }] };
    const vip = { customRules: [{ field: "tags", operator: "contains", value: "vip" }] };
    expect(matches({ anyOf: [gold, vip] }, facts())).toBe(true);
    expect(matches({ allOf: [gold, vip] }, facts())).toBe(false);
    expect(matches({ not: gold }, facts())).toBe(true);
    expect(matches({ not: vip, geographic: { countries: ["ES"] } }, facts())).toBe(false);
    expect(matches({ anyOf: [gold], geographic: { countries: ["ES"] } }, facts())).toBe(false);
  });
});
