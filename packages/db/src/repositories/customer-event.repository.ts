import { sql } from "kysely";
import { bulkInsertQueries } from "../bulk-insert";
import type { Db, DbOrTrx, Trx } from "../connection";

/** What tracking needs to know of a customer: that it is visible in the tenant, and its consent. */
export type TrackingSubject = { id: string; analyticsTracking: boolean };

/**
 * The tenant's visible customers among `ids`, with their analytics-tracking consent, in one query
 * by primary key. A record stored before the preference existed has none: it counts as consent
 * (the preference's default).
 */
export async function findTrackingSubjects(db: DbOrTrx, tenantId: string, ids: readonly string[]): Promise<TrackingSubject[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom("customers")
    .select(["id", sql<string | null>`json_value(preferences, '$.analyticsTracking')`.as("tracking")])
    .where("tenantId", "=", tenantId)
    .where("id", "in", [...ids])
    .where("isDeleted", "=", 0)
    .execute();
  return rows.map((r) => ({ id: r.id, analyticsTracking: r.tracking !== "false" }));
}

export type NewCustomerEvent = {
  id: string;
  tenantId: string;
  customerId: string;
  eventType: string;
  name: string;
  eventData: string | null;
  sessionId: string | null;
  deviceInfo: string | null;
  clientEventId: string | null;
  occurredAt: Date;
  receivedAt: Date;
};

/**
 * Claims the client event ids not stored yet and returns them; the others were stored before (a
 * client's replay). Concurrent claims of one id make the insert fail with a duplicate key, which the
 * stream consumer answers by applying its entries one at a time, when the select sees the winner's.
 */
export async function claimClientEventIds(trx: Trx, tenantId: string, ids: readonly string[], at: Date): Promise<Set<string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Set();
  const seen = await trx.selectFrom("customerEventKeys").select("clientEventId").where("tenantId", "=", tenantId).where("clientEventId", "in", unique).execute();
  const done = new Set(seen.map((r) => r.clientEventId));
  const fresh = unique.filter((id) => !done.has(id)).sort();
  for (const q of bulkInsertQueries("customerEventKeys", fresh.map((clientEventId) => ({ tenantId, clientEventId, receivedAt: at })))) await trx.executeQuery(q);
  return new Set(fresh);
}

const utcDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Stores the events, adds them to the per-day rollups and moves each customer's last-seen forward,
 * all in the caller's transaction (the rollups never count an event the table lacks, nor the reverse).
 * Rollup and last-seen rows go in key order so concurrent workers lock shared rows alike.
 */
export async function storeCustomerEvents(trx: Trx, events: readonly NewCustomerEvent[]): Promise<void> {
  if (events.length === 0) return;
  const rollups = new Map<string, { tenantId: string; customerId: string; day: string; eventType: string; name: string; count: number }>();
  const lastSeen = new Map<string, { tenantId: string; customerId: string; lastSeenAt: Date }>();
  for (const e of events) {
    const day = utcDay(e.occurredAt);
    const key = `${e.tenantId}\u0000${e.customerId}\u0000${day}\u0000${e.eventType}\u0000${e.name}`;
    const r = rollups.get(key);
    if (r) r.count++;
    else rollups.set(key, { tenantId: e.tenantId, customerId: e.customerId, day, eventType: e.eventType, name: e.name, count: 1 });
    const ck = `${e.tenantId}\u0000${e.customerId}`;
    const seen = lastSeen.get(ck);
    if (!seen || seen.lastSeenAt < e.occurredAt) lastSeen.set(ck, { tenantId: e.tenantId, customerId: e.customerId, lastSeenAt: e.occurredAt });
  }
  const queries = [
    ...bulkInsertQueries("customerEvents", events),
    ...bulkInsertQueries("customerEventRollups", [...rollups.values()], {
      orderBy: (r) => `${r.tenantId}\u0000${r.customerId}\u0000${r.day}\u0000${r.eventType}\u0000${r.name}`,
      onDuplicateKeyUpdate: "count = count + values(count)",
    }),
    ...bulkInsertQueries("customerLastSeen", [...lastSeen.values()], {
      orderBy: (r) => `${r.tenantId}\u0000${r.customerId}`,
      onDuplicateKeyUpdate: "last_seen_at = greatest(last_seen_at, values(last_seen_at))",
    }),
  ];
  for (const q of queries) await trx.executeQuery(q);
  await countActivePeriods(trx, events);
}

/**
 * Records each customer once per day and month it was active in and adds the newly recorded ones
 * to the period's counter: one INSERT IGNORE per (tenant, period), whose affected rows are exactly
 * the customers not yet counted (a concurrent worker inserting the same row waits on its lock).
 */
async function countActivePeriods(trx: Trx, events: readonly NewCustomerEvent[]): Promise<void> {
  const periods = new Map<string, { tenantId: string; period: string; customers: Set<string> }>();
  for (const e of events) {
    const day = utcDay(e.occurredAt);
    for (const period of [day, day.slice(0, 7)]) {
      const k = `${e.tenantId}\u0000${period}`;
      const p = periods.get(k) ?? { tenantId: e.tenantId, period, customers: new Set<string>() };
      p.customers.add(e.customerId);
      periods.set(k, p);
    }
  }
  const counts: { tenantId: string; period: string; customers: number }[] = [];
  const cohorts: { tenantId: string; cohort: string; period: string; customers: number }[] = [];
  for (const p of [...periods.values()].sort((a, b) => (a.period < b.period ? -1 : 1))) {
    let added = 0;
    if (p.period.length === 7) {
      // A month: which customers are new to it matters (their cohorts), so they are found first and
      // inserted plainly; a concurrent worker's insert of one makes this fail with a duplicate key, and
      // the consumer applies the entries one at a time, when the select sees it.
      const ids = [...p.customers];
      const seen = new Set((await trx.selectFrom("customerActivePeriods").select("customerId").where("tenantId", "=", p.tenantId).where("period", "=", p.period).where("customerId", "in", ids).execute()).map((r) => r.customerId));
      const fresh = ids.filter((id) => !seen.has(id)).sort();
      for (const q of bulkInsertQueries("customerActivePeriods", fresh.map((customerId) => ({ tenantId: p.tenantId, period: p.period, customerId })))) await trx.executeQuery(q);
      added = fresh.length;
      if (fresh.length > 0) {
        const bySignup = await trx
          .selectFrom("customers")
          .select([sql<string>`date_format(created_at, '%Y-%m')`.as("cohort"), sql<number>`count(*)`.as("n")])
          .where("tenantId", "=", p.tenantId)
          .where("id", "in", fresh)
          .groupBy(sql`date_format(created_at, '%Y-%m')`)
          .execute();
        for (const c of bySignup) cohorts.push({ tenantId: p.tenantId, cohort: c.cohort, period: p.period, customers: Number(c.n) });
      }
    } else {
      const rows = [...p.customers].sort().map((customerId) => ({ tenantId: p.tenantId, period: p.period, customerId }));
      for (const q of bulkInsertQueries("customerActivePeriods", rows, { ignore: true })) added += Number((await trx.executeQuery(q)).numAffectedRows ?? 0n);
    }
    if (added > 0) counts.push({ tenantId: p.tenantId, period: p.period, customers: added });
  }
  for (const q of bulkInsertQueries("tenantActiveCounts", counts, { orderBy: (c) => `${c.tenantId}\u0000${c.period}`, onDuplicateKeyUpdate: "customers = customers + values(customers)" })) await trx.executeQuery(q);
  for (const q of bulkInsertQueries("tenantCohortCounts", cohorts, { orderBy: (c) => `${c.tenantId}\u0000${c.cohort}\u0000${c.period}`, onDuplicateKeyUpdate: "customers = customers + values(customers)" })) await trx.executeQuery(q);
}

// ---- retention: monthly partitions of customer_events ----

export type EventPartition = { name: string; lessThan: string | null };

/** The table's partitions in order; lessThan is the exclusive upper bound as YYYY-MM-DD (null for pmax). */
export async function listEventPartitions(db: Db): Promise<EventPartition[]> {
  const { rows } = await sql<{ name: string; bound: string }>`
    select partition_name as name, partition_description as bound from information_schema.partitions
    where table_schema = database() and table_name = 'customer_events' order by partition_ordinal_position`.execute(db);
  return rows.map((r) => ({ name: r.name, lessThan: r.bound === "MAXVALUE" ? null : r.bound.replace(/'/g, "").slice(0, 10) }));
}

const monthName = (start: Date) => `p${start.getUTCFullYear()}${String(start.getUTCMonth() + 1).padStart(2, "0")}`;
const monthStart = (d: Date, add = 0) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + add, 1));

/**
 * Splits months off the open-ended pmax partition up to `aheadMonths` past the current month (cheap:
 * pmax holds nothing while months exist ahead), then drops whole months older than `retentionMonths`
 * and forgets their client event ids. Returns what it did, for the job's log.
 */
export async function maintainEventPartitions(db: Db, now: Date, retentionMonths: number, aheadMonths: number): Promise<{ created: string[]; dropped: string[] }> {
  const parts = await listEventPartitions(db);
  const bounded = parts.filter((p) => p.lessThan !== null);
  const lastBound = bounded.length ? new Date(`${bounded[bounded.length - 1]!.lessThan!}T00:00:00Z`) : monthStart(now);
  const created: string[] = [];
  const defs: string[] = [];
  for (let start = lastBound; start < monthStart(now, aheadMonths + 1); start = monthStart(start, 1)) {
    const name = monthName(start);
    defs.push(`partition ${name} values less than ('${utcDay(monthStart(start, 1))}')`);
    created.push(name);
  }
  if (defs.length > 0) await sql.raw(`alter table customer_events reorganize partition pmax into (${defs.join(", ")}, partition pmax values less than (maxvalue))`).execute(db);
  const cutoff = utcDay(monthStart(now, -retentionMonths));
  // A month whose every instant is before the cutoff; the last bounded month is always kept.
  const dropped = bounded.slice(0, -1).filter((p) => p.lessThan! <= cutoff).map((p) => p.name);
  if (dropped.length > 0) await sql.raw(`alter table customer_events drop partition ${dropped.join(", ")}`).execute(db);
  await db.deleteFrom("customerEventKeys").where("receivedAt", "<", new Date(`${cutoff}T00:00:00Z`)).execute();
  return { created, dropped };
}

// ---- analytics reads: rollups and last-seen only ----

export type RollupCount = { eventType: string; name: string; day: string; count: number };

/** A customer's rollup rows from `sinceDay` (YYYY-MM-DD, UTC) on. */
export async function customerRollups(db: DbOrTrx, tenantId: string, customerId: string, sinceDay: string): Promise<RollupCount[]> {
  const rows = await db
    .selectFrom("customerEventRollups")
    .select(["eventType", "name", sql<string>`date_format(day, '%Y-%m-%d')`.as("day"), "count"])
    .where("tenantId", "=", tenantId)
    .where("customerId", "=", customerId)
    .where("day", ">=", sinceDay)
    .execute();
  return rows.map((r) => ({ ...r, count: Number(r.count) }));
}

export async function customerLastSeen(db: DbOrTrx, tenantId: string, customerId: string): Promise<Date | null> {
  const row = await db.selectFrom("customerLastSeen").select("lastSeenAt").where("tenantId", "=", tenantId).where("customerId", "=", customerId).executeTakeFirst();
  return row?.lastSeenAt ?? null;
}

/** Distinct customers with any tracked event per UTC day in [fromDay, toDay] (YYYY-MM-DD), from the counters. */
export async function activeCustomersPerDay(db: DbOrTrx, tenantId: string, fromDay: string, toDay: string): Promise<{ day: string; customers: number }[]> {
  const rows = await db
    .selectFrom("tenantActiveCounts")
    .select(["period", "customers"])
    .where("tenantId", "=", tenantId)
    .where("period", ">=", fromDay)
    .where("period", "<=", toDay)
    .where(sql<boolean>`length(period) = 10`)
    .orderBy("period")
    .execute();
  return rows.map((r) => ({ day: r.period, customers: Number(r.customers) }));
}

/** Distinct customers with any tracked event per calendar month (YYYY-MM) from fromMonth to toMonth, from the counters. */
export async function activeCustomersPerMonth(db: DbOrTrx, tenantId: string, fromMonth: string, toMonth: string): Promise<{ month: string; customers: number }[]> {
  const rows = await db
    .selectFrom("tenantActiveCounts")
    .select(["period", "customers"])
    .where("tenantId", "=", tenantId)
    .where("period", "in", monthsBetween(fromMonth, toMonth))
    .orderBy("period")
    .execute();
  return rows.map((r) => ({ month: r.period, customers: Number(r.customers) }));
}

function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = new Date(`${from}-01T00:00:00Z`); d.toISOString().slice(0, 7) <= to; d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1))) out.push(d.toISOString().slice(0, 7));
  return out;
}

/** New customers per UTC day by source and type, from the customers' (tenant, created_at) order. */
export async function newCustomersPerDay(db: DbOrTrx, tenantId: string, from: Date, toExclusive: Date): Promise<{ day: string; source: string | null; type: string; customers: number }[]> {
  const day = sql<string>`date_format(created_at, '%Y-%m-%d')`;
  const rows = await db
    .selectFrom("customers")
    .select([day.as("day"), "source", "type", sql<number>`count(*)`.as("customers")])
    .where("tenantId", "=", tenantId)
    .where("isDeleted", "=", 0)
    .where("createdAt", ">=", from)
    .where("createdAt", "<", toExclusive)
    .groupBy([day, "source", "type"])
    .orderBy(day)
    .orderBy("source")
    .orderBy("type")
    .execute();
  return rows.map((r) => ({ day: r.day, source: r.source, type: r.type, customers: Number(r.customers) }));
}

/** Customers per tier (issue 12's customers.segment). */
export async function tierDistribution(db: DbOrTrx, tenantId: string): Promise<{ tier: string; customers: number }[]> {
  const rows = await db
    .selectFrom("customers")
    .select(["segment", sql<number>`count(*)`.as("customers")])
    .where("tenantId", "=", tenantId)
    .where("isDeleted", "=", 0)
    .groupBy("segment")
    .orderBy("segment")
    .execute();
  return rows.map((r) => ({ tier: r.segment, customers: Number(r.customers) }));
}

/**
 * Retention cohorts: customers by signup month (those not deleted), and how many of each cohort had
 * tracked activity in each later month up to `toMonth` (month offset 0 = the signup month; counted
 * when the activity was stored, so a customer deleted since still counts there), over signups from
 * `fromMonthStart`.
 */
export async function retentionCohorts(db: DbOrTrx, tenantId: string, fromMonthStart: Date, toMonth: string): Promise<{ sizes: { cohort: string; customers: number }[]; active: { cohort: string; month: string; customers: number }[] }> {
  const cohort = sql<string>`date_format(c.created_at, '%Y-%m')`;
  const sizes = await db
    .selectFrom("customers as c")
    .select([cohort.as("cohort"), sql<number>`count(*)`.as("customers")])
    .where("c.tenantId", "=", tenantId)
    .where("c.isDeleted", "=", 0)
    .where("c.createdAt", ">=", fromMonthStart)
    .groupBy(cohort)
    .orderBy(cohort)
    .execute();
  // Counted by the ingest worker per (signup month, active month): a few rows, whatever the tenant's size.
  const active = await db
    .selectFrom("tenantCohortCounts")
    .select(["cohort", "period as month", "customers"])
    .where("tenantId", "=", tenantId)
    .where("cohort", ">=", fromMonthStart.toISOString().slice(0, 7))
    .where("period", "<=", toMonth)
    .orderBy("cohort")
    .orderBy("period")
    .execute();
  return {
    sizes: sizes.map((s) => ({ cohort: s.cohort, customers: Number(s.customers) })),
    active: active.map((a) => ({ cohort: a.cohort, month: a.month, customers: Number(a.customers) })),
  };
}
