import type { Customer, CustomerSegment, SegmentOverride } from "@clientele/domain";
import { sql, type Insertable, type Selectable } from "kysely";
import { bulkInsertQueries } from "../bulk-insert";
import type { DbOrTrx, Trx } from "../connection";
import { parseJson, type CustomerLtvHistoryTable, type CustomerTransactionsTable } from "../schema";
import { toCustomer } from "./customer.repository";
import type { SegmentHistoryEntry } from "./segment.repository";

export type TransactionRow = Selectable<CustomerTransactionsTable>;
export type NewTransactionRow = Insertable<CustomerTransactionsTable>;
export type LtvHistoryRow = Selectable<CustomerLtvHistoryTable>;

export async function findTransactionByKey(db: DbOrTrx, tenantId: string, idempotencyKey: string): Promise<TransactionRow | undefined> {
  return db.selectFrom("customerTransactions").selectAll().where("tenantId", "=", tenantId).where("idempotencyKey", "=", idempotencyKey).executeTakeFirst();
}

/** Printable ASCII: utf8mb4_unicode_ci tells these apart by their letters alone, case ignored. */
const PLAIN_KEY = /^[\x20-\x7e]*$/;

/**
 * Each key's class under the idempotency key column's collation (utf8mb4_unicode_ci: "ABC" and
 * "abc", "cafe" and "café" are one key to the unique index), so a batch tells repeats apart as the
 * index will: all-plain keys (event ids, most callers' keys) folded here, otherwise by the server.
 */
async function keyClasses(db: DbOrTrx, keys: readonly string[]): Promise<Map<string, string>> {
  if (keys.every((k) => PLAIN_KEY.test(k))) return new Map(keys.map((k) => [k, k.toLowerCase()]));
  const selects = keys.map((k, i) => sql`select ${i} as i, hex(weight_string(convert(${k} using utf8mb4) collate utf8mb4_unicode_ci)) as w`);
  const { rows } = await sql<{ i: number; w: string }>`${sql.join(selects, sql` union all `)}`.execute(db);
  return new Map(rows.map((r) => [keys[Number(r.i)]!, r.w]));
}

/**
 * The rows already recorded under any of these keys (one query for a whole batch), found by each
 * key's class (keyClasses): `classOf` gives a key's class, `used` the row recorded in that class.
 */
export async function findTransactionsByKeys(db: DbOrTrx, tenantId: string, idempotencyKeys: readonly string[]): Promise<{ classOf: (key: string) => string; used: Map<string, TransactionRow> }> {
  const keys = [...new Set(idempotencyKeys)];
  const rows = keys.length === 0 ? [] : await db.selectFrom("customerTransactions").selectAll().where("tenantId", "=", tenantId).where("idempotencyKey", "in", keys).execute();
  const classes = await keyClasses(db, [...keys, ...rows.map((r) => r.idempotencyKey)]);
  return { classOf: (key) => classes.get(key)!, used: new Map(rows.map((r) => [classes.get(r.idempotencyKey)!, r])) };
}

/**
 * A batch's ledger rows, LTV history, segment history in as few multi-row INSERTs as the statement
 * size allows, each table's rows in the order given (the history's ids then follow the ledger's order).
 */
export async function insertLedgerWrites(
  trx: Trx,
  w: { transactions: readonly NewTransactionRow[]; ltvHistory: readonly Insertable<CustomerLtvHistoryTable>[]; segmentHistory: readonly SegmentHistoryEntry[] },
): Promise<void> {
  const queries = [
    ...bulkInsertQueries("customerTransactions", w.transactions),
    ...bulkInsertQueries("customerLtvHistory", w.ltvHistory),
    ...bulkInsertQueries("customerSegmentHistory", w.segmentHistory),
  ];
  for (const q of queries) await trx.executeQuery(q);
}

/** True for the (tenant, idempotency key) unique key's refusal: a concurrent request with the same key won. */
export function isDuplicateIdempotencyKey(error: unknown): boolean {
  const e = error as { code?: string; sqlMessage?: string } | null;
  return e?.code === "ER_DUP_ENTRY" && e.sqlMessage?.includes("customer_transactions_idem_uq") === true;
}

export type CustomerValueState = { customer: Customer; override: SegmentOverride | null };

/**
 * Locks the customer row (SELECT … FOR UPDATE): concurrent transactions of one customer queue here,
 * so each adds its amount to the value the previous one committed.
 */
export async function lockCustomerForLedger(trx: Trx, tenantId: string, customerId: string): Promise<CustomerValueState | undefined> {
  const row = await trx.selectFrom("customers").selectAll().where("tenantId", "=", tenantId).where("id", "=", customerId).forUpdate().executeTakeFirst();
  if (!row) return undefined;
  const customer = toCustomer(row);
  return { customer, override: customer.segmentOverride ?? null };
}

/**
 * The batch form of lockCustomerForLedger: one SELECT … FOR UPDATE of all the customers, in id
 * order (so two batches sharing customers lock them alike and queue instead of deadlocking).
 */
export async function lockCustomersForLedger(trx: Trx, tenantId: string, customerIds: readonly string[]): Promise<Map<string, CustomerValueState>> {
  const ids = [...new Set(customerIds)].sort();
  if (ids.length === 0) return new Map();
  const rows = await trx.selectFrom("customers").selectAll().where("tenantId", "=", tenantId).where("id", "in", ids).orderBy("id").forUpdate().execute();
  return new Map(
    rows.map((row) => {
      const customer = toCustomer(row);
      return [customer.id, { customer, override: customer.segmentOverride ?? null }];
    }),
  );
}

/**
 * Several customers' new values in one UPDATE (CASE per column), under the locks taken by
 * lockCustomersForLedger; each version moves by `versions` (one per value change, as
 * setCustomerValue moves it once per call).
 */
export async function setCustomerValues(
  trx: Trx,
  tenantId: string,
  updates: readonly { customerId: string; lifetimeValue: string; segment: CustomerSegment; versions: number }[],
): Promise<void> {
  if (updates.length === 0) return;
  const cases = (pick: (u: (typeof updates)[number]) => unknown) => sql.join(updates.map((u) => sql`when ${u.customerId} then ${pick(u)}`), sql` `);
  await sql`update customers set
      lifetime_value = case id ${cases((u) => u.lifetimeValue)} end,
      segment = case id ${cases((u) => u.segment)} end,
      version = version + case id ${cases((u) => u.versions)} end
    where tenant_id = ${tenantId} and id in (${sql.join(updates.map((u) => u.customerId))})`.execute(trx);
}

/** The customer's new value (and segment), under the lock taken by lockCustomerForLedger; the version moves so caches see it as newer. */
export async function setCustomerValue(trx: Trx, tenantId: string, customerId: string, v: { lifetimeValue: string; segment: CustomerSegment }): Promise<void> {
  await trx
    .updateTable("customers")
    .set((eb) => ({ lifetimeValue: v.lifetimeValue, segment: v.segment, version: eb("version", "+", 1) }))
    .where("tenantId", "=", tenantId)
    .where("id", "=", customerId)
    .execute();
}

export async function insertLtvHistory(trx: Trx, row: Insertable<CustomerLtvHistoryTable>): Promise<void> {
  await trx.insertInto("customerLtvHistory").values(row).execute();
}

/** A customer's transactions, newest first. */
export async function listTransactions(db: DbOrTrx, tenantId: string, customerId: string, page: number, pageSize: number) {
  const base = db.selectFrom("customerTransactions").where("tenantId", "=", tenantId).where("customerId", "=", customerId);
  const [items, count] = await Promise.all([
    base
      .selectAll()
      .orderBy("occurredAt", "desc")
      .orderBy("id", "desc")
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { items, totalCount: Number(count.n) };
}

/** At most this many changes are listed per range; the daily closing values are computed over all of them. */
export const LTV_CHANGES_LIMIT = 5000;

/**
 * LTV history over [from, to): the value just before `from` (the chart's opening point; null when
 * none), the changes oldest first (at most LTV_CHANGES_LIMIT), and each UTC day's closing value
 * among the days with changes, picked in SQL so a busy customer's days are right however many changes they hold.
 */
export async function ltvHistoryBetween(db: DbOrTrx, tenantId: string, customerId: string, from: Date, to: Date) {
  const [opening, points, closings] = await Promise.all([
    db
      .selectFrom("customerLtvHistory")
      .select("lifetimeValue")
      .where("tenantId", "=", tenantId)
      .where("customerId", "=", customerId)
      .where("at", "<", from)
      .orderBy("at", "desc")
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst(),
    db
      .selectFrom("customerLtvHistory")
      .selectAll()
      .where("tenantId", "=", tenantId)
      .where("customerId", "=", customerId)
      .where("at", ">=", from)
      .where("at", "<", to)
      .orderBy("at")
      .orderBy("id")
      .limit(LTV_CHANGES_LIMIT + 1)
      .execute(),
    sql<{ day: string; lifetimeValue: string }>`
      select date_format(x.day, '%Y-%m-%d') as day, x.lifetime_value as lifetimeValue
      from (
        select date(h.at) as day, h.lifetime_value, row_number() over (partition by date(h.at) order by h.at desc, h.id desc) as rn
        from customer_ltv_history h
        where h.tenant_id = ${tenantId} and h.customer_id = ${customerId} and h.at >= ${from} and h.at < ${to}
      ) x
      where x.rn = 1
      order by x.day`.execute(db),
  ]);
  return {
    opening: opening?.lifetimeValue ?? null,
    points: points.slice(0, LTV_CHANGES_LIMIT),
    truncated: points.length > LTV_CHANGES_LIMIT,
    closings: new Map(closings.rows.map((r) => [r.day, r.lifetimeValue])),
  };
}

/**
 * The tenant's settings under a shared lock on its row: transactions read them so, and a change of
 * the base currency takes the row exclusively (lockTenantForSettings), so none is converted with a
 * base currency that is being replaced.
 */
export async function shareLockTenantSettings(trx: Trx, tenantId: string): Promise<Record<string, unknown>> {
  const row = await trx.selectFrom("tenants").select("settings").where("id", "=", tenantId).modifyEnd(sql`lock in share mode`).executeTakeFirst();
  return row ? parseJson<Record<string, unknown>>(row.settings as Record<string, unknown>) : {};
}

export async function lockTenantForSettings(trx: Trx, tenantId: string): Promise<void> {
  await trx.selectFrom("tenants").select("id").where("id", "=", tenantId).forUpdate().execute();
}

export async function tenantHasTransactions(db: DbOrTrx, tenantId: string): Promise<boolean> {
  const r = await db.selectFrom("customerTransactions").select("id").where("tenantId", "=", tenantId).limit(1).executeTakeFirst();
  return r !== undefined;
}

/** The id ending a chunk of `size` customers after `afterId` (all tenants), or null when fewer remain. */
export async function customerChunkEnd(db: DbOrTrx, afterId: string, size: number): Promise<string | null> {
  const r = await db.selectFrom("customers").select("id").where("id", ">", afterId).orderBy("id").limit(1).offset(size - 1).executeTakeFirst();
  return r?.id ?? null;
}

/** REQ-CUS-017's lifetime value over ledger rows `t`: Paid Payments minus Paid Refunds, in the base currency. */
const LEDGER_SUM = sql`sum(case when t.kind = 'Payment' then t.base_amount else -t.base_amount end)`;
const LEDGER_COUNTED = sql`t.status = 'Paid' and t.kind in ('Payment', 'Refund')`;

/** One customer's lifetime value from its ledger by the nightly check's rule (a merge recomputes its parties so). */
export async function ledgerValueOf(db: DbOrTrx, tenantId: string, customerId: string): Promise<string> {
  const { rows } = await sql<{ ledger: string }>`
    select cast(coalesce(${LEDGER_SUM}, 0) as decimal(18, 2)) as ledger
    from customer_transactions t
    where t.tenant_id = ${tenantId} and t.customer_id = ${customerId} and ${LEDGER_COUNTED}`.execute(db);
  return rows[0]!.ledger;
}

export type LedgerDrift = { tenantId: string; customerId: string; stored: string; ledger: string };

/**
 * Customers in (afterId, upToId] (upToId null: to the end) whose stored lifetime value differs from
 * their ledger, in one set-based statement: the ledger is summed per customer with GROUP BY over
 * the covering index (customer_id, status, kind, base_amount), never row by row in the application.
 */
export async function ledgerDriftInRange(db: DbOrTrx, afterId: string, upToId: string | null): Promise<{ checked: number; drifts: LedgerDrift[] }> {
  const upper = upToId === null ? sql`` : sql`and c.id <= ${upToId}`;
  const upperT = upToId === null ? sql`` : sql`and t.customer_id <= ${upToId}`;
  const [drifts, checked] = await Promise.all([
    sql<LedgerDrift>`
      select c.tenant_id as tenantId, c.id as customerId, c.lifetime_value as stored, cast(coalesce(l.ledger, 0) as decimal(18, 2)) as ledger
      from customers c
      left join (
        select t.customer_id, ${LEDGER_SUM} as ledger
        from customer_transactions t
        where t.customer_id > ${afterId} ${upperT} and ${LEDGER_COUNTED}
        group by t.customer_id
      ) l on l.customer_id = c.id
      where c.id > ${afterId} ${upper} and c.lifetime_value <> coalesce(l.ledger, 0)
      order by c.id`.execute(db),
    sql<{ n: number }>`select count(*) as n from customers c where c.id > ${afterId} ${upper}`.execute(db),
  ]);
  return { checked: Number(checked.rows[0]?.n ?? 0), drifts: drifts.rows };
}
