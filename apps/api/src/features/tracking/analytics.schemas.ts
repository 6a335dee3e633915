import "../../zod-setup";
import { ACTIVITY_WINDOWS, TRACKED_EVENT_TYPES } from "@clientele/domain";
import { z } from "zod";
import { ZId } from "../shared.schemas";

const ZDay = z.iso.date("must be a date as YYYY-MM-DD");

export const ZCustomerAnalyticsInput = z.object({ customerId: ZId });

const ZCounts = z.object({
  days: z.number().int(),
  total: z.number().int(),
  byType: z.partialRecord(z.enum(TRACKED_EVENT_TYPES), z.number().int()).describe("event types with at least one event in the window"),
  custom: z.record(z.string(), z.number().int()).describe("CUSTOM events by name"),
});

export const ZCustomerAnalytics = z.object({
  customerId: z.string(),
  asOf: z.string().describe("the UTC day the windows end on (included)"),
  windows: z.array(ZCounts).describe(`activity over the last ${ACTIVITY_WINDOWS.join(", ")} days, today included, from the daily rollups`),
  lastSeenAt: z.string().nullable().describe("the latest occurredAt of a stored tracked event"),
  engagement: z.object({
    score: z.number().int().describe("0..100, the sum of the factors' points"),
    factors: z.array(z.object({ factor: z.enum(["recency", "frequency", "breadth", "conversion"]), value: z.number().int(), points: z.number().int(), maxPoints: z.number().int() })),
  }),
  rfm: z.object({ recency: z.number().int(), frequency: z.number().int(), monetary: z.number().int() }).describe("1..5 each: days since last seen, PURCHASE events in 90 days, lifetime value"),
  lifetimeValue: z.string().describe("issue 12's lifetime value in the tenant's base currency, exact"),
});

const MAX_RANGE_DAYS = 366;
export const ZDayRangeInput = z
  .object({ from: ZDay, to: ZDay })
  .refine((r) => r.from <= r.to, { path: ["to"], message: "must not be before from" })
  .refine((r) => (Date.parse(r.to) - Date.parse(r.from)) / 86_400_000 < MAX_RANGE_DAYS, { path: ["to"], message: `the range must be at most ${MAX_RANGE_DAYS} days` });

export const ZNewCustomers = z.object({ days: z.array(z.object({ day: z.string(), source: z.string().nullable(), type: z.string(), customers: z.number().int() })) });
export const ZActiveCustomers = z.object({
  daily: z.array(z.object({ day: z.string(), customers: z.number().int() })),
  monthly: z.array(z.object({ month: z.string(), customers: z.number().int() })).describe("distinct active customers in each calendar month the range touches (the whole month)"),
});
export const ZTierDistribution = z.object({ tiers: z.array(z.object({ tier: z.string(), customers: z.number().int() })) });

export const ZCohortsInput = z.object({ fromMonth: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "must be a month as YYYY-MM").meta({ example: "2026-01" }) });
export const ZCohorts = z.object({
  cohorts: z.array(
    z.object({
      cohort: z.string().describe("signup month, YYYY-MM"),
      customers: z.number().int(),
      active: z.array(z.object({ month: z.string(), monthOffset: z.number().int(), customers: z.number().int(), rate: z.string().describe("customers active that month / cohort size, as a decimal with 4 places") })),
    }),
  ),
});
