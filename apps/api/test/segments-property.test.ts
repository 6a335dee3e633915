import { randomUUID } from "node:crypto";
import { countCustomersMatchingCriteria, createDb, findCustomerIdsMatchingCriteria, loadSegmentCustomerFacts, type Db } from "@clientele/db";
import {
  CUSTOMER_RATINGS,
  CUSTOMER_SEGMENTS,
  CUSTOMER_STATUSES,
  CUSTOMER_TYPES,
  evaluateSegmentCriteria,
  formatMoney,
  GENDERS,
  segmentClock,
  TRANSACTION_CATEGORIES,
  ZSegmentCriteria,
  type IntRange,
  type SegmentCustomerFacts,
} from "@clientele/domain";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseUrl } from "./harness";

/**
 * Issue 13 §1: the criteria compiled to SQL (whole tenant) and the domain's evaluator (one
 * customer) agree on random criteria and random customers, against the real database. Values come
 * from small pools (with case and accent variants, window boundaries to the millisecond, null
 * fields, non-purchase transactions) so criteria hit and miss often.
 */

const clock = segmentClock(new Date("2026-12-04T12:00:00.000Z"));
const DAY = 86_400_000;
let db: Db;

beforeAll(() => {
  ({ db } = createDb({ url: databaseUrl(), poolSize: 4 }));
});
afterAll(async () => {
  await db.destroy();
});

const CITIES = ["Málaga", "malaga", "Paris", "London"];
const REGIONS = ["Andalucía", "ANDALUCIA", "Île-de-France", "Greater London"];
const ZIPS = ["29001", "75001", "SW1A 1AA"];
const COUNTRIES = ["ES", "FR", "GB"];
const TEXTS = { loyaltyTier: ["Gold", "gold", "Silver"], source: ["web", "Ads"], industry: ["Retail", "retail", "Energy"], companyName: ["Acme", "acme", "Zeta"] };
const TAGS = ["vip", "b2b", "newsletter"];
const EVENT_FIELDS = ["events.LOGIN", "events.PAGE_VIEW", "events.CUSTOM.quiz"];

type TxnSpec = { kind: string; status: string; category: string; cents: number; at: number };
type EventSpec = { eventType: string; name: string; dayOffset: number; count: number };
type CustomerSpec = Omit<SegmentCustomerFacts, "purchases" | "events"> & { txns: TxnSpec[]; rollups: EventSpec[] };

const nullable = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
const moneyOf = (cents: number) => formatMoney(BigInt(cents));
const dobArb = fc.oneof(
  fc.constantFrom("2000-02-29", "1990-12-04", "1990-12-05", "1960-12-03", "2008-12-04"),
  fc.date({ min: new Date("1930-01-01"), max: new Date("2020-12-31"), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
);
const txnArb: fc.Arbitrary<TxnSpec> = fc.record({
  kind: fc.constantFrom("Payment", "Payment", "Payment", "Refund", "Order"),
  status: fc.constantFrom("Paid", "Paid", "Paid", "Pending", "Failed"),
  category: fc.constantFrom(...TRANSACTION_CATEGORIES),
  cents: fc.integer({ min: 1, max: 50_000 }),
  // Whole days back, sometimes a millisecond either side, so window edges are exercised.
  at: fc.tuple(fc.integer({ min: 0, max: 400 }), fc.constantFrom(0, 0, -1, 1)).map(([d, ms]) => clock.now.getTime() - d * DAY + ms),
});
const eventArb: fc.Arbitrary<EventSpec> = fc.record({
  eventType: fc.constantFrom("LOGIN", "PAGE_VIEW", "CUSTOM"),
  name: fc.constant(""),
  dayOffset: fc.integer({ min: 0, max: 40 }),
  count: fc.integer({ min: 1, max: 20 }),
}).map((e) => (e.eventType === "CUSTOM" ? { ...e, name: "quiz" } : e));

const customerArb: fc.Arbitrary<CustomerSpec> = fc.record({
  type: fc.constantFrom(...CUSTOMER_TYPES),
  status: fc.constantFrom(...CUSTOMER_STATUSES),
  segment: fc.constantFrom(...CUSTOMER_SEGMENTS),
  rating: fc.constantFrom(...CUSTOMER_RATINGS),
  gender: nullable(fc.constantFrom(...GENDERS)),
  loyaltyTier: nullable(fc.constantFrom(...TEXTS.loyaltyTier)),
  source: nullable(fc.constantFrom(...TEXTS.source)),
  industry: nullable(fc.constantFrom(...TEXTS.industry)),
  companyName: fc.constantFrom(...TEXTS.companyName),
  billingCountry: fc.constantFrom(...COUNTRIES),
  billingCity: fc.constantFrom(...CITIES),
  billingState: fc.constantFrom(...REGIONS),
  billingZipCode: fc.constantFrom(...ZIPS),
  lifetimeValue: fc.integer({ min: -5_000, max: 300_000 }).map(moneyOf),
  totalEvents: fc.integer({ min: 0, max: 10 }),
  dateOfBirth: nullable(dobArb),
  emailVerified: fc.boolean(),
  phoneVerified: fc.boolean(),
  tags: fc.subarray(TAGS),
  txns: fc.array(txnArb, { maxLength: 5 }),
  rollups: fc.uniqueArray(eventArb, { maxLength: 6, selector: (e) => `${e.eventType}|${e.name}|${e.dayOffset}` }),
});

const sortedPair = (a: fc.Arbitrary<number>) => fc.tuple(a, a).map(([x, y]) => (x <= y ? [x, y] : [y, x]) as [number, number]);
const rangeArb = (max: number): fc.Arbitrary<IntRange> =>
  fc.oneof<fc.Arbitrary<IntRange>[]>(
    sortedPair(fc.integer({ min: 0, max })).map(([min, mx]) => ({ min, max: mx })),
    fc.integer({ min: 0, max }).map((min) => ({ min })),
    fc.integer({ min: 0, max }).map((mx) => ({ max: mx })),
  );
const moneyRangeArb = (max: number) =>
  rangeArb(max).map((r) => ({ ...(r.min !== undefined ? { min: moneyOf(r.min) } : {}), ...(r.max !== undefined ? { max: moneyOf(r.max) } : {}) }));
const someOf = <T>(values: readonly T[]) => fc.subarray([...values], { minLength: 1 });

const compareOps = ["equals", "not_equals", "greater_than", "greater_than_or_equal", "less_than", "less_than_or_equal", "between"] as const;
const numericRule = (field: string, valueArb: fc.Arbitrary<number>, render: (n: number) => string | number, withinDays?: fc.Arbitrary<number>) =>
  fc.record({ op: fc.constantFrom(...compareOps), a: valueArb, b: valueArb, days: withinDays ?? fc.constant(undefined) }).map(({ op, a, b, days }) => ({
    field,
    operator: op,
    value: op === "between" ? [render(Math.min(a, b)), render(Math.max(a, b))] : render(a),
    ...(days !== undefined ? { withinDays: days } : {}),
  }));
const listRule = (field: string, values: readonly string[]) =>
  fc.record({ op: fc.constantFrom("equals", "not_equals", "in", "not_in"), picks: someOf(values) }).map(({ op, picks }) => ({
    field,
    operator: op,
    value: op === "in" || op === "not_in" ? picks : picks[0]!,
  }));

const ruleArb = fc.oneof(
  listRule("type", CUSTOMER_TYPES),
  listRule("status", CUSTOMER_STATUSES),
  listRule("segment", CUSTOMER_SEGMENTS),
  listRule("rating", CUSTOMER_RATINGS),
  listRule("gender", GENDERS),
  listRule("loyaltyTier", TEXTS.loyaltyTier),
  listRule("source", TEXTS.source),
  listRule("industry", TEXTS.industry),
  listRule("companyName", TEXTS.companyName),
  listRule("billingCity", CITIES),
  listRule("billingState", REGIONS),
  numericRule("lifetimeValue", fc.integer({ min: 0, max: 300_000 }), moneyOf),
  numericRule("totalEvents", fc.integer({ min: 0, max: 10 }), (n) => n),
  numericRule("age", fc.integer({ min: 0, max: 100 }), (n) => n),
  fc.record({ field: fc.constantFrom("emailVerified", "phoneVerified"), operator: fc.constant("equals"), value: fc.boolean() }),
  fc.record({ field: fc.constant("tags"), operator: fc.constantFrom("contains", "not_contains"), value: fc.constantFrom(...TAGS, "VIP", "none") }),
  fc
    .constantFrom(...EVENT_FIELDS)
    .chain((field) => numericRule(field, fc.integer({ min: 0, max: 40 }), (n) => n, fc.integer({ min: 1, max: 45 }))),
);

const sectionArb = fc.oneof(
  fc.record({ ageRange: rangeArb(100), gender: someOf(GENDERS) }, { requiredKeys: [] }).filter((d) => Object.keys(d).length > 0).map((demographics) => ({ demographics })),
  fc
    .record(
      {
        purchaseFrequency: fc.tuple(rangeArb(5), fc.constantFrom("WEEKLY", "MONTHLY", "QUARTERLY", "YEARLY")).map(([r, period]) => ({ ...r, period })),
        averageOrderValue: moneyRangeArb(50_000),
        lastPurchaseDays: rangeArb(400),
        productCategories: someOf(TRANSACTION_CATEGORIES),
      },
      { requiredKeys: [] },
    )
    .filter((b) => Object.keys(b).length > 0)
    .map((behavioral) => ({ behavioral })),
  fc
    .record({ countries: someOf(COUNTRIES), cities: someOf(CITIES), regions: someOf(REGIONS), postalCodes: someOf(ZIPS) }, { requiredKeys: [] })
    .filter((g) => Object.keys(g).length > 0)
    .map((geographic) => ({ geographic })),
  fc
    .record({ totalSpent: moneyRangeArb(100_000), purchaseCount: rangeArb(5), withinDays: fc.integer({ min: 1, max: 400 }) }, { requiredKeys: [] })
    .filter((p) => p.totalSpent !== undefined || p.purchaseCount !== undefined)
    .map((purchaseHistory) => ({ purchaseHistory })),
  fc.array(ruleArb, { minLength: 1, maxLength: 2 }).map((customRules) => ({ customRules })),
);

const criteriaArb = fc.letrec<{ node: object }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    sectionArb,
    fc.tuple(sectionArb, sectionArb).map(([a, b]) => ({ ...a, ...b })),
    fc.array(tie("node"), { minLength: 1, maxLength: 3 }).map((allOf) => ({ allOf })),
    fc.array(tie("node"), { minLength: 1, maxLength: 3 }).map((anyOf) => ({ anyOf })),
    tie("node").map((not) => ({ not })),
  ),
})).node.filter((c) => ZSegmentCriteria.safeParse(c).success);

const dayOf = (offset: number) => new Date(Date.parse(`${clock.today}T00:00:00Z`) - offset * DAY).toISOString().slice(0, 10);

async function seed(tenantId: string, specs: CustomerSpec[]): Promise<{ id: string; spec: CustomerSpec }[]> {
  const rows = specs.map((spec) => ({ id: randomUUID(), spec }));
  await db
    .insertInto("customers")
    .values(
      rows.map(({ id, spec }, i) => ({
        id,
        tenantId,
        customerNumber: `CUS-${String(i + 1).padStart(6, "0")}`,
        type: spec.type,
        companyName: spec.companyName,
        segment: spec.segment,
        rating: spec.rating,
        status: spec.status,
        gender: spec.gender,
        loyaltyTier: spec.loyaltyTier,
        source: spec.source,
        industry: spec.industry,
        lifetimeValue: spec.lifetimeValue,
        totalEvents: spec.totalEvents,
        dateOfBirth: spec.dateOfBirth,
        emailVerified: spec.emailVerified ? 1 : 0,
        phoneVerified: spec.phoneVerified ? 1 : 0,
        primaryEmail: `p${i}@${tenantId}.example`,
        primaryPhone: "+442079460958",
        billingStreet: "1 High Street",
        billingCity: spec.billingCity,
        billingState: spec.billingState,
        billingZipCode: spec.billingZipCode,
        billingCountry: spec.billingCountry,
        preferences: JSON.stringify({}),
        isDeleted: 0,
        deletedAt: null,
        deletedBy: null,
        statusReason: null,
        createdAt: clock.now,
        createdBy: "property",
        lastModifiedAt: null,
        lastModifiedBy: null,
        version: 1,
      })),
    )
    .execute();
  const tags = rows.flatMap(({ id, spec }) => spec.tags.map((tag) => ({ tenantId, customerId: id, tag })));
  if (tags.length) await db.insertInto("customerTags").values(tags).execute();
  const txns = rows.flatMap(({ id, spec }) =>
    spec.txns.map((t) => ({
      id: randomUUID(),
      tenantId,
      customerId: id,
      kind: t.kind,
      category: t.category,
      status: t.status,
      amount: moneyOf(t.cents),
      currency: "EUR",
      exchangeRate: "1.00000000",
      baseAmount: moneyOf(t.cents),
      occurredAt: new Date(t.at),
      dueAt: null,
      late: 0,
      externalReference: null,
      idempotencyKey: randomUUID(),
      contentHash: "x",
      source: "api",
      createdAt: clock.now,
      createdBy: "property",
    })),
  );
  if (txns.length) await db.insertInto("customerTransactions").values(txns).execute();
  const rollups = rows.flatMap(({ id, spec }) =>
    spec.rollups.map((e) => ({ tenantId, customerId: id, day: dayOf(e.dayOffset), eventType: e.eventType, name: e.name, count: e.count })),
  );
  if (rollups.length) await db.insertInto("customerEventRollups").values(rollups).execute();
  return rows;
}

const factsOf = ({ txns, rollups, ...rest }: CustomerSpec): SegmentCustomerFacts => ({
  ...rest,
  purchases: txns
    .filter((t) => t.kind === "Payment" && t.status === "Paid")
    .map((t) => ({ occurredAt: new Date(t.at), baseAmount: moneyOf(t.cents), category: t.category })),
  events: rollups.map((e) => ({ day: dayOf(e.dayOffset), eventType: e.eventType, name: e.name, count: e.count })),
});

describe("segment criteria: SQL and the evaluator agree", () => {
  it("on random criteria and random customers", async () => {
    // Criteria that split the customers (some match, some not) show the pools make both outcomes likely.
    let split = 0;
    let total = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(customerArb, { minLength: 1, maxLength: 12 }), fc.array(criteriaArb, { minLength: 1, maxLength: 6 }), async (specs, raws) => {
        const tenantId = `prop-${randomUUID()}`;
        const rows = await seed(tenantId, specs);
        for (const raw of raws) {
          const criteria = ZSegmentCriteria.parse(raw);
          const expected = rows.filter((r) => evaluateSegmentCriteria(criteria, factsOf(r.spec), clock)).map((r) => r.id).sort();
          const actual = await findCustomerIdsMatchingCriteria(db, tenantId, criteria, clock);
          expect({ criteria, ids: actual }).toEqual({ criteria, ids: expected });
          expect(await countCustomersMatchingCriteria(db, tenantId, criteria, clock)).toBe(expected.length);
          total += 1;
          if (expected.length > 0 && expected.length < rows.length) split += 1;
        }
      }),
      { numRuns: 40 },
    );
    expect(split / total).toBeGreaterThan(0.2);
  });

  it("loads the facts the evaluator needs as the generator made them", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(customerArb, { minLength: 1, maxLength: 6 }), async (specs) => {
        const tenantId = `prop-${randomUUID()}`;
        const rows = await seed(tenantId, specs);
        const loaded = await loadSegmentCustomerFacts(db, tenantId, rows.map((r) => r.id));
        for (const r of rows) {
          const want = factsOf(r.spec);
          const got = loaded.get(r.id)!;
          const norm = (f: SegmentCustomerFacts) => ({
            ...f,
            tags: [...f.tags].sort(),
            purchases: [...f.purchases].map((p) => ({ ...p, occurredAt: p.occurredAt.getTime() })).sort((a, b) => a.occurredAt - b.occurredAt || a.baseAmount.localeCompare(b.baseAmount) || a.category.localeCompare(b.category)),
            events: [...f.events].sort((a, b) => `${a.day}${a.eventType}`.localeCompare(`${b.day}${b.eventType}`)),
          });
          expect(norm(got)).toEqual(norm(want));
        }
      }),
      { numRuns: 10 },
    );
  });
});
