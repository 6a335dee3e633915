import { z } from "zod";
import { normalizeTag } from "../contact/contact";
import { CUSTOMER_RATINGS, CUSTOMER_SEGMENTS, CUSTOMER_STATUSES, CUSTOMER_TYPES, GENDERS } from "../customer/customer.types";
import { moneyProblem, normalizeMoney } from "../value/money";
import { TRACKED_EVENT_TYPES, type TrackedEventType } from "../tracking/tracking";
import { TRANSACTION_CATEGORIES } from "../value/transaction";

/**
 * Segment criteria (004 SegmentCriteria, issue 13 §1). A node's sections (demographics, behavioral,
 * geographic, purchaseHistory, customRules, allOf, anyOf, not) all must hold; `anyOf` needs one
 * of its nodes, `not` negates one node. Money is a decimal string in the tenant's base currency.
 * The same tree is evaluated by `evaluateSegmentCriteria` (one customer) and compiled to SQL by
 * the db package (the whole tenant); the two must agree.
 */

export const PURCHASE_PERIODS = { WEEKLY: 7, MONTHLY: 30, QUARTERLY: 90, YEARLY: 365 } as const;
export type PurchasePeriod = keyof typeof PURCHASE_PERIODS;

export type FieldKind = "enum" | "text" | "money" | "integer" | "boolean" | "tags" | "eventCount";

/** The customer fields a custom rule may name, with their type (which decides the operators). */
export const SEGMENT_FIELDS = {
  type: { kind: "enum", values: CUSTOMER_TYPES },
  status: { kind: "enum", values: CUSTOMER_STATUSES },
  segment: { kind: "enum", values: CUSTOMER_SEGMENTS },
  rating: { kind: "enum", values: CUSTOMER_RATINGS },
  gender: { kind: "enum", values: GENDERS },
  loyaltyTier: { kind: "text" },
  source: { kind: "text" },
  industry: { kind: "text" },
  companyName: { kind: "text" },
  billingCountry: { kind: "text" },
  billingCity: { kind: "text" },
  billingState: { kind: "text" },
  billingZipCode: { kind: "text" },
  lifetimeValue: { kind: "money" },
  totalEvents: { kind: "integer" },
  age: { kind: "integer" },
  emailVerified: { kind: "boolean" },
  phoneVerified: { kind: "boolean" },
  tags: { kind: "tags" },
} as const satisfies Record<string, { kind: FieldKind; values?: readonly string[] }>;
export type SegmentField = keyof typeof SEGMENT_FIELDS;

const COMPARE = ["equals", "not_equals", "greater_than", "greater_than_or_equal", "less_than", "less_than_or_equal", "between"] as const;
export const OPERATORS_BY_KIND = {
  enum: ["equals", "not_equals", "in", "not_in"],
  text: ["equals", "not_equals", "in", "not_in"],
  money: COMPARE,
  integer: COMPARE,
  eventCount: COMPARE,
  boolean: ["equals"],
  tags: ["contains", "not_contains"],
} as const satisfies Record<FieldKind, readonly string[]>;
export type RuleOperator = (typeof OPERATORS_BY_KIND)[FieldKind][number];

export type CustomRule = {
  /** A SEGMENT_FIELDS key, or `events.<TYPE>` / `events.CUSTOM.<name>` (a tracked-event count). */
  field: string;
  operator: RuleOperator;
  /** A string, number or boolean; an array for in/not_in; [low, high] for between. Money rules hold decimal strings. */
  value: RuleValue;
  /** Event-count rules: the window in days, today (UTC) included. */
  withinDays?: number;
};
export type RuleValue = string | number | boolean | string[] | number[];

export type IntRange = { min?: number; max?: number };
export type MoneyRange = { min?: string; max?: string };

export type SegmentCriteria = {
  demographics?: { ageRange?: IntRange; gender?: string[] };
  behavioral?: {
    /** Paid purchases in the last period. */
    purchaseFrequency?: IntRange & { period: PurchasePeriod };
    /** Average base amount of all paid purchases (a customer without purchases does not match). */
    averageOrderValue?: MoneyRange;
    /** Whole days since the last paid purchase (a customer without purchases does not match). */
    lastPurchaseDays?: IntRange;
    /** Has a paid purchase in one of these categories. */
    productCategories?: string[];
  };
  geographic?: { countries?: string[]; cities?: string[]; regions?: string[]; postalCodes?: string[] };
  /** Paid purchases (all time, or the last `withinDays` days): their total and their number. */
  purchaseHistory?: { totalSpent?: MoneyRange; purchaseCount?: IntRange; withinDays?: number };
  customRules?: CustomRule[];
  allOf?: SegmentCriteria[];
  anyOf?: SegmentCriteria[];
  not?: SegmentCriteria;
};

/** A parsed event field: its type and, for CUSTOM, its name ('' otherwise, as the rollups store it). */
export function parseEventField(field: string): { eventType: TrackedEventType; name: string } | null {
  const m = /^events\.([A-Z_]+)(?:\.(.+))?$/.exec(field);
  if (!m) return null;
  const eventType = m[1] as TrackedEventType;
  if (!(TRACKED_EVENT_TYPES as readonly string[]).includes(eventType)) return null;
  const name = m[2] ?? "";
  if (eventType === "CUSTOM" ? name.length === 0 || name.length > 100 : name.length > 0) return null;
  return { eventType, name };
}

/** The kind of a rule's field, or null when the field is unknown. */
export function fieldKind(field: string): FieldKind | null {
  if (Object.hasOwn(SEGMENT_FIELDS, field)) return SEGMENT_FIELDS[field as SegmentField].kind;
  return parseEventField(field) ? "eventCount" : null;
}

export const MAX_CRITERIA_DEPTH = 5;
export const MAX_LIST_VALUES = 200;
const MAX_DAYS = 3650;

const ZCount = z.number().int().min(0).max(1_000_000_000);
const ZIntRange = z.strictObject({ min: ZCount.optional(), max: ZCount.optional() });
const ZMoney = z
  .union([z.string(), z.number()])
  .transform((v, ctx) => {
    const s = typeof v === "number" ? String(v) : v.trim();
    const problem = moneyProblem(s);
    if (problem) {
      ctx.addIssue({ code: "custom", message: problem });
      return z.NEVER;
    }
    return normalizeMoney(s);
  });
const ZMoneyRange = z.strictObject({ min: ZMoney.optional(), max: ZMoney.optional() });
const ZText = z.string().trim().min(1).max(100);
const list = <T extends z.ZodType>(item: T) => z.array(item).min(1).max(MAX_LIST_VALUES);
const oneOfValues = (values: readonly string[]) =>
  z.string().refine((v) => values.includes(v), { message: `must be one of ${values.join(", ")}` });

const ZCustomRule = z.strictObject({
  field: z.string().min(1).max(120),
  operator: z.string().min(1).max(40),
  value: z.union([z.string().max(200), z.number(), z.boolean(), z.array(z.union([z.string().max(200), z.number()])).max(MAX_LIST_VALUES)]),
  withinDays: z.number().int().min(1).max(MAX_DAYS).optional(),
});

function rangeCheck(ctx: z.RefinementCtx, r: { min?: number | string; max?: number | string }, path: (string | number)[]) {
  if (r.min === undefined && r.max === undefined) ctx.addIssue({ code: "custom", path, message: "needs min or max" });
  else if (r.min !== undefined && r.max !== undefined && compareNumeric(r.min, r.max) > 0) {
    ctx.addIssue({ code: "custom", path: [...path, "max"], message: "must not be less than min" });
  }
}

/** Orders two integers or two decimal strings exactly (no floating point). */
function compareNumeric(a: number | string, b: number | string): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const cents = (s: string) => {
    const [w, f = ""] = String(s).split(".");
    return BigInt(w!) * 100n + BigInt(f.padEnd(2, "0"));
  };
  const d = cents(String(a)) - cents(String(b));
  return d === 0n ? 0 : d < 0n ? -1 : 1;
}

/** Checks a rule's operator and value against its field's type, normalizing money to decimal strings. */
function checkRule(rule: z.infer<typeof ZCustomRule>, ctx: z.RefinementCtx, path: (string | number)[]): CustomRule | null {
  const kind = fieldKind(rule.field);
  if (!kind) {
    ctx.addIssue({
      code: "custom",
      path: [...path, "field"],
      message: `unknown field "${rule.field.slice(0, 60)}"; use one of ${Object.keys(SEGMENT_FIELDS).join(", ")}, events.<TYPE> or events.CUSTOM.<name>`,
    });
    return null;
  }
  const operators: readonly string[] = OPERATORS_BY_KIND[kind];
  if (!operators.includes(rule.operator)) {
    ctx.addIssue({ code: "custom", path: [...path, "operator"], message: `"${rule.operator.slice(0, 40)}" is not valid for ${kind} field ${rule.field}; use one of ${operators.join(", ")}` });
    return null;
  }
  if (kind === "eventCount" && rule.withinDays === undefined) ctx.addIssue({ code: "custom", path: [...path, "withinDays"], message: "is required for an event count" });
  if (kind !== "eventCount" && rule.withinDays !== undefined) ctx.addIssue({ code: "custom", path: [...path, "withinDays"], message: "applies only to event counts" });
  const bad = (message: string) => {
    ctx.addIssue({ code: "custom", path: [...path, "value"], message });
    return null;
  };
  const v = rule.value;
  const op = rule.operator as RuleOperator;
  const scalar = (x: unknown): string | number | boolean | null => {
    switch (kind) {
      case "enum": {
        const values = (SEGMENT_FIELDS[rule.field as SegmentField] as { values: readonly string[] }).values;
        return typeof x === "string" && values.includes(x) ? x : null;
      }
      case "text":
        return typeof x === "string" && x.trim().length > 0 && x.trim().length <= 100 ? x.trim() : null;
      case "tags": {
        const tag = typeof x === "string" ? normalizeTag(x) : null;
        return tag?.ok ? tag.value : null;
      }
      case "money": {
        const s = typeof x === "number" ? String(x) : typeof x === "string" ? x.trim() : null;
        return s !== null && moneyProblem(s) === null ? normalizeMoney(s) : null;
      }
      case "integer":
      case "eventCount":
        return typeof x === "number" && Number.isInteger(x) && x >= 0 && x <= 1_000_000_000 ? x : null;
      case "boolean":
        return typeof x === "boolean" ? x : null;
    }
  };
  const expected =
    kind === "enum"
      ? `one of ${(SEGMENT_FIELDS[rule.field as SegmentField] as { values: readonly string[] }).values.join(", ")}`
      : kind === "money"
        ? "a decimal amount like 1000.00"
        : kind === "boolean"
          ? "true or false"
          : kind === "tags"
            ? "a tag: 1-50 letters, digits, hyphens or underscores"
            : kind === "text"
              ? "a text of 1-100 characters"
            : "a whole number from 0";
  if (op === "in" || op === "not_in") {
    if (!Array.isArray(v) || v.length === 0) return bad(`must be a non-empty list of ${expected}`);
    const items = (v as unknown[]).map(scalar);
    if (items.some((x) => x === null)) return bad(`every item must be ${expected}`);
    return { field: rule.field, operator: op, value: items as string[] };
  }
  if (op === "between") {
    if (!Array.isArray(v) || v.length !== 2) return bad(`must be [low, high], each ${expected}`);
    const [lo, hi] = (v as unknown[]).map(scalar);
    if (lo === null || hi === null || lo === undefined || hi === undefined) return bad(`must be [low, high], each ${expected}`);
    if (compareNumeric(lo as string | number, hi as string | number) > 0) return bad("low must not exceed high");
    return { field: rule.field, operator: op, value: [lo, hi] as string[] | number[], ...(rule.withinDays !== undefined ? { withinDays: rule.withinDays } : {}) };
  }
  const x = Array.isArray(v) ? null : scalar(v);
  if (x === null) return bad(`must be ${expected}`);
  return { field: rule.field, operator: op, value: x, ...(rule.withinDays !== undefined ? { withinDays: rule.withinDays } : {}) };
}

type RawNode = {
  demographics?: { ageRange?: { min?: number; max?: number }; gender?: string[] };
  behavioral?: {
    purchaseFrequency?: { min?: number; max?: number; period: PurchasePeriod };
    averageOrderValue?: MoneyRange;
    lastPurchaseDays?: IntRange;
    productCategories?: string[];
  };
  geographic?: { countries?: string[]; cities?: string[]; regions?: string[]; postalCodes?: string[] };
  purchaseHistory?: { totalSpent?: MoneyRange; purchaseCount?: IntRange; withinDays?: number };
  customRules?: z.infer<typeof ZCustomRule>[];
  allOf?: RawNode[];
  anyOf?: RawNode[];
  not?: RawNode;
};

const ZNode: z.ZodType<RawNode> = z.lazy(() =>
  z.strictObject({
    demographics: z
      .strictObject({
        ageRange: z.strictObject({ min: z.number().int().min(0).max(150).optional(), max: z.number().int().min(0).max(150).optional() }).optional(),
        gender: list(oneOfValues(GENDERS)).optional(),
      })
      .optional(),
    behavioral: z
      .strictObject({
        purchaseFrequency: z
          .strictObject({
            min: ZCount.optional(),
            max: ZCount.optional(),
            period: z.enum(Object.keys(PURCHASE_PERIODS) as [PurchasePeriod, ...PurchasePeriod[]]),
          })
          .optional(),
        averageOrderValue: ZMoneyRange.optional(),
        lastPurchaseDays: ZIntRange.optional(),
        productCategories: list(oneOfValues(TRANSACTION_CATEGORIES)).optional(),
      })
      .optional(),
    geographic: z
      .strictObject({
        countries: list(
          z
            .string()
            .trim()
            .toUpperCase()
            .regex(/^[A-Z]{2}$/, "must be an ISO 3166 alpha-2 country code such as ES"),
        ).optional(),
        cities: list(ZText).optional(),
        regions: list(ZText).optional(),
        postalCodes: list(z.string().trim().min(1).max(20)).optional(),
      })
      .optional(),
    purchaseHistory: z
      .strictObject({ totalSpent: ZMoneyRange.optional(), purchaseCount: ZIntRange.optional(), withinDays: z.number().int().min(1).max(MAX_DAYS).optional() })
      .optional(),
    customRules: z.array(ZCustomRule).max(50).optional(),
    allOf: z.array(ZNode).max(20).optional(),
    anyOf: z.array(ZNode).max(20).optional(),
    not: ZNode.optional(),
  }),
);

/** Validates the tree's meaning (ranges, rule types, no empty node, bounded depth) and normalizes it. */
function checkNode(node: RawNode, ctx: z.RefinementCtx, path: (string | number)[], depth: number): SegmentCriteria {
  const out: SegmentCriteria = {};
  const at = (...p: (string | number)[]) => [...path, ...p];
  if (depth > MAX_CRITERIA_DEPTH) {
    ctx.addIssue({ code: "custom", path, message: `criteria nest at most ${MAX_CRITERIA_DEPTH} levels deep` });
    return out;
  }
  const empty = (section: string) => ctx.addIssue({ code: "custom", path: at(section), message: "must specify at least one criterion" });
  if (node.demographics) {
    const d = node.demographics;
    if (d.ageRange === undefined && d.gender === undefined) empty("demographics");
    if (d.ageRange) rangeCheck(ctx, d.ageRange, at("demographics", "ageRange"));
    out.demographics = { ...d };
  }
  if (node.behavioral) {
    const b = node.behavioral;
    if (Object.values(b).every((x) => x === undefined)) empty("behavioral");
    if (b.purchaseFrequency) rangeCheck(ctx, b.purchaseFrequency, at("behavioral", "purchaseFrequency"));
    if (b.averageOrderValue) rangeCheck(ctx, b.averageOrderValue, at("behavioral", "averageOrderValue"));
    if (b.lastPurchaseDays) rangeCheck(ctx, b.lastPurchaseDays, at("behavioral", "lastPurchaseDays"));
    out.behavioral = { ...b };
  }
  if (node.geographic) {
    if (Object.values(node.geographic).every((x) => x === undefined)) empty("geographic");
    out.geographic = { ...node.geographic };
  }
  if (node.purchaseHistory) {
    const p = node.purchaseHistory;
    if (p.totalSpent === undefined && p.purchaseCount === undefined) {
      ctx.addIssue({ code: "custom", path: at("purchaseHistory"), message: "needs totalSpent or purchaseCount" });
    }
    if (p.totalSpent) rangeCheck(ctx, p.totalSpent, at("purchaseHistory", "totalSpent"));
    if (p.purchaseCount) rangeCheck(ctx, p.purchaseCount, at("purchaseHistory", "purchaseCount"));
    out.purchaseHistory = { ...p };
  }
  if (node.customRules) {
    if (node.customRules.length === 0) empty("customRules");
    const rules = node.customRules.map((r, i) => checkRule(r, ctx, at("customRules", i)));
    out.customRules = rules.filter((r): r is CustomRule => r !== null);
  }
  for (const key of ["allOf", "anyOf"] as const) {
    const nodes = node[key];
    if (!nodes) continue;
    if (nodes.length === 0) empty(key);
    out[key] = nodes.map((n, i) => checkNode(n, ctx, at(key, i), depth + 1));
  }
  if (node.not) out.not = checkNode(node.not, ctx, at("not"), depth + 1);
  if (Object.keys(node).every((k) => node[k as keyof RawNode] === undefined)) {
    ctx.addIssue({ code: "custom", path, message: "must specify at least one criterion" });
  }
  return out;
}

/** The criteria at the edge: unknown keys, unknown fields, wrong operators and empty criteria are 400s naming the field. */
export const ZSegmentCriteria: z.ZodType<SegmentCriteria, unknown> = ZNode.transform((node, ctx) => checkNode(node, ctx, [], 1));
