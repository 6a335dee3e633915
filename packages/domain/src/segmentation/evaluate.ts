import { foldText } from "../customer/fold";
import { parseSignedMoney } from "../value/money";
import { PURCHASE_PERIODS, parseEventField, type CustomRule, type IntRange, type MoneyRange, type SegmentCriteria, type SegmentField } from "./criteria";

/** A paid purchase: a Paid Payment of the ledger (what lifetime value counts), in base currency. */
export type SegmentPurchase = { occurredAt: Date; baseAmount: string; category: string };
/** One tracked-event rollup row: a day (YYYY-MM-DD, UTC), a type, a CUSTOM name ('' otherwise), a count. */
export type SegmentEventCount = { day: string; eventType: string; name: string; count: number };

/** What the evaluator knows of one customer (the same data the SQL compilation reads). */
export type SegmentCustomerFacts = {
  type: string;
  status: string;
  segment: string;
  rating: string;
  gender: string | null;
  loyaltyTier: string | null;
  source: string | null;
  industry: string | null;
  companyName: string;
  billingCountry: string;
  billingCity: string;
  billingState: string;
  billingZipCode: string;
  lifetimeValue: string;
  totalEvents: number;
  /** YYYY-MM-DD or null. */
  dateOfBirth: string | null;
  emailVerified: boolean;
  phoneVerified: boolean;
  tags: string[];
  purchases: SegmentPurchase[];
  events: SegmentEventCount[];
};

const DAY_MS = 86_400_000;

/** The instants and days a criteria evaluation is relative to; the SQL compilation uses the same ones. */
export type SegmentClock = { now: Date; today: string };
export const segmentClock = (now: Date): SegmentClock => ({ now, today: now.toISOString().slice(0, 10) });

/** Purchases at or after this instant are within the last `days` days. */
export const purchaseWindowStart = (clock: SegmentClock, days: number) => new Date(clock.now.getTime() - days * DAY_MS);
/** The first rollup day of a window of `days` days ending today. */
export function eventWindowStartDay(clock: SegmentClock, days: number): string {
  return new Date(Date.parse(`${clock.today}T00:00:00Z`) - (days - 1) * DAY_MS).toISOString().slice(0, 10);
}
/**
 * "Whole days since the last purchase" as bounds on the last purchase instant: at least `min`
 * days ⇔ last ≤ now − min days; at most `max` days ⇔ last > now − (max + 1) days.
 */
export function lastPurchaseBounds(clock: SegmentClock, r: IntRange): { atMost?: Date; after?: Date } {
  return {
    ...(r.min !== undefined ? { atMost: new Date(clock.now.getTime() - r.min * DAY_MS) } : {}),
    ...(r.max !== undefined ? { after: new Date(clock.now.getTime() - (r.max + 1) * DAY_MS) } : {}),
  };
}

/** Whole years from a birth date to today, as MySQL's TIMESTAMPDIFF(YEAR, …) counts them. */
export function ageOn(dateOfBirth: string, today: string): number {
  const [by, bm, bd] = dateOfBirth.split("-").map(Number) as [number, number, number];
  const [ty, tm, td] = today.split("-").map(Number) as [number, number, number];
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}

const inRange = (n: number, r: IntRange) => (r.min === undefined || n >= r.min) && (r.max === undefined || n <= r.max);
const cents = (s: string) => parseSignedMoney(s);
const inMoneyRange = (c: bigint, r: MoneyRange) => (r.min === undefined || c >= cents(r.min)) && (r.max === undefined || c <= cents(r.max));
/** Text compares as the database's utf8mb4_unicode_ci collation does: case and accents ignored. */
const sameText = (a: string, b: string) => foldText(a.trimEnd()) === foldText(b.trimEnd());

function compare(actual: bigint | number | null, op: CustomRule["operator"], value: CustomRule["value"], toNum: (v: string | number) => bigint | number): boolean {
  if (actual === null) return op === "not_equals" ? true : false;
  if (op === "between") {
    const [lo, hi] = (value as (string | number)[]).map(toNum) as [bigint | number, bigint | number];
    return actual >= lo && actual <= hi;
  }
  const v = toNum(value as string | number);
  switch (op) {
    case "equals":
      return actual === v;
    case "not_equals":
      return actual !== v;
    case "greater_than":
      return actual > v;
    case "greater_than_or_equal":
      return actual >= v;
    case "less_than":
      return actual < v;
    case "less_than_or_equal":
      return actual <= v;
    default:
      return false;
  }
}

function ruleHolds(rule: CustomRule, f: SegmentCustomerFacts, clock: SegmentClock): boolean {
  const event = parseEventField(rule.field);
  if (event) {
    const from = eventWindowStartDay(clock, rule.withinDays ?? 1);
    const total = f.events
      .filter((e) => e.eventType === event.eventType && sameText(e.name, event.name) && e.day >= from && e.day <= clock.today)
      .reduce((s, e) => s + e.count, 0);
    return compare(total, rule.operator, rule.value, Number);
  }
  const field = rule.field as SegmentField;
  switch (field) {
    case "tags": {
      const has = f.tags.some((t) => t.toLowerCase() === String(rule.value).toLowerCase());
      return rule.operator === "contains" ? has : !has;
    }
    case "lifetimeValue":
      return compare(cents(f.lifetimeValue), rule.operator, rule.value, (v) => cents(String(v)));
    case "totalEvents":
      return compare(f.totalEvents, rule.operator, rule.value, Number);
    case "age":
      return compare(f.dateOfBirth === null ? null : ageOn(f.dateOfBirth, clock.today), rule.operator, rule.value, Number);
    case "emailVerified":
    case "phoneVerified":
      return f[field] === rule.value;
    default: {
      const actual = f[field];
      const values = Array.isArray(rule.value) ? (rule.value as string[]) : [String(rule.value)];
      const hit = actual !== null && values.some((v) => sameText(actual, v));
      return rule.operator === "equals" || rule.operator === "in" ? hit : !hit;
    }
  }
}

function purchaseSummary(purchases: SegmentPurchase[]) {
  return { count: purchases.length, total: purchases.reduce((s, p) => s + cents(p.baseAmount), 0n) };
}

/** Whether one customer matches the criteria at `clock` (the single-customer half of the engine). */
export function evaluateSegmentCriteria(c: SegmentCriteria, f: SegmentCustomerFacts, clock: SegmentClock): boolean {
  const d = c.demographics;
  if (d?.ageRange && (f.dateOfBirth === null || !inRange(ageOn(f.dateOfBirth, clock.today), d.ageRange))) return false;
  if (d?.gender && (f.gender === null || !d.gender.includes(f.gender))) return false;

  const b = c.behavioral;
  if (b?.purchaseFrequency) {
    const from = purchaseWindowStart(clock, PURCHASE_PERIODS[b.purchaseFrequency.period]).getTime();
    if (!inRange(f.purchases.filter((p) => p.occurredAt.getTime() >= from).length, b.purchaseFrequency)) return false;
  }
  if (b?.averageOrderValue) {
    // avg ≥ min ⇔ total ≥ min × count, exact in cents (no division).
    const { count, total } = purchaseSummary(f.purchases);
    const r = b.averageOrderValue;
    if (count === 0) return false;
    if (r.min !== undefined && total < cents(r.min) * BigInt(count)) return false;
    if (r.max !== undefined && total > cents(r.max) * BigInt(count)) return false;
  }
  if (b?.lastPurchaseDays) {
    if (f.purchases.length === 0) return false;
    const last = Math.max(...f.purchases.map((p) => p.occurredAt.getTime()));
    const { atMost, after } = lastPurchaseBounds(clock, b.lastPurchaseDays);
    if (atMost && last > atMost.getTime()) return false;
    if (after && last <= after.getTime()) return false;
  }
  if (b?.productCategories && !f.purchases.some((p) => b.productCategories!.includes(p.category))) return false;

  const g = c.geographic;
  if (g?.countries && !g.countries.includes(f.billingCountry.toUpperCase())) return false;
  if (g?.cities && !g.cities.some((x) => sameText(x, f.billingCity))) return false;
  if (g?.regions && !g.regions.some((x) => sameText(x, f.billingState))) return false;
  if (g?.postalCodes && !g.postalCodes.some((x) => sameText(x, f.billingZipCode))) return false;

  const h = c.purchaseHistory;
  if (h) {
    const from = h.withinDays === undefined ? null : purchaseWindowStart(clock, h.withinDays).getTime();
    const { count, total } = purchaseSummary(from === null ? f.purchases : f.purchases.filter((p) => p.occurredAt.getTime() >= from));
    if (h.totalSpent && !inMoneyRange(total, h.totalSpent)) return false;
    if (h.purchaseCount && !inRange(count, h.purchaseCount)) return false;
  }

  if (c.customRules && !c.customRules.every((r) => ruleHolds(r, f, clock))) return false;
  if (c.allOf && !c.allOf.every((n) => evaluateSegmentCriteria(n, f, clock))) return false;
  if (c.anyOf && !c.anyOf.some((n) => evaluateSegmentCriteria(n, f, clock))) return false;
  if (c.not && evaluateSegmentCriteria(c.not, f, clock)) return false;
  return true;
}
