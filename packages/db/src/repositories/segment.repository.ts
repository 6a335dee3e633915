import type { CustomerSegment, SegmentChangeReason, SegmentOverride } from "@clientele/domain";
import type { Insertable } from "kysely";
import type { DbOrTrx, Trx } from "../connection";
import type { CustomerSegmentHistoryTable } from "../schema";

export type SegmentHistoryEntry = Insertable<CustomerSegmentHistoryTable> & { reason: SegmentChangeReason };

export async function insertSegmentHistory(trx: Trx, row: SegmentHistoryEntry): Promise<void> {
  await trx.insertInto("customerSegmentHistory").values(row).execute();
}

/** Sets (or, with null, clears) the override and the segment it leaves, under the caller's row lock; the version moves. */
export async function setSegmentOverride(trx: Trx, tenantId: string, customerId: string, override: SegmentOverride | null, segment: CustomerSegment): Promise<void> {
  await trx
    .updateTable("customers")
    .set((eb) => ({
      segment,
      segmentOverride: override?.segment ?? null,
      segmentOverrideReason: override?.reason ?? null,
      segmentOverrideBy: override?.by ?? null,
      segmentOverrideAt: override?.at ?? null,
      version: eb("version", "+", 1),
    }))
    .where("tenantId", "=", tenantId)
    .where("id", "=", customerId)
    .execute();
}

/** A customer's segment changes, newest first. */
export async function listSegmentHistory(db: DbOrTrx, tenantId: string, customerId: string, limit = 200) {
  return db
    .selectFrom("customerSegmentHistory")
    .selectAll()
    .where("tenantId", "=", tenantId)
    .where("customerId", "=", customerId)
    .orderBy("changedAt", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
}

/** Tenants with segment changes in [from, to): the digest's recipients are looked up per tenant. */
export async function tenantsWithSegmentChanges(db: DbOrTrx, from: Date, to: Date): Promise<string[]> {
  const rows = await db.selectFrom("customerSegmentHistory").select("tenantId").distinct().where("changedAt", ">=", from).where("changedAt", "<", to).execute();
  return rows.map((r) => r.tenantId);
}

/** A tenant's segment changes in [from, to), oldest first, with the customer's number and name. */
export async function segmentChangesBetween(db: DbOrTrx, tenantId: string, from: Date, to: Date, limit = 1000) {
  return db
    .selectFrom("customerSegmentHistory as h")
    .innerJoin("customers as c", (j) => j.onRef("c.id", "=", "h.customerId").onRef("c.tenantId", "=", "h.tenantId"))
    .select(["h.customerId", "c.customerNumber", "c.companyName", "h.fromSegment", "h.toSegment", "h.reason", "h.note", "h.changedBy", "h.changedAt"])
    .where("h.tenantId", "=", tenantId)
    .where("h.changedAt", ">=", from)
    .where("h.changedAt", "<", to)
    .orderBy("h.changedAt")
    .orderBy("h.id")
    .limit(limit)
    .execute();
}

/**
 * A chunk of the tenant's customers the tier rule decides (not deactivated, not archived, no
 * override), after `afterId` in id order, locked: a payment committing meanwhile waits, so the
 * segment written here is judged on the value it will add to.
 */
export async function lockRuleSegmentChunk(trx: Trx, tenantId: string, afterId: string, limit: number) {
  return trx
    .selectFrom("customers")
    .select(["id", "type", "lifetimeValue", "segment", "version"])
    .where("tenantId", "=", tenantId)
    .where("id", ">", afterId)
    .where("isDeleted", "=", 0)
    .where("status", "<>", "Archived")
    .where("segmentOverride", "is", null)
    .orderBy("id")
    .limit(limit)
    .forUpdate()
    .execute();
}
