import type { Db, Trx } from "../connection";

export type ConsumedEvent = { eventId: string; tenantId: string };

/**
 * Records that `group` applied the event, in the handler's transaction; false when it already had
 * (a redelivery). INSERT IGNORE still waits on a concurrent transaction inserting the same key, so
 * two consumers handed the same event cannot both apply it.
 */
export async function markConsumed(trx: Trx, group: string, event: ConsumedEvent, at: Date): Promise<boolean> {
  const result = await trx
    .insertInto("consumedEvents")
    .ignore()
    .values({ consumerGroup: group, eventId: event.eventId, tenantId: event.tenantId, consumedAt: at })
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/**
 * markConsumed for a batch: records the events the group has not applied yet and returns them
 * (first occurrence of each id). A concurrent consumer inserting one of them makes the insert fail
 * with a duplicate key (1062), and the caller handles those events one at a time instead.
 */
export async function markConsumedBatch<E extends ConsumedEvent>(trx: Trx, group: string, events: E[], at: Date): Promise<E[]> {
  if (events.length === 0) return [];
  const seen = await trx
    .selectFrom("consumedEvents")
    .select("eventId")
    .where("consumerGroup", "=", group)
    .where("eventId", "in", events.map((e) => e.eventId))
    .execute();
  const done = new Set(seen.map((r) => r.eventId));
  const fresh: E[] = [];
  for (const e of events) {
    if (done.has(e.eventId)) continue;
    done.add(e.eventId);
    fresh.push(e);
  }
  if (fresh.length > 0) {
    await trx
      .insertInto("consumedEvents")
      .values(fresh.map((e) => ({ consumerGroup: group, eventId: e.eventId, tenantId: e.tenantId, consumedAt: at })))
      .execute();
  }
  return fresh;
}

/** Forgets up to `limit` records older than `before` (past any redelivery); returns how many. */
export async function deleteConsumedBefore(db: Db, before: Date, limit: number): Promise<number> {
  const result = await db.deleteFrom("consumedEvents").where("consumedAt", "<", before).limit(limit).executeTakeFirst();
  return Number(result.numDeletedRows);
}
