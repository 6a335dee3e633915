import {
  eventWindowStartDay,
  lastPurchaseBounds,
  parseEventField,
  PURCHASE_PERIODS,
  purchaseWindowStart,
  type CustomRule,
  type IntRange,
  type MoneyRange,
  type SegmentClock,
  type SegmentCriteria,
  type SegmentCustomerFacts,
  type SegmentField,
} from "@clientele/domain";
import { sql, type Expression, type ExpressionBuilder, type RawBuilder, type SqlBool } from "kysely";
import type { DbOrTrx } from "../connection";
import type { Database } from "../schema";

/**
 * Segment criteria rendered as one SQL predicate over `customers` (the whole-tenant half of the
 * engine; the domain's evaluateSegmentCriteria is the one-customer half and the two must agree).
 * Every predicate is two-valued (never NULL), so `not` negates exactly as the evaluator does.
 */

type EB = ExpressionBuilder<Database, "customers">;
type Pred = Expression<SqlBool>;

const TRUE = sql<SqlBool>`true`;
const money = (s: string) => sql`cast(${s} as decimal(18,2))`;

const COLUMNS = {
  type: "customers.type",
  status: "customers.status",
  segment: "customers.segment",
  rating: "customers.rating",
  gender: "customers.gender",
  loyaltyTier: "customers.loyaltyTier",
  source: "customers.source",
  industry: "customers.industry",
  companyName: "customers.companyName",
  billingCountry: "customers.billingCountry",
  billingCity: "customers.billingCity",
  billingState: "customers.billingState",
  billingZipCode: "customers.billingZipCode",
} as const;

/** Paid payments (the purchases criteria speak of) of the outer customer, optionally from an instant. */
function purchases(eb: EB, from?: Date) {
  return eb
    .selectFrom("customerTransactions as t")
    .whereRef("t.tenantId", "=", "customers.tenantId")
    .whereRef("t.customerId", "=", "customers.id")
    .where("t.kind", "=", "Payment")
    .where("t.status", "=", "Paid")
    .$if(from !== undefined, (q) => q.where("t.occurredAt", ">=", from!));
}

const intRange = (eb: EB, value: Expression<unknown>, r: IntRange): Pred =>
  eb.and([...(r.min !== undefined ? [eb(value, ">=", r.min)] : []), ...(r.max !== undefined ? [eb(value, "<=", r.max)] : [])]);
const moneyRange = (eb: EB, value: Expression<unknown>, r: MoneyRange): Pred =>
  eb.and([...(r.min !== undefined ? [eb(value, ">=", money(r.min))] : []), ...(r.max !== undefined ? [eb(value, "<=", money(r.max))] : [])]);

/** `value OP operand` for the comparison operators, two-valued when `value` may be NULL. */
function comparison(eb: EB, value: Expression<unknown>, rule: CustomRule, operand: (v: string | number) => unknown, nullable: boolean): Pred {
  const known = (p: Pred): Pred => (nullable ? eb.and([eb(value, "is not", null), p]) : p);
  switch (rule.operator) {
    case "between": {
      const [lo, hi] = rule.value as (string | number)[];
      return known(eb.between(value, operand(lo!), operand(hi!)));
    }
    case "not_equals":
      return eb.not(known(eb(value, "=", operand(rule.value as string | number))));
    default: {
      const op = { equals: "=", greater_than: ">", greater_than_or_equal: ">=", less_than: "<", less_than_or_equal: "<=" }[rule.operator as "equals"];
      return known(eb(value, op as "=", operand(rule.value as string | number)));
    }
  }
}

function customRule(eb: EB, rule: CustomRule, clock: SegmentClock): Pred {
  const event = parseEventField(rule.field);
  if (event) {
    const total = eb.fn.coalesce(
      eb
        .selectFrom("customerEventRollups as r")
        .whereRef("r.tenantId", "=", "customers.tenantId")
        .whereRef("r.customerId", "=", "customers.id")
        .where("r.eventType", "=", event.eventType)
        .where("r.name", "=", event.name)
        .where("r.day", ">=", eventWindowStartDay(clock, rule.withinDays ?? 1))
        .where("r.day", "<=", clock.today)
        .select((s) => s.fn.sum<number>("r.count").as("n")),
      sql.lit(0),
    );
    return comparison(eb, total, rule, (v) => v, false);
  }
  const field = rule.field as SegmentField;
  switch (field) {
    case "tags": {
      const has = eb.exists(
        eb
          .selectFrom("customerTags as g")
          .whereRef("g.tenantId", "=", "customers.tenantId")
          .whereRef("g.customerId", "=", "customers.id")
          .where("g.tag", "=", String(rule.value))
          .select(sql.lit(1).as("one")),
      );
      return rule.operator === "contains" ? has : eb.not(has);
    }
    case "lifetimeValue":
      return comparison(eb, eb.ref("customers.lifetimeValue"), rule, (v) => money(String(v)), false);
    case "totalEvents":
      return comparison(eb, eb.ref("customers.totalEvents"), rule, (v) => v, false);
    case "age":
      return comparison(eb, age(clock), rule, (v) => v, true);
    case "emailVerified":
    case "phoneVerified":
      return eb(eb.ref(`customers.${field}`), "=", rule.value ? 1 : 0);
    default: {
      const column = eb.ref(COLUMNS[field]);
      const values = Array.isArray(rule.value) ? (rule.value as string[]) : [String(rule.value)];
      const hit = eb.and([eb(column, "is not", null), eb(column, "in", values)]);
      return rule.operator === "equals" || rule.operator === "in" ? hit : eb.not(hit);
    }
  }
}

const age = (clock: SegmentClock): RawBuilder<number> => sql<number>`timestampdiff(year, customers.date_of_birth, cast(${clock.today} as date))`;

function criteriaPredicate(eb: EB, c: SegmentCriteria, clock: SegmentClock): Pred {
  const parts: Pred[] = [];
  const d = c.demographics;
  if (d?.ageRange) parts.push(eb.and([eb("customers.dateOfBirth", "is not", null), intRange(eb, age(clock), d.ageRange)]));
  if (d?.gender) parts.push(eb.and([eb("customers.gender", "is not", null), eb("customers.gender", "in", d.gender)]));

  const b = c.behavioral;
  if (b?.purchaseFrequency) {
    const from = purchaseWindowStart(clock, PURCHASE_PERIODS[b.purchaseFrequency.period]);
    parts.push(intRange(eb, purchases(eb, from).select((s) => s.fn.countAll().as("n")), b.purchaseFrequency));
  }
  if (b?.averageOrderValue) {
    // avg ≥ min ⇔ sum − min × count ≥ 0: exact decimals, and NULL (no purchases) folds to false.
    const r = b.averageOrderValue;
    const bound = (x: string, op: ">=" | "<=") =>
      eb.fn.coalesce(
        eb(purchases(eb).select(sql<string>`sum(t.base_amount) - ${money(x)} * count(*)`.as("d")), op, sql<string>`0`),
        sql.lit(false),
      ) as Pred;
    parts.push(eb.and([...(r.min !== undefined ? [bound(r.min, ">=")] : []), ...(r.max !== undefined ? [bound(r.max, "<=")] : [])]));
  }
  if (b?.lastPurchaseDays) {
    const { atMost, after } = lastPurchaseBounds(clock, b.lastPurchaseDays);
    const last = purchases(eb).select((s) => s.fn.max("t.occurredAt").as("last"));
    const bounds: Pred[] = [eb.exists(purchases(eb).select(sql.lit(1).as("one")))];
    if (atMost) bounds.push(eb.fn.coalesce(eb(last, "<=", atMost), sql.lit(false)) as Pred);
    if (after) bounds.push(eb.fn.coalesce(eb(last, ">", after), sql.lit(false)) as Pred);
    parts.push(eb.and(bounds));
  }
  if (b?.productCategories) parts.push(eb.exists(purchases(eb).where("t.category", "in", b.productCategories).select(sql.lit(1).as("one"))));

  const g = c.geographic;
  if (g?.countries) parts.push(eb("customers.billingCountry", "in", g.countries));
  if (g?.cities) parts.push(eb("customers.billingCity", "in", g.cities));
  if (g?.regions) parts.push(eb("customers.billingState", "in", g.regions));
  if (g?.postalCodes) parts.push(eb("customers.billingZipCode", "in", g.postalCodes));

  const h = c.purchaseHistory;
  if (h) {
    const from = h.withinDays === undefined ? undefined : purchaseWindowStart(clock, h.withinDays);
    if (h.totalSpent) {
      parts.push(moneyRange(eb, eb.fn.coalesce(purchases(eb, from).select((s) => s.fn.sum<string>("t.baseAmount").as("s")), sql.lit(0)), h.totalSpent));
    }
    if (h.purchaseCount) parts.push(intRange(eb, purchases(eb, from).select((s) => s.fn.countAll().as("n")), h.purchaseCount));
  }

  for (const rule of c.customRules ?? []) parts.push(customRule(eb, rule, clock));
  if (c.allOf) parts.push(eb.and(c.allOf.map((n) => criteriaPredicate(eb, n, clock))));
  if (c.anyOf) parts.push(eb.or(c.anyOf.map((n) => criteriaPredicate(eb, n, clock))));
  if (c.not) parts.push(eb.not(criteriaPredicate(eb, c.not, clock)));
  return parts.length === 0 ? TRUE : eb.and(parts);
}

/** The tenant's customers a segment's criteria may hold: every customer not deleted. */
function candidates(db: DbOrTrx, tenantId: string, c: SegmentCriteria, clock: SegmentClock) {
  return db
    .selectFrom("customers")
    .where("customers.tenantId", "=", tenantId)
    .where("customers.isDeleted", "=", 0)
    .where((eb) => criteriaPredicate(eb, c, clock));
}

/** Ids of the tenant's customers matching the criteria (optionally in an id range or among `onlyIds`), ascending. */
export async function findCustomerIdsMatchingCriteria(
  db: DbOrTrx,
  tenantId: string,
  criteria: SegmentCriteria,
  clock: SegmentClock,
  opts: { afterId?: string; upToId?: string; limit?: number; onlyIds?: string[] } = {},
): Promise<string[]> {
  if (opts.onlyIds?.length === 0) return [];
  const rows = await candidates(db, tenantId, criteria, clock)
    .$if(opts.afterId !== undefined, (q) => q.where("customers.id", ">", opts.afterId!))
    .$if(opts.upToId !== undefined, (q) => q.where("customers.id", "<=", opts.upToId!))
    .$if(opts.onlyIds !== undefined, (q) => q.where("customers.id", "in", opts.onlyIds!))
    .select("customers.id")
    .orderBy("customers.id")
    .$if(opts.limit !== undefined, (q) => q.limit(opts.limit!))
    .execute();
  return rows.map((r) => r.id);
}

/** How many of the tenant's customers match (the preview count for unsaved criteria). */
export async function countCustomersMatchingCriteria(db: DbOrTrx, tenantId: string, criteria: SegmentCriteria, clock: SegmentClock): Promise<number> {
  const row = await candidates(db, tenantId, criteria, clock)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** What the pure evaluator needs of each customer (not deleted) among `customerIds`, by id. */
export async function loadSegmentCustomerFacts(db: DbOrTrx, tenantId: string, customerIds: string[]): Promise<Map<string, SegmentCustomerFacts>> {
  const out = new Map<string, SegmentCustomerFacts>();
  if (customerIds.length === 0) return out;
  const [customers, tags, paid, events] = await Promise.all([
    db
      .selectFrom("customers")
      .where("tenantId", "=", tenantId)
      .where("id", "in", customerIds)
      .where("isDeleted", "=", 0)
      .select([
        "id",
        "type",
        "status",
        "segment",
        "rating",
        "gender",
        "loyaltyTier",
        "source",
        "industry",
        "companyName",
        "billingCountry",
        "billingCity",
        "billingState",
        "billingZipCode",
        "lifetimeValue",
        "totalEvents",
        "dateOfBirth",
        "emailVerified",
        "phoneVerified",
      ])
      .execute(),
    db.selectFrom("customerTags").where("tenantId", "=", tenantId).where("customerId", "in", customerIds).select(["customerId", "tag"]).execute(),
    db
      .selectFrom("customerTransactions")
      .where("tenantId", "=", tenantId)
      .where("customerId", "in", customerIds)
      .where("kind", "=", "Payment")
      .where("status", "=", "Paid")
      .select(["customerId", "occurredAt", "baseAmount", "category"])
      .execute(),
    db
      .selectFrom("customerEventRollups")
      .where("tenantId", "=", tenantId)
      .where("customerId", "in", customerIds)
      .select(["customerId", "day", "eventType", "name", "count"])
      .execute(),
  ]);
  for (const c of customers) {
    const { id, emailVerified, phoneVerified, dateOfBirth, ...rest } = c;
    out.set(id, {
      ...rest,
      dateOfBirth: dateOfBirth ? isoDay(dateOfBirth) : null,
      emailVerified: Boolean(emailVerified),
      phoneVerified: Boolean(phoneVerified),
      totalEvents: Number(rest.totalEvents),
      tags: [],
      purchases: [],
      events: [],
    });
  }
  for (const t of tags) out.get(t.customerId)?.tags.push(t.tag);
  for (const p of paid) out.get(p.customerId)?.purchases.push({ occurredAt: p.occurredAt, baseAmount: p.baseAmount, category: p.category });
  for (const e of events) {
    const day = e.day as unknown;
    out.get(e.customerId)?.events.push({ day: day instanceof Date ? isoDay(day) : String(day), eventType: e.eventType, name: e.name, count: Number(e.count) });
  }
  return out;
}
