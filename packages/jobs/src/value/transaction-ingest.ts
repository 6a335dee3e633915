import { createHash } from "node:crypto";
import { cacheKeys, type Cache } from "@clientele/cache";
import {
  appendAudit,
  appendEvents,
  findTransactionByKey,
  inTransaction,
  insertLtvHistory,
  insertSegmentHistory,
  insertTransaction,
  isDuplicateIdempotencyKey,
  lockCustomerForLedger,
  setCustomerValue,
  shareLockTenantSettings,
  touchCustomerActivity,
  type Db,
  type DbOrTrx,
  type TransactionRow,
  type Trx,
} from "@clientele/db";
import {
  addCents,
  assertModifiable,
  checkTransaction,
  customerNotFound,
  DomainError,
  formatMoney,
  idempotencyConflict,
  ledgerDelta,
  readValueSettings,
  segmentAfterValueChange,
  segmentChangeEvents,
  timeOrderedUuid,
  transactionContent,
  VALUE_SETTINGS_KEY,
  type CustomerSegment,
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
 * With a caller's Trx (a stream handler's) every item joins it; an item's checks all run before
 * its first write, so a rejected item leaves nothing behind in the shared transaction either.
 */
export async function recordTransactions(db: DbOrTrx, ctx: TransactionContext, items: TransactionInput[]): Promise<TransactionResult[]> {
  if (db.isTransaction) {
    const settings = await valueSettingsIn(db as Trx, ctx.tenantId);
    const results: TransactionResult[] = [];
    for (const item of items) results.push(await rejectedOr(() => recordOne(db as Trx, ctx, settings, item)));
    return results;
  }
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
    return await inTransaction(db, async (trx) => recordOne(trx, ctx, await valueSettingsIn(trx, ctx.tenantId), item), { isolation: "read committed" });
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

async function recordOne(trx: Trx, ctx: TransactionContext, settings: ValueSettings, item: TransactionInput): Promise<TransactionResult> {
  const t = checkTransaction(item, settings);
  const state = await lockCustomerForLedger(trx, ctx.tenantId, t.customerId);
  if (!state) throw customerNotFound();
  const { customer, override } = state;
  const contentHash = hashOf(item);
  const existing = await findTransactionByKey(trx, ctx.tenantId, t.idempotencyKey);
  if (existing) {
    if (existing.contentHash !== contentHash) throw idempotencyConflict(t.idempotencyKey);
    return { outcome: "duplicate", transaction: existing, lifetimeValue: customer.lifetimeValue, segment: customer.segment, segmentChange: null };
  }
  assertModifiable(customer, undefined);

  // Every check has passed: from here on the item only writes.
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
  await insertTransaction(trx, row);
  // An interaction like any other, but a back-dated import never moves activity into the future.
  await touchCustomerActivity(trx, ctx.tenantId, t.customerId, t.occurredAt < ctx.now ? t.occurredAt : ctx.now);

  const delta = ledgerDelta(t);
  const lifetimeValue = addCents(customer.lifetimeValue, delta);
  const change = delta === 0n ? null : segmentAfterValueChange({ type: customer.type, lifetimeValue, segment: customer.segment, override }, settings.lifetimeValueThresholds);
  const segment = change?.to ?? customer.segment;
  const version = delta === 0n ? customer.version : customer.version + 1;
  if (delta !== 0n) {
    await setCustomerValue(trx, ctx.tenantId, t.customerId, { lifetimeValue, segment });
    await insertLtvHistory(trx, { tenantId: ctx.tenantId, customerId: t.customerId, at: ctx.now, lifetimeValue, delta: formatMoney(delta), transactionId: row.id });
  }
  if (change) {
    await insertSegmentHistory(trx, { tenantId: ctx.tenantId, customerId: t.customerId, fromSegment: change.from, toSegment: change.to, reason: change.reason, note: null, changedBy: ctx.actor, changedAt: ctx.now });
  }

  const summary = { id: row.id, kind: t.kind, status: t.status, amount: t.amount, currency: t.currency, baseAmount: t.baseAmount };
  await appendAudit(trx, [
    {
      tenantId: ctx.tenantId,
      entityType: "Customer",
      entityId: t.customerId,
      action: "TransactionRecorded",
      actorId: ctx.actor,
      occurredAt: ctx.now,
      changes: {
        transaction: { from: null, to: summary },
        ...(delta !== 0n ? { lifetimeValue: { from: customer.lifetimeValue, to: lifetimeValue } } : {}),
        ...(change ? { segment: { from: change.from, to: change.to } } : {}),
      },
      traceId: ctx.traceId ?? null,
    },
  ]);
  await appendEvents(
    trx,
    [
      {
        type: "TransactionRecorded",
        aggregateType: "Customer",
        aggregateId: t.customerId,
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
      ...(change ? segmentChangeEvents(t.customerId, change, ctx.actor, ctx.now, lifetimeValue) : []),
    ],
    { tenantId: ctx.tenantId, actor: ctx.actor, version, occurredAt: ctx.now },
  );
  return { outcome: "recorded", transaction: row, lifetimeValue, segment, segmentChange: change };
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
