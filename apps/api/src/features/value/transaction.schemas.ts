import "../../zod-setup";
import { CUSTOMER_SEGMENTS, TRANSACTION_CATEGORIES, TRANSACTION_KINDS, TRANSACTION_STATUSES, ZCurrencyCode, ZMoneyString, ZRateString } from "@clientele/domain";
import { z } from "zod";
import { text, ZDateTime, ZId, ZPage, ZPageSize } from "../shared.schemas";

const idempotencyKey = text(100)
  .min(1, "is required")
  .describe("the caller's unique id for this transaction: a repeat with the same key and content is applied once; with other content it is 409 TXN-001");

export const ZTransactionFields = z.object({
  kind: z.enum(TRANSACTION_KINDS).describe("Payment and Refund move lifetime value when Paid; Order is purchase history and counts nothing until paid"),
  category: z.enum(TRANSACTION_CATEGORIES).default("Other"),
  status: z.enum(TRANSACTION_STATUSES).default("Paid").describe("only Paid counts toward lifetime value"),
  amount: ZMoneyString.describe("in `currency`, non-negative, at most 2 decimals, as a string (a refund is a positive amount of kind Refund)"),
  currency: ZCurrencyCode,
  exchangeRate: ZRateString.nullable()
    .optional()
    .describe("units of the tenant's base currency per unit of `currency`; when absent the value settings' exchangeRates table is used, and without either the request is a 400"),
  occurredAt: ZDateTime,
  dueAt: ZDateTime.nullable().optional().describe("when the payment fell due: a Paid payment after it is recorded as late"),
  externalReference: text(100).nullable().optional().describe("the id in the billing or ticketing system"),
  idempotencyKey,
});

export const ZRecordTransactionInput = ZTransactionFields.extend({ customerId: ZId });

export const ZTransaction = z.object({
  id: z.string(),
  customerId: z.string(),
  kind: z.enum(TRANSACTION_KINDS),
  category: z.enum(TRANSACTION_CATEGORIES),
  status: z.enum(TRANSACTION_STATUSES),
  amount: z.string(),
  currency: z.string(),
  exchangeRate: z.string(),
  baseAmount: z.string().describe("the amount in the tenant's base currency, rounded half-up to cents"),
  occurredAt: z.string(),
  dueAt: z.string().nullable(),
  late: z.boolean(),
  externalReference: z.string().nullable(),
  idempotencyKey: z.string(),
  source: z.enum(["api", "stream"]),
  createdAt: z.string(),
  createdBy: z.string(),
});

const ZSegmentChange = z.object({ from: z.enum(CUSTOMER_SEGMENTS), to: z.enum(CUSTOMER_SEGMENTS), reason: z.enum(["auto", "override", "cleared"]) });

export const ZRecordTransactionOutput = z.object({
  transaction: ZTransaction,
  replayed: z.boolean().describe("true when the key was already recorded: nothing was applied again"),
  lifetimeValue: z.string().describe("the customer's lifetime value after this transaction, exact to 2 decimals"),
  segment: z.enum(CUSTOMER_SEGMENTS),
  segmentChange: ZSegmentChange.nullable(),
});

/**
 * Batch items are checked one by one (an invalid item is rejected alone, the others still apply),
 * so their fields are plain strings here and the domain gives each item its field messages.
 */
export const ZBatchItem = z.object({
  customerId: text(36),
  kind: text(20),
  category: text(20).default("Other"),
  status: text(20).default("Paid"),
  amount: text(30),
  currency: text(10),
  exchangeRate: text(30).nullable().optional(),
  occurredAt: text(40).describe("ISO 8601 date-time"),
  dueAt: text(40).nullable().optional(),
  externalReference: text(200).nullable().optional(),
  idempotencyKey: text(200),
});

export const ZRecordBatchInput = z.object({ items: z.array(ZBatchItem).min(1, "must have at least 1 item").max(500, "must have at most 500 items") });

export const ZBatchResult = z.object({
  index: z.number().int(),
  outcome: z.enum(["recorded", "duplicate", "rejected"]),
  transaction: ZTransaction.nullable(),
  lifetimeValue: z.string().nullable(),
  segment: z.enum(CUSTOMER_SEGMENTS).nullable(),
  error: z.object({ status: z.number().int(), code: z.string(), message: z.string(), errors: z.record(z.string(), z.array(z.string())) }).nullable(),
});

export const ZRecordBatchOutput = z.object({
  recorded: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.number().int(),
  results: z.array(ZBatchResult),
});

export const ZListTransactionsInput = z.object({ customerId: ZId, page: ZPage, pageSize: ZPageSize });
export const ZListTransactionsOutput = z.object({
  items: z.array(ZTransaction),
  totalCount: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  totalPages: z.number().int(),
});

export const ZValueInput = z.object({
  customerId: ZId,
  from: ZDateTime.optional().describe("start of the history range (default: 90 days before `to`)"),
  to: ZDateTime.optional().describe("end of the history range, exclusive (default: now)"),
});

const ZOverride = z.object({ segment: z.enum(CUSTOMER_SEGMENTS), reason: z.string(), by: z.string(), at: z.string() });

export const ZCustomerValue = z.object({
  customerId: z.string(),
  lifetimeValue: z.string().describe("Paid payments minus Paid refunds in the base currency, exact to 2 decimals"),
  baseCurrency: z.string(),
  totalEvents: z.number().int(),
  segment: z.enum(CUSTOMER_SEGMENTS),
  segmentOverride: ZOverride.nullable(),
  ruleSegment: z.enum(CUSTOMER_SEGMENTS).describe("what the tier rule gives at this lifetime value (the segment when no override holds)"),
  version: z.number().int(),
  history: z.object({
    from: z.string(),
    to: z.string(),
    changes: z.array(z.object({ at: z.string(), lifetimeValue: z.string(), delta: z.string(), transactionId: z.string().nullable() })).describe("every change in the range, oldest first (at most 5000)"),
    changesTruncated: z.boolean().describe("true when the range holds more than 5000 changes: narrow it to see them all (daily is complete either way)"),
    daily: z.array(z.object({ date: z.string(), lifetimeValue: z.string() })).describe("the closing value of each UTC day in the range"),
  }),
  segmentHistory: z.array(
    z.object({ from: z.enum(CUSTOMER_SEGMENTS), to: z.enum(CUSTOMER_SEGMENTS), reason: z.enum(["auto", "override", "cleared"]), note: z.string().nullable(), changedBy: z.string(), changedAt: z.string() }),
  ),
});

export const ZSetOverrideInput = z.object({
  customerId: ZId,
  segment: z.enum(CUSTOMER_SEGMENTS),
  reason: text(500).optional().describe("required: why the customer is put in this segment by hand"),
  version: z.number().int().positive().optional(),
});

export const ZClearOverrideInput = z.object({ customerId: ZId, version: z.number().int().positive().optional() });
