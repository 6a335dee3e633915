import type { Selectable } from "kysely";
import type { DbOrTrx, Trx } from "../connection";
import type { FollowUpsTable } from "../schema";

export type FollowUp = Selectable<FollowUpsTable>;

export async function insertFollowUp(db: DbOrTrx, f: Omit<FollowUp, "completedAt" | "completedBy" | "version">) {
  await db.insertInto("followUps").values(f).execute();
}

export async function findFollowUp(db: DbOrTrx, tenantId: string, id: string) {
  return db.selectFrom("followUps").selectAll().where("tenantId", "=", tenantId).where("id", "=", id).executeTakeFirst();
}

/** Locks the follow-up row for the rest of the transaction: concurrent changes take turns. */
export async function lockFollowUp(trx: Trx, tenantId: string, id: string) {
  return trx.selectFrom("followUps").selectAll().where("tenantId", "=", tenantId).where("id", "=", id).forUpdate().executeTakeFirst();
}

export async function updateFollowUp(db: DbOrTrx, f: FollowUp, readVersion: number) {
  const { id, tenantId, createdAt: _a, createdBy: _b, ...rest } = f;
  const r = await db.updateTable("followUps").set(rest).where("tenantId", "=", tenantId).where("id", "=", id).where("version", "=", readVersion).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** A user's open tasks, plus the unassigned ones when they may take those; soonest due first. */
export async function listTasks(db: DbOrTrx, tenantId: string, userId: string, o: { includeUnassigned: boolean; includeCompleted: boolean }) {
  let q = db
    .selectFrom("followUps")
    .selectAll()
    .where("tenantId", "=", tenantId)
    .where((eb) => (o.includeUnassigned ? eb.or([eb("assignedTo", "=", userId), eb("assignedTo", "is", null)]) : eb("assignedTo", "=", userId)));
  if (!o.includeCompleted) q = q.where("status", "=", "Pending");
  return q.orderBy("dueDate").orderBy("id").limit(500).execute();
}

export async function listCustomerFollowUps(db: DbOrTrx, tenantId: string, customerId: string) {
  return db.selectFrom("followUps").selectAll().where("tenantId", "=", tenantId).where("customerId", "=", customerId).orderBy("dueDate").execute();
}
