import { sql, type Insertable, type Selectable } from "kysely";
import type { DbOrTrx, Trx } from "../connection";
import type { ValueRecalculationsTable } from "../schema";

export type ValueRecalculation = Selectable<ValueRecalculationsTable>;

/** A run, created once: a second monthly run of the same tenant and month is the existing one (unique key). */
export async function createRecalculation(db: DbOrTrx, run: Insertable<ValueRecalculationsTable>): Promise<ValueRecalculation> {
  await sql`insert ignore into value_recalculations (id, tenant_id, kind, period, status, as_of, created_by, created_at)
    values (${run.id}, ${run.tenantId}, ${run.kind}, ${run.period}, ${run.status}, ${run.asOf}, ${run.createdBy}, ${run.createdAt})`.execute(db);
  return db
    .selectFrom("valueRecalculations")
    .selectAll()
    .where("tenantId", "=", run.tenantId)
    .where("kind", "=", run.kind)
    .where("period", "=", run.period)
    .executeTakeFirstOrThrow();
}

export async function findRecalculation(db: DbOrTrx, tenantId: string, id: string): Promise<ValueRecalculation | undefined> {
  return db.selectFrom("valueRecalculations").selectAll().where("tenantId", "=", tenantId).where("id", "=", id).executeTakeFirst();
}

export async function findRecalculationById(db: DbOrTrx, id: string): Promise<ValueRecalculation | undefined> {
  return db.selectFrom("valueRecalculations").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function updateRecalculation(db: DbOrTrx, id: string, set: Partial<Omit<ValueRecalculation, "id" | "tenantId">>): Promise<void> {
  await db.updateTable("valueRecalculations").set(set).where("id", "=", id).execute();
}

/** Runs queued or running for longer than `cutoff` allows: the worker's sweep queues them again (a lost job, a crash). */
export async function findStrandedRecalculations(db: DbOrTrx, cutoff: Date) {
  return db
    .selectFrom("valueRecalculations")
    .select(["id", "tenantId"])
    .where("status", "in", ["Queued", "Running"])
    .where("createdAt", "<", cutoff)
    .execute();
}

export async function countCustomersOf(db: DbOrTrx, tenantId: string): Promise<number> {
  const row = await db.selectFrom("customers").select((eb) => eb.fn.countAll<number>().as("n")).where("tenantId", "=", tenantId).where("isDeleted", "=", 0).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The next chunk of a tenant's customers after `afterId`, in id order, with their tier, locked for the chunk's transaction. */
export async function lockLoyaltyChunk(trx: Trx, tenantId: string, afterId: string | null, limit: number) {
  let q = trx.selectFrom("customers").select(["id", "loyaltyTier", "isDeleted", "version"]).where("tenantId", "=", tenantId);
  if (afterId) q = q.where("id", ">", afterId);
  return q.orderBy("id").limit(limit).forUpdate().execute();
}

/**
 * Trailing spend per customer in [from, to): Paid Payments minus Paid Refunds in the base
 * currency, as exact decimal strings (MySQL sums DECIMAL exactly). Customers without any are absent.
 */
export async function trailingSpend(db: DbOrTrx, tenantId: string, customerIds: string[], from: Date, to: Date): Promise<Map<string, string>> {
  if (customerIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("customerTransactions")
    .select(["customerId", sql<string>`sum(case when kind = 'Refund' then -base_amount else base_amount end)`.as("spend")])
    .where("tenantId", "=", tenantId)
    .where("customerId", "in", customerIds)
    .where("status", "=", "Paid")
    .where("kind", "in", ["Payment", "Refund"])
    .where("occurredAt", ">=", from)
    .where("occurredAt", "<", to)
    .groupBy("customerId")
    .execute();
  return new Map(rows.map((r) => [r.customerId, String(r.spend)]));
}

/** New tiers of a chunk's customers in one statement; each row was locked at `version`. */
export async function setLoyaltyTiers(trx: Trx, tenantId: string, changes: { id: string; tier: string }[], at: Date): Promise<void> {
  if (changes.length === 0) return;
  const cases = sql.join(changes.map((c) => sql`when ${c.id} then ${c.tier}`), sql` `);
  await sql`update customers set loyalty_tier = case id ${cases} end, loyalty_tier_since = ${at}, version = version + 1
    where tenant_id = ${tenantId} and id in (${sql.join(changes.map((c) => c.id))})`.execute(trx);
}

export async function listLoyaltyHistory(db: DbOrTrx, tenantId: string, customerId: string, limit: number) {
  return db.selectFrom("customerLoyaltyHistory").selectAll().where("tenantId", "=", tenantId).where("customerId", "=", customerId).orderBy("id", "desc").limit(limit).execute();
}
