import { membershipEvents, type MembershipReason } from "@clientele/domain";
import { sql } from "kysely";
import { appendAudit } from "../audit";
import type { DbOrTrx, Trx } from "../connection";
import { appendEvents } from "../outbox";

/** Issue 13 §1: current members and membership periods of segments. */

/** Which of `customerIds` are members now, read under lock (the change that follows decides on them). */
export async function lockMembersAmong(trx: Trx, tenantId: string, segmentId: string, customerIds: string[]): Promise<string[]> {
  if (customerIds.length === 0) return [];
  const rows = await trx
    .selectFrom("customerSegmentMembership")
    .select("customerId")
    .where("tenantId", "=", tenantId)
    .where("segmentId", "=", segmentId)
    .where("customerId", "in", customerIds)
    .forUpdate()
    .execute();
  return rows.map((r) => r.customerId);
}

/** Members in id order after `afterId`, up to `limit` (a full recalculation walks them beside the matches). */
export async function listMemberIds(db: DbOrTrx, tenantId: string, segmentId: string, o: { afterId?: string; upToId?: string; limit?: number } = {}): Promise<string[]> {
  const rows = await db
    .selectFrom("customerSegmentMembership")
    .select("customerId")
    .where("tenantId", "=", tenantId)
    .where("segmentId", "=", segmentId)
    .$if(o.afterId !== undefined, (q) => q.where("customerId", ">", o.afterId!))
    .$if(o.upToId !== undefined, (q) => q.where("customerId", "<=", o.upToId!))
    .orderBy("customerId")
    .$if(o.limit !== undefined, (q) => q.limit(o.limit!))
    .execute();
  return rows.map((r) => r.customerId);
}

export async function countMembers(db: DbOrTrx, tenantId: string, segmentId: string): Promise<number> {
  const r = await db
    .selectFrom("customerSegmentMembership")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("tenantId", "=", tenantId)
    .where("segmentId", "=", segmentId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * Writes who joined and who left (membership rows, history periods opened and closed), with one
 * CustomerSegmentJoined/Left event and audit row per customer, in the caller's transaction. The
 * caller has locked the members it decided on (lockMembersAmong), so `change` is exact.
 */
export async function applyMembershipChange(
  trx: Trx,
  tenantId: string,
  segment: { id: string; name: string },
  change: { joined: string[]; left: string[] },
  reason: MembershipReason,
  actor: string,
  at: Date,
): Promise<void> {
  if (change.joined.length) {
    await trx
      .insertInto("customerSegmentMembership")
      .values(change.joined.map((customerId) => ({ tenantId, segmentId: segment.id, customerId, joinedAt: at, reason })))
      .execute();
    await trx
      .insertInto("customerSegmentMembershipHistory")
      .values(change.joined.map((customerId) => ({ tenantId, segmentId: segment.id, customerId, joinedAt: at, joinReason: reason, leftAt: null, leaveReason: null })))
      .execute();
  }
  if (change.left.length) {
    await trx.deleteFrom("customerSegmentMembership").where("tenantId", "=", tenantId).where("segmentId", "=", segment.id).where("customerId", "in", change.left).execute();
    await trx
      .updateTable("customerSegmentMembershipHistory")
      .set({ leftAt: at, leaveReason: reason })
      .where("tenantId", "=", tenantId)
      .where("segmentId", "=", segment.id)
      .where("customerId", "in", change.left)
      .where("leftAt", "is", null)
      .execute();
  }
  const ids = [...change.joined, ...change.left];
  if (ids.length === 0) return;
  const versions = await trx.selectFrom("customers").select(["id", "version"]).where("tenantId", "=", tenantId).where("id", "in", ids).execute();
  const versionOf = new Map(versions.map((v) => [v.id, v.version]));
  await appendEvents(
    trx,
    membershipEvents(segment, change, reason).map((e) => ({ ...e, version: versionOf.get(e.aggregateId) ?? 1 })),
    { tenantId, actor, version: 1, occurredAt: at },
  );
  await appendAudit(
    trx,
    ids.map((customerId) => {
      const joined = change.joined.includes(customerId);
      return {
        tenantId,
        entityType: "Customer",
        entityId: customerId,
        action: joined ? "CustomerSegmentJoined" : "CustomerSegmentLeft",
        actorId: actor,
        occurredAt: at,
        changes: { segments: { from: joined ? null : segment.id, to: joined ? segment.id : null }, reason: { from: null, to: reason } },
      };
    }),
  );
}

/** A segment's current members, newest first, with what a list shows of each customer. */
export async function listSegmentMembers(db: DbOrTrx, tenantId: string, segmentId: string, page: number, pageSize: number) {
  const base = db
    .selectFrom("customerSegmentMembership as m")
    .innerJoin("customers as c", (j) => j.onRef("c.id", "=", "m.customerId").onRef("c.tenantId", "=", "m.tenantId"))
    .where("m.tenantId", "=", tenantId)
    .where("m.segmentId", "=", segmentId);
  const [rows, count] = await Promise.all([
    base
      .select(["c.id", "c.customerNumber", "c.companyName", "c.type", "c.status", "m.joinedAt", "m.reason"])
      .orderBy("m.joinedAt", "desc")
      .orderBy("c.id")
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { items: rows, total: Number(count.n) };
}

/** The live segments a customer belongs to now. */
export async function listCustomerSegmentMemberships(db: DbOrTrx, tenantId: string, customerId: string) {
  return db
    .selectFrom("customerSegmentMembership as m")
    .innerJoin("customerSegments as s", (j) => j.onRef("s.id", "=", "m.segmentId").onRef("s.tenantId", "=", "m.tenantId"))
    .where("m.tenantId", "=", tenantId)
    .where("m.customerId", "=", customerId)
    .where("s.deletedAt", "is", null)
    .select(["s.id", "s.name", "s.kind", "s.status", "m.joinedAt", "m.reason"])
    .orderBy("s.name")
    .execute();
}

/** Every membership period of a segment (deleted or not), newest first. */
export async function listSegmentMembershipHistory(db: DbOrTrx, tenantId: string, segmentId: string, page: number, pageSize: number) {
  const base = db.selectFrom("customerSegmentMembershipHistory").where("tenantId", "=", tenantId).where("segmentId", "=", segmentId);
  const [rows, count] = await Promise.all([
    base
      .select(["customerId", "joinedAt", "joinReason", "leftAt", "leaveReason"])
      .orderBy("id", "desc")
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { items: rows, total: Number(count.n) };
}

/** A segment row of the tenant, deleted or not (history stays readable after a delete). */
export async function findSegmentIncludingDeleted(db: DbOrTrx, tenantId: string, id: string) {
  return db.selectFrom("customerSegments").select(["id", "name", "kind", "deletedAt"]).where("tenantId", "=", tenantId).where("id", "=", id).executeTakeFirst();
}

/** Ids among `customerIds` that are customers of the tenant and not deleted. */
export async function existingCustomerIds(db: DbOrTrx, tenantId: string, customerIds: string[]): Promise<Set<string>> {
  if (customerIds.length === 0) return new Set();
  const rows = await db.selectFrom("customers").select("id").where("tenantId", "=", tenantId).where("id", "in", customerIds).where("isDeleted", "=", 0).execute();
  return new Set(rows.map((r) => r.id));
}

/** Drops the memberships (not the history) of a deleted segment, closing its open periods. */
export async function closeAllMemberships(trx: Trx, tenantId: string, segmentId: string, at: Date): Promise<void> {
  await trx.deleteFrom("customerSegmentMembership").where("tenantId", "=", tenantId).where("segmentId", "=", segmentId).execute();
  await sql`update customer_segment_membership_history set left_at = ${at}, leave_reason = 'manual' where tenant_id = ${tenantId} and segment_id = ${segmentId} and left_at is null`.execute(trx);
}
