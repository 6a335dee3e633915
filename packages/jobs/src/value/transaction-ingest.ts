import { createHash } from "node:crypto";
import { cacheKeys, type Cache } from "@clientele/cache";
import {
  appendAuditQueries,
  appendEventsQueries,
  findTransactionByKey,
  findTransactionsByKeys,
  inTransaction,
  insertLedgerWrites,
  isDuplicateIdempotencyKey,
  lockCustomersForLedger,
  setCustomerValues,
  shareLockTenantSettings,
  touchCustomersActivity,
  type AuditEntry,
  type Db,
  type DbOrTrx,
  type SegmentHistoryEntry,
  type TransactionRow,
  type Trx,
} from "@clientele/db";
import {
  applyToLedger,
  assertModifiable,
  checkTransaction,
  customerNotFound,
  DomainError,
  formatMoney,
  idempotencyConflict,
  readValueSettings,
  segmentChangeEvents,
  timeOrderedUuid,
  transactionContent,
  VALUE_SETTINGS_KEY,
  type CheckedTransaction,
  type CustomerSegment,
  type DomainEvent,
  type LedgerAccount,
  type SegmentChange,
  type TransactionDraft,
  type TransactionSource,
  type ValueSettings,
} from "@clientele/domain";

export type TransactionInput = TransactionDraft;

export type TransactionContext = {
  tenantId: string;
  /** The user id (API) or the producing system (stream) recorded as created_by and the events' actor. */
  actor: string;
  source: TransactionSource;
  now: Date;
  traceId?: string | null;
  /** With a Db, each committed item drops the customer's cached copy; with a caller's Trx, call invalidateCustomerValue after its commit. */
  cache?: Cache;
};

/** Per item: recorded now, the row an earlier call with the same key recorded (applied once), or why not. */
export type TransactionResult =
  | { outcome: "recorded" | "duplicate"; transaction: TransactionRow; lifetimeValue: string; segment: CustomerSegment; segmentChange: SegmentChange | null }
  | { outcome: "rejected"; error: DomainError };

const hashOf = (d: TransactionDraft) => createHash("sha256").update(transactionContent(d)).digest("hex");

/**
 * Records financial transactions (POST /customers/{id}/transactions, POST /transactions/batch, and
 * the payment/order streams). Per item, atomically: the ledger row, the customer's lifetime value
 * moved by exactly its amount under the customer's row lock (concurrent payments queue and sum),
 * the segment tier re-decided, the LTV and segment history, audit rows and outbox events
 * (TransactionRecorded; on a tier change CustomerProfileUpdated and CustomerSegmentChanged).
 *
 * Idempotent by idempotencyKey: a repeat with the same content returns the first row and applies
 * nothing; other content under a used key is 409 TXN-001. An invalid item is rejected on its own.
 *
 * With a Db each item commits in its own transaction, so one bad item never undoes the others.
 * With a caller's Trx (a stream handler's) all items join it as one set-based batch (recordBatch,
 * the same code a single item runs): every item is decided before the first write, so a rejected
 * item leaves nothing behind in the shared transaction either.
 */
export async function recordTransactions(db: DbOrTrx, ctx: TransactionContext, items: TransactionInput[]): Promise<TransactionResult[]> {
  if (db.isTransaction) return recordBatch(db as Trx, ctx, await valueSettingsIn(db as Trx, ctx.tenantId), items);
  const results: TransactionResult[] = [];
  for (const item of items) {
    const result = await rejectedOr(() => recordCommitted(db as Db, ctx, item));
    if (result.outcome === "recorded" && ctx.cache) await invalidateCustomerValue(ctx.cache, ctx.tenantId, [item.customerId]);
    results.push(result);
  }
  return results;
}

async function rejectedOr(fn: () => Promise<TransactionResult>): Promise<TransactionResult> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof DomainError) return { outcome: "rejected", error };
    throw error;
  }
}

/** The value settings, read under a shared lock on the tenant row (see shareLockTenantSettings). */
const valueSettingsIn = async (trx: Trx, tenantId: string) => readValueSettings((await shareLockTenantSettings(trx, tenantId))[VALUE_SETTINGS_KEY]);

async function recordCommitted(db: Db, ctx: TransactionContext, item: TransactionInput): Promise<TransactionResult> {
  try {
    // Read committed: after waiting on the customer's lock, the key check sees what the holder committed.
    const [result] = await inTransaction(db, async (trx) => recordBatch(trx, ctx, await valueSettingsIn(trx, ctx.tenantId), [item]), { isolation: "read committed" });
    return result!;
  } catch (error) {
    // The same key sent concurrently for two different customers: the unique key let one through.
    if (!isDuplicateIdempotencyKey(error)) throw error;
    const existing = await findTransactionByKey(db, ctx.tenantId, item.idempotencyKey.trim());
    if (!existing || existing.contentHash !== hashOf(item)) throw idempotencyConflict(item.idempotencyKey);
    const customer = await db
      .selectFrom("customers")
      .select(["lifetimeValue", "segment"])
      .where("tenantId", "=", ctx.tenantId)
      .where("id", "=", existing.customerId)
      .executeTakeFirstOrThrow();
    return { outcome: "duplicate", transaction: existing, lifetimeValue: customer.lifetimeValue, segment: customer.segment as CustomerSegment, segmentChange: null };
  }
}

/** A rule the item breaks, as its result; anything else is not the item's fault and propagates. */
function rejection(fn: () => void): TransactionResult | null {
  try {
    fn();
    return null;
  } catch (error) {
    if (error instanceof DomainError) return { outcome: "rejected", error };
    throw error;
  }
}

/**
 * The items in order, in the caller's transaction, set-based: the checks that need nothing stored,
 * one locking read of all their customers (id order), one read of the keys already used; then each
 * item is decided in memory in order against its customer's running account (applyToLedger), so
 * a customer's second item starts where its first left off, a key repeated in the batch finds the
 * row its first use made, and a rejected item writes nothing; last, the writes of all the applied
 * items, a multi-row statement per table and one UPDATE of the changed customers.
 */
async function recordBatch(trx: Trx, ctx: TransactionContext, settings: ValueSettings, items: TransactionInput[]): Promise<TransactionResult[]> {
  const results: TransactionResult[] = new Array(items.length);
  const checked = items.map((item, i) => {
    let t: CheckedTransaction | null = null;
    const rejected = rejection(() => (t = checkTransaction(item, settings)));
    if (rejected) results[i] = rejected;
    return t as CheckedTransaction | null;
  });
  const valid = checked.filter((t): t is CheckedTransaction => t !== null);
  const states = await lockCustomersForLedger(trx, ctx.tenantId, valid.map((t) => t.customerId));
  const { classOf, used } = await findTransactionsByKeys(
    trx,
    ctx.tenantId,
    valid.filter((t) => states.has(t.customerId)).map((t) => t.idempotencyKey),
  );
  const accounts = new Map<string, LedgerAccount>();
  for (const [id, { customer, override }] of states) accounts.set(id, { type: customer.type, lifetimeValue: customer.lifetimeValue, segment: customer.segment, override, version: customer.version });

  const transactions: TransactionRow[] = [];
  const ltvHistory: Parameters<typeof insertLedgerWrites>[1]["ltvHistory"][number][] = [];
  const segmentHistory: SegmentHistoryEntry[] = [];
  const audit: AuditEntry[] = [];
  const events: (DomainEvent & { version: number })[] = [];
  const activity = new Map<string, Date>();
  const changed = new Map<string, number>();

  checked.forEach((t, i) => {
    if (!t) return;
    const state = states.get(t.customerId);
    if (!state) {
      results[i] = { outcome: "rejected", error: customerNotFound() };
      return;
    }
    const account = accounts.get(t.customerId)!;
    const contentHash = hashOf(items[i]!);
    const existing = used.get(classOf(t.idempotencyKey));
    if (existing) {
      results[i] =
        existing.contentHash === contentHash
          ? { outcome: "duplicate", transaction: existing, lifetimeValue: account.lifetimeValue, segment: account.segment, segmentChange: null }
          : { outcome: "rejected", error: idempotencyConflict(t.idempotencyKey) };
      return;
    }
    const refused = rejection(() => assertModifiable(state.customer, undefined));
    if (refused) {
      results[i] = refused;
      return;
    }

    // Every check has passed: from here on the item only adds writes.
    const row: TransactionRow = {
      id: timeOrderedUuid(ctx.now.getTime()),
      tenantId: ctx.tenantId,
      customerId: t.customerId,
      kind: t.kind,
      category: t.category,
      status: t.status,
      amount: t.amount,
      currency: t.currency,
      exchangeRate: t.exchangeRate,
      baseAmount: t.baseAmount,
      occurredAt: t.occurredAt,
      dueAt: t.dueAt,
      late: t.late ? 1 : 0,
      externalReference: t.externalReference,
      idempotencyKey: t.idempotencyKey,
      contentHash,
      source: ctx.source,
      createdAt: ctx.now,
      createdBy: ctx.actor,
    };
    transactions.push(row);
    used.set(classOf(t.idempotencyKey), row);
    // An interaction like any other, but a back-dated import never moves activity into the future.
    const at = t.occurredAt < ctx.now ? t.occurredAt : ctx.now;
    const seen = activity.get(t.customerId);
    if (!seen || seen < at) activity.set(t.customerId, at);

    const { delta, account: after, change } = applyToLedger(account, t, settings.lifetimeValueThresholds);
    accounts.set(t.customerId, after);
    const { lifetimeValue, segment, version } = after;
    if (delta !== 0n) {
      changed.set(t.customerId, (changed.get(t.customerId) ?? 0) + 1);
      ltvHistory.push({ tenantId: ctx.tenantId, customerId: t.customerId, at: ctx.now, lifetimeValue, delta: formatMoney(delta), transactionId: row.id });
    }
    if (change) {
      segmentHistory.push({ tenantId: ctx.tenantId, customerId: t.customerId, fromSegment: change.from, toSegment: change.to, reason: change.reason, note: null, changedBy: ctx.actor, changedAt: ctx.now });
    }

    const summary = { id: row.id, kind: t.kind, status: t.status, amount: t.amount, currency: t.currency, baseAmount: t.baseAmount };
    audit.push({
      tenantId: ctx.tenantId,
      entityType: "Customer",
      entityId: t.customerId,
      action: "TransactionRecorded",
      actorId: ctx.actor,
      occurredAt: ctx.now,
      changes: {
        transaction: { from: null, to: summary },
        ...(delta !== 0n ? { lifetimeValue: { from: account.lifetimeValue, to: lifetimeValue } } : {}),
        ...(change ? { segment: { from: change.from, to: change.to } } : {}),
      },
      traceId: ctx.traceId ?? null,
    });
    events.push(
      {
        type: "TransactionRecorded",
        aggregateType: "Customer",
        aggregateId: t.customerId,
        version,
        data: {
          transactionId: row.id,
          customerId: t.customerId,
          kind: t.kind,
          category: t.category,
          status: t.status,
          amount: t.amount,
          currency: t.currency,
          exchangeRate: t.exchangeRate,
          baseAmount: t.baseAmount,
          baseCurrency: settings.baseCurrency,
          occurredAt: t.occurredAt.toISOString(),
          dueAt: t.dueAt?.toISOString() ?? null,
          late: t.late,
          externalReference: t.externalReference,
          source: ctx.source,
          lifetimeValue,
          delta: formatMoney(delta),
        },
      },
      ...(change ? segmentChangeEvents(t.customerId, change, ctx.actor, ctx.now, lifetimeValue).map((e) => ({ ...e, version })) : []),
    );
    results[i] = { outcome: "recorded", transaction: row, lifetimeValue, segment, segmentChange: change };
  });

  if (transactions.length === 0) return results;
  await insertLedgerWrites(trx, { transactions, ltvHistory, segmentHistory });
  await touchCustomersActivity(trx, ctx.tenantId, activity);
  await setCustomerValues(
    trx,
    ctx.tenantId,
    [...changed].map(([customerId, versions]) => ({ customerId, versions, lifetimeValue: accounts.get(customerId)!.lifetimeValue, segment: accounts.get(customerId)!.segment })),
  );
  const queries = [...appendAuditQueries(audit), ...appendEventsQueries(events, { tenantId: ctx.tenantId, actor: ctx.actor, version: 0, occurredAt: ctx.now })];
  for (const q of queries) await trx.executeQuery(q);
  return results;
}

/**
 * After commit: the customers' cached copies and last-activity entries go (the worker cannot
 * render the API's DTO, so the next read loads it) and the tenant's cached searches, which show
 * segment and value, retire.
 */
export async function invalidateCustomerValue(cache: Cache, tenantId: string, customerIds: readonly string[]): Promise<void> {
  const ids = [...new Set(customerIds)];
  await Promise.all([
    ...ids.flatMap((id) => [cache.del(cacheKeys.customer(tenantId, id)), cache.del(cacheKeys.customerActivity(tenantId, id))]),
    cache.bump(cacheKeys.searchGeneration(tenantId)),
  ]);
}
