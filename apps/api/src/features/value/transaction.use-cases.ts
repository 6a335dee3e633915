import {
  appendAudit,
  appendEvents,
  getTenantSettings,
  inTransaction,
  listSegmentHistory,
  listTransactions,
  lockCustomerForLedger,
  ltvHistoryBetween,
  setSegmentOverride,
  shareLockTenantSettings,
  insertSegmentHistory,
  type TransactionRow,
} from "@clientele/db";
import {
  assertModifiable,
  checkSegmentOverride,
  customerNotFound,
  readValueSettings,
  ruleSegment,
  segmentAfterClear,
  segmentAfterOverride,
  segmentChangeEvents,
  validationError,
  VALUE_SETTINGS_KEY,
  type Actor,
  type CustomerSegment,
  type DomainEvent,
  type SegmentChange,
  type SegmentOverride,
} from "@clientele/domain";
import { invalidateCustomerValue, recordTransactions, type TransactionInput } from "@clientele/jobs";
import type { z } from "zod";
import { BY_KIND } from "../../errors";
import type { AppDeps } from "../../deps";
import { loadModifiable, loadVisible } from "../customers/customer.use-cases";
import type { ZBatchItem, ZClearOverrideInput, ZListTransactionsInput, ZRecordTransactionInput, ZSetOverrideInput, ZTransaction, ZValueInput } from "./transaction.schemas";

type TTransaction = z.infer<typeof ZTransaction>;

export const toTransactionDto = (r: TransactionRow): TTransaction => ({
  id: r.id,
  customerId: r.customerId,
  kind: r.kind as TTransaction["kind"],
  category: r.category as TTransaction["category"],
  status: r.status as TTransaction["status"],
  amount: r.amount,
  currency: r.currency,
  exchangeRate: r.exchangeRate,
  baseAmount: r.baseAmount,
  occurredAt: r.occurredAt.toISOString(),
  dueAt: r.dueAt?.toISOString() ?? null,
  late: Boolean(r.late),
  externalReference: r.externalReference,
  idempotencyKey: r.idempotencyKey,
  source: r.source as TTransaction["source"],
  createdAt: r.createdAt.toISOString(),
  createdBy: r.createdBy,
});

/** Each recorded item's commit drops its customer's cached copy (recordTransactions, given the cache). */
const context = (deps: AppDeps, actor: Actor, traceId: string) => ({ tenantId: actor.tenantId, actor: actor.userId, source: "api" as const, now: deps.now(), traceId, cache: deps.cache });

export async function recordCustomerTransaction(deps: AppDeps, actor: Actor, input: z.infer<typeof ZRecordTransactionInput>, traceId: string) {
  await loadModifiable(deps, actor, input.customerId);
  const [result] = await recordTransactions(deps.db, context(deps, actor, traceId), [input]);
  if (result!.outcome === "rejected") throw result!.error;
  return {
    transaction: toTransactionDto(result!.transaction),
    replayed: result!.outcome === "duplicate",
    lifetimeValue: result!.lifetimeValue,
    segment: result!.segment,
    segmentChange: result!.segmentChange,
  };
}

/** A batch item's date: an unparseable one becomes an invalid Date, which the domain reports on its field. */
const dateOf = (s: string) => new Date(/^\d{4}-\d{2}-\d{2}T/.test(s) ? s : "invalid");

/** POST /transactions/batch: each item on its own (its own transaction), per-item results in request order. */
export async function recordBatch(deps: AppDeps, actor: Actor, items: z.infer<typeof ZBatchItem>[], traceId: string) {
  const inputs: TransactionInput[] = items.map((i) => ({ ...i, occurredAt: dateOf(i.occurredAt), dueAt: i.dueAt ? dateOf(i.dueAt) : null }));
  const results = await recordTransactions(deps.db, context(deps, actor, traceId), inputs);
  const out = results.map((r, index) =>
    r.outcome === "rejected"
      ? {
          index,
          outcome: r.outcome,
          transaction: null,
          lifetimeValue: null,
          segment: null,
          error: { status: BY_KIND[r.error.kind].status, code: r.error.code, message: r.error.message, errors: r.error.fieldErrors },
        }
      : { index, outcome: r.outcome, transaction: toTransactionDto(r.transaction), lifetimeValue: r.lifetimeValue, segment: r.segment, error: null },
  );
  const count = (o: string) => out.filter((r) => r.outcome === o).length;
  return { recorded: count("recorded"), duplicates: count("duplicate"), rejected: count("rejected"), results: out };
}

export async function customerTransactions(deps: AppDeps, actor: Actor, input: z.infer<typeof ZListTransactionsInput>) {
  await loadVisible(deps, actor, input.customerId);
  const { items, totalCount } = await listTransactions(deps.db, actor.tenantId, input.customerId, input.page, input.pageSize);
  return { items: items.map(toTransactionDto), totalCount, page: input.page, pageSize: input.pageSize, totalPages: Math.ceil(totalCount / input.pageSize) };
}

const DAY_MS = 86_400_000;
const MAX_RANGE_DAYS = 366;

/** The closing value of each UTC day in [from, to): the day's last change, else the value carried from the day before. */
function dailyClosing(opening: string, closings: Map<string, string>, from: Date, to: Date) {
  const days: { date: string; lifetimeValue: string }[] = [];
  let value = opening;
  for (let day = Math.floor(from.getTime() / DAY_MS) * DAY_MS; day < to.getTime(); day += DAY_MS) {
    const date = new Date(day).toISOString().slice(0, 10);
    value = closings.get(date) ?? value;
    days.push({ date, lifetimeValue: value });
  }
  return days;
}

const overrideDto = (o: SegmentOverride | null | undefined) => (o ? { segment: o.segment, reason: o.reason, by: o.by, at: o.at.toISOString() } : null);

export async function customerValue(deps: AppDeps, actor: Actor, input: z.infer<typeof ZValueInput>) {
  const to = input.to ?? deps.now();
  const from = input.from ?? new Date(to.getTime() - 90 * DAY_MS);
  if (from >= to) throw validationError({ from: ["must be before to"] });
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) throw validationError({ from: [`the range must be at most ${MAX_RANGE_DAYS} days`] });
  const customer = await loadVisible(deps, actor, input.customerId);
  const [settings, ltv, segments] = await Promise.all([
    getTenantSettings(deps.db, actor.tenantId).then((s) => readValueSettings(s[VALUE_SETTINGS_KEY])),
    ltvHistoryBetween(deps.db, actor.tenantId, customer.id, from, to),
    listSegmentHistory(deps.db, actor.tenantId, customer.id),
  ]);
  return {
    customerId: customer.id,
    lifetimeValue: customer.lifetimeValue,
    baseCurrency: settings.baseCurrency,
    totalEvents: customer.totalEvents,
    segment: customer.segment,
    segmentOverride: overrideDto(customer.segmentOverride),
    ruleSegment: ruleSegment(customer.type, customer.lifetimeValue, settings.lifetimeValueThresholds),
    version: customer.version,
    history: {
      from: from.toISOString(),
      to: to.toISOString(),
      changes: ltv.points.map((p) => ({ at: p.at.toISOString(), lifetimeValue: p.lifetimeValue, delta: p.delta, transactionId: p.transactionId })),
      changesTruncated: ltv.truncated,
      // Every value starts at zero: a customer's first change has nothing before it.
      daily: dailyClosing(ltv.opening ?? "0.00", ltv.closings, from, to),
    },
    segmentHistory: segments.map((h) => ({
      from: h.fromSegment as CustomerSegment,
      to: h.toSegment as CustomerSegment,
      reason: h.reason as SegmentChange["reason"],
      note: h.note,
      changedBy: h.changedBy,
      changedAt: h.changedAt.toISOString(),
    })),
  };
}

/**
 * Sets or clears the override under the customer's row lock, with the segment history, the audit
 * row and the events: CustomerProfileUpdated always (the override is part of the profile), and
 * CustomerSegmentChanged when the segment itself moves.
 */
async function changeOverride(deps: AppDeps, actor: Actor, customerId: string, version: number | undefined, traceId: string, next: "clear" | { segment: string; reason: string | undefined }) {
  await loadModifiable(deps, actor, customerId);
  const now = deps.now();
  const changed = await inTransaction(deps.db, async (trx) => {
    // Under the tenant row's shared lock, as transactions read them (tenant, then customer): a clear
    // racing a threshold change re-tiers with the new thresholds, or waits for them.
    const settings = readValueSettings((await shareLockTenantSettings(trx, actor.tenantId))[VALUE_SETTINGS_KEY]);
    const state = await lockCustomerForLedger(trx, actor.tenantId, customerId);
    if (!state) throw customerNotFound();
    const { customer, override } = state;
    assertModifiable(customer, version);
    const s = { type: customer.type, lifetimeValue: customer.lifetimeValue, segment: customer.segment, override };
    const o = next === "clear" ? null : checkSegmentOverride(next, actor.userId, now);
    if (o === null && override === null) return false;
    const change = o ? segmentAfterOverride(s, o) : segmentAfterClear(s, settings.lifetimeValueThresholds);
    const segment = change?.to ?? customer.segment;
    await setSegmentOverride(trx, actor.tenantId, customerId, o, segment);
    if (change) {
      await insertSegmentHistory(trx, {
        tenantId: actor.tenantId,
        customerId,
        fromSegment: change.from,
        toSegment: change.to,
        reason: change.reason,
        note: o?.reason ?? null,
        changedBy: actor.userId,
        changedAt: now,
      });
    }
    const overrideChange = { from: overrideDto(override), to: overrideDto(o) };
    await appendAudit(trx, [
      {
        tenantId: actor.tenantId,
        entityType: "Customer",
        entityId: customerId,
        action: o ? "CustomerSegmentOverridden" : "CustomerSegmentOverrideCleared",
        actorId: actor.userId,
        occurredAt: now,
        changes: { segmentOverride: overrideChange, ...(change ? { segment: { from: change.from, to: change.to } } : {}) },
        traceId,
      },
    ]);
    const events: DomainEvent[] = change
      ? segmentChangeEvents(customerId, change, actor.userId, now, customer.lifetimeValue).map((e) =>
          e.type === "CustomerProfileUpdated" ? { ...e, data: { ...e.data, changedFields: { segment: change.to, segmentOverride: overrideChange.to } } } : e,
        )
      : [
          {
            type: "CustomerProfileUpdated",
            aggregateType: "Customer",
            aggregateId: customerId,
            data: { changedFields: { segmentOverride: overrideChange.to }, updatedAt: now.toISOString(), updatedBy: actor.userId },
          },
        ];
    await appendEvents(trx, events, { tenantId: actor.tenantId, actor: actor.userId, version: customer.version + 1, occurredAt: now });
    return true;
  });
  if (changed) await invalidateCustomerValue(deps.cache, actor.tenantId, [customerId]);
  return customerValue(deps, actor, { customerId });
}

export const setOverride = (deps: AppDeps, actor: Actor, input: z.infer<typeof ZSetOverrideInput>, traceId: string) =>
  changeOverride(deps, actor, input.customerId, input.version, traceId, { segment: input.segment, reason: input.reason });

/** Clearing when no override holds changes nothing and answers the current value (DELETE is idempotent). */
export const clearOverride = (deps: AppDeps, actor: Actor, input: z.infer<typeof ZClearOverrideInput>, traceId: string) =>
  changeOverride(deps, actor, input.customerId, input.version, traceId, "clear");
