import "../../zod-setup";
import { z } from "zod";
import { ZId } from "../shared.schemas";

export const ZLoyaltyRun = z.object({
  runId: z.string(),
  kind: z.literal("Loyalty"),
  trigger: z.enum(["Monthly", "OnDemand"]),
  status: z.enum(["Queued", "Running", "Completed", "Failed"]),
  asOf: z.string().describe("the instant the trailing 12 months end at"),
  total: z.number().int(),
  processed: z.number().int(),
  changed: z.number().int().describe("customers whose tier changed"),
  failureReason: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
});

export const ZLoyaltyRunRef = z.object({ runId: ZId });

export const ZCustomerLoyalty = z.object({
  customerId: z.string(),
  tier: z.string().nullable().describe("as of the last run; null before the first"),
  since: z.string().nullable(),
  trailingSpend: z.string().describe("Paid payments minus paid refunds of the last 12 months, in the base currency, now"),
  tiers: z.array(z.object({ name: z.string(), minSpend: z.string() })),
  history: z.array(z.object({ from: z.string().nullable(), to: z.string(), spend: z.string(), runId: z.string(), changedAt: z.string() })).describe("newest first, at most 100"),
});
