import type { Cache } from "@clientele/cache";
import type { Trx } from "@clientele/db";
import { ATTENDANCE_STATUSES, TRANSACTION_CATEGORIES, TRANSACTION_STATUSES, ZCurrencyCode, ZMoneyString, ZRateString, type AttendanceInput, type DomainError } from "@clientele/domain";
import { z } from "zod";
import { recordAttendance } from "../value/attendance-ingest";
import { invalidateCustomerValue, recordTransactions, type TransactionInput } from "../value/transaction-ingest";
import { DeadLetterError, type StreamBatchContext, type StreamHandler } from "./stream-consumer";
import type { StreamEnvelope } from "./stream-envelope";

/**
 * Other systems' events that feed customer value (issue 12 §1), each stream read by its own group.
 * Stream names get the deployment's STREAM_PREFIX like our own topics.
 */
export const VALUE_STREAMS = { orders: "order-events", payments: "payment-events", attendance: "attendance-events" } as const;

const instant = z.iso.datetime({ offset: true });
const ref = z.string().trim().min(1).max(100);

const ZMoneyEvent = z.looseObject({
  customerId: z.string().min(1).max(64),
  // Exact decimals as strings (never JSON numbers: a float cannot hold every amount), checked as the API checks them.
  amount: ZMoneyString,
  currency: ZCurrencyCode,
  /** Units of the tenant's base currency per unit of `currency`; absent: the tenant's rate table. */
  exchangeRate: ZRateString.nullish(),
  category: z.enum(TRANSACTION_CATEGORIES).optional(),
  /** When it happened at the source; the envelope's occurredAt when absent. */
  occurredAt: instant.optional(),
});

/** data of OrderPlaced (order-events): purchase history, counted in lifetime value only once paid. */
export const ZOrderPlacedData = ZMoneyEvent.extend({ orderId: ref, status: z.enum(TRANSACTION_STATUSES).default("Pending"), category: z.enum(TRANSACTION_CATEGORIES).default("Merchandise") });
/** data of PaymentReceived (payment-events); a due date makes a later payment late (rating). */
export const ZPaymentReceivedData = ZMoneyEvent.extend({ paymentId: ref, status: z.enum(TRANSACTION_STATUSES).default("Paid"), dueAt: instant.nullish(), category: z.enum(TRANSACTION_CATEGORIES).default("Other") });
/** data of RefundIssued (payment-events): subtracted from lifetime value. */
export const ZRefundIssuedData = ZMoneyEvent.extend({ refundId: ref, category: z.enum(TRANSACTION_CATEGORIES).default("Other") });
/** data of EventAttended (attendance-events): registered, attended or no-show for one of the business's events. */
export const ZEventAttendedData = z.looseObject({
  customerId: z.string().min(1).max(64),
  eventRef: ref,
  eventName: z.string().trim().max(200).nullish(),
  status: z.enum(ATTENDANCE_STATUSES).default("Attended"),
  occurredAt: instant.optional(),
});

export type ValueStreamDeps = { cache: Cache; now: () => Date };

/** A zod failure, as the dead letter's reason. */
function invalid(e: StreamEnvelope, error: z.ZodError): DeadLetterError {
  return new DeadLetterError(`invalid ${e.type} data: ${error.issues.map((i) => `${i.path.join(".") || "(data)"}: ${i.message}`).join("; ")}`, e.id);
}

function parseData<T extends z.ZodType>(schema: T, e: StreamEnvelope): z.infer<T> {
  const parsed = schema.safeParse(e.data);
  if (!parsed.success) throw invalid(e, parsed.error);
  return parsed.data;
}

/** Why the ledger refused an event, for its dead letter: the code, message and field messages (no PII: ids and rules only). */
function refused(e: StreamEnvelope, error: DomainError): DeadLetterError {
  const fields = Object.entries(error.fieldErrors).map(([f, msgs]) => `${f}: ${msgs.join(", ")}`);
  const subject = error.code === "CUST-001" ? ` (customer ${String(e.data.customerId)} in tenant ${e.tenantId})` : "";
  return new DeadLetterError(`${error.code} ${error.message}${subject}${fields.length ? ` ${fields.join("; ")}` : ""}`, e.id);
}

/** The event's id is the idempotency key: a redelivery (or a replay after our dedupe forgot it) applies once. */
function transactionOf(e: StreamEnvelope): TransactionInput {
  const occurredAt = (at: string | undefined) => new Date(at ?? e.occurredAt);
  switch (e.type) {
    case "OrderPlaced": {
      const d = parseData(ZOrderPlacedData, e);
      return { customerId: d.customerId, kind: "Order", category: d.category, status: d.status, amount: d.amount, currency: d.currency, exchangeRate: d.exchangeRate ?? null, occurredAt: occurredAt(d.occurredAt), externalReference: d.orderId, idempotencyKey: e.id };
    }
    case "PaymentReceived": {
      const d = parseData(ZPaymentReceivedData, e);
      return { customerId: d.customerId, kind: "Payment", category: d.category, status: d.status, amount: d.amount, currency: d.currency, exchangeRate: d.exchangeRate ?? null, occurredAt: occurredAt(d.occurredAt), dueAt: d.dueAt ? new Date(d.dueAt) : null, externalReference: d.paymentId, idempotencyKey: e.id };
    }
    // RefundIssued: the handler's types let nothing else through.
    default: {
      const d = parseData(ZRefundIssuedData, e);
      return { customerId: d.customerId, kind: "Refund", category: d.category, status: "Paid", amount: d.amount, currency: d.currency, exchangeRate: d.exchangeRate ?? null, occurredAt: occurredAt(d.occurredAt), externalReference: d.refundId, idempotencyKey: e.id };
    }
  }
}

function attendanceOf(e: StreamEnvelope): AttendanceInput {
  const d = parseData(ZEventAttendedData, e);
  return { customerId: d.customerId, eventRef: d.eventRef, eventName: d.eventName ?? null, status: d.status, occurredAt: new Date(d.occurredAt ?? e.occurredAt), idempotencyKey: e.id };
}

/**
 * Applies a batch tenant by tenant (settings and actor are per tenant), items in customer order so
 * two workers' batches lock shared customers in the same order. A refused item names its event:
 * the consumer dead-letters it and applies the rest of the batch again without it.
 */
async function applyByTenant<I extends { customerId: string }>(
  stream: string,
  envelopes: StreamEnvelope[],
  ctx: StreamBatchContext,
  deps: ValueStreamDeps,
  toItem: (e: StreamEnvelope) => I,
  record: (trx: Trx, c: { tenantId: string; actor: string; source: "stream"; now: Date }, items: I[]) => Promise<({ outcome: "rejected"; error: DomainError } | { outcome: "recorded" | "duplicate" })[]>,
): Promise<void> {
  const byTenant = new Map<string, { e: StreamEnvelope; item: I }[]>();
  for (const e of envelopes) {
    const list = byTenant.get(e.tenantId) ?? [];
    list.push({ e, item: toItem(e) });
    byTenant.set(e.tenantId, list);
  }
  const now = deps.now();
  for (const [tenantId, list] of byTenant) {
    list.sort((a, b) => (a.item.customerId < b.item.customerId ? -1 : a.item.customerId > b.item.customerId ? 1 : 0));
    const results = await record(ctx.trx, { tenantId, actor: `stream:${stream}`, source: "stream", now }, list.map((l) => l.item));
    results.forEach((r, i) => {
      if (r.outcome === "rejected") throw refused(list[i]!.e, r.error);
    });
    const customerIds = list.map((l) => l.item.customerId);
    ctx.afterCommit(() => invalidateCustomerValue(deps.cache, tenantId, customerIds));
  }
}

/** The handlers of the value streams, registered in the worker (apps/worker/src/stream-consumers.ts). */
export function valueStreamHandlers(deps: ValueStreamDeps): StreamHandler[] {
  const transactions = (stream: string, group: string, types: string[]): StreamHandler => ({
    stream,
    group,
    types,
    handleBatch: (envelopes, ctx) => applyByTenant(stream, envelopes, ctx, deps, transactionOf, recordTransactions),
  });
  return [
    transactions(VALUE_STREAMS.orders, "value-orders", ["OrderPlaced"]),
    transactions(VALUE_STREAMS.payments, "value-payments", ["PaymentReceived", "RefundIssued"]),
    {
      stream: VALUE_STREAMS.attendance,
      group: "value-attendance",
      types: ["EventAttended"],
      handleBatch: (envelopes, ctx) => applyByTenant(VALUE_STREAMS.attendance, envelopes, ctx, deps, attendanceOf, recordAttendance),
    },
  ];
}
