import { sql } from "kysely";
import type { DbOrTrx, Trx } from "../connection";

export type InactivityCandidate = { id: string; lastActivityAt: Date; hadActivity: boolean; flag: string | null; since: Date | null };

/**
 * The next chunk of a tenant's live customers after `afterId` whose last activity (their
 * creation when they never had one) is at or before `riskAt`, with the flag they carry now.
 */
export async function inactiveCandidates(db: DbOrTrx, tenantId: string, riskAt: Date, afterId: string | null, limit: number): Promise<{ scannedTo: string | null; rows: InactivityCandidate[] }> {
  // The chunk is a range of the customers' primary key, so each step reads `limit` customers at most.
  let ids = db.selectFrom("customers").select("id").where("tenantId", "=", tenantId);
  if (afterId) ids = ids.where("id", ">", afterId);
  const chunk = await ids.orderBy("id").limit(limit).execute();
  if (chunk.length === 0) return { scannedTo: null, rows: [] };
  const rows = await db
    .selectFrom("customers as c")
    .leftJoin("customerActivity as a", "a.customerId", "c.id")
    .leftJoin("customerInactivity as i", "i.customerId", "c.id")
    .select([
      "c.id",
      sql<Date>`coalesce(a.last_activity_at, c.created_at)`.as("lastActivityAt"),
      sql<number>`a.customer_id is not null`.as("hadActivity"),
      "i.flag",
      "i.since",
    ])
    .where("c.tenantId", "=", tenantId)
    .where("c.id", "in", chunk.map((r) => r.id))
    .where("c.isDeleted", "=", 0)
    .where(sql<boolean>`coalesce(a.last_activity_at, c.created_at) <= ${riskAt}`)
    .execute();
  return { scannedTo: chunk[chunk.length - 1]!.id, rows: rows.map((r) => ({ ...r, hadActivity: Boolean(Number(r.hadActivity)) })) };
}

export async function upsertInactivityFlags(trx: Trx, tenantId: string, rows: { customerId: string; flag: string; since: Date; lastActivityAt: Date; hadActivity: boolean }[]): Promise<void> {
  if (rows.length === 0) return;
  const values = sql.join(rows.map((r) => sql`(${r.customerId}, ${tenantId}, ${r.flag}, ${r.since}, ${r.lastActivityAt}, ${r.hadActivity})`));
  await sql`insert into customer_inactivity (customer_id, tenant_id, flag, since, last_activity_at, had_activity) values ${values}
    on duplicate key update flag = values(flag), since = values(since), last_activity_at = values(last_activity_at), had_activity = values(had_activity)`.execute(trx);
}

/**
 * Flags that no longer hold: the customer was deactivated, or the tenant raised its threshold
 * (new activity deletes its own flag when it happens). Returns the customers whose flag went.
 */
export async function clearStaleInactivityFlags(trx: Trx, tenantId: string, riskAt: Date): Promise<string[]> {
  const stale = await trx
    .selectFrom("customerInactivity as i")
    .innerJoin("customers as c", "c.id", "i.customerId")
    .leftJoin("customerActivity as a", "a.customerId", "i.customerId")
    .select("i.customerId")
    .where("i.tenantId", "=", tenantId)
    .where((eb) => eb.or([eb("c.isDeleted", "=", 1), sql<boolean>`coalesce(a.last_activity_at, c.created_at) > ${riskAt}`]))
    .execute();
  const ids = stale.map((r) => r.customerId);
  if (ids.length) await trx.deleteFrom("customerInactivity").where("tenantId", "=", tenantId).where("customerId", "in", ids).execute();
  return ids;
}

/** The review list (003 BR-6): flagged customers, longest inactive first, paged. */
export async function listInactiveCustomers(db: DbOrTrx, tenantId: string, flags: string[], page: number, pageSize: number) {
  let base = db.selectFrom("customerInactivity as i").innerJoin("customers as c", "c.id", "i.customerId").where("i.tenantId", "=", tenantId).where("c.isDeleted", "=", 0);
  if (flags.length) base = base.where("i.flag", "in", flags);
  const [items, count] = await Promise.all([
    base
      .select(["i.customerId", "c.customerNumber", "c.companyName", "i.flag", "i.since", "i.lastActivityAt", "i.hadActivity"])
      .orderBy("i.lastActivityAt")
      .orderBy("i.customerId")
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { items: items.map((r) => ({ ...r, hadActivity: Boolean(r.hadActivity) })), totalCount: Number(count.n) };
}
