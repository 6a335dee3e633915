import type { DbOrTrx, Trx } from "../connection";
import type { CustomerAttendanceTable } from "../schema";
import { sql, type Selectable } from "kysely";

export type AttendanceRow = Selectable<CustomerAttendanceTable>;

export async function findAttendanceByKey(db: DbOrTrx, tenantId: string, idempotencyKey: string): Promise<AttendanceRow | undefined> {
  return db.selectFrom("customerAttendance").selectAll().where("tenantId", "=", tenantId).where("idempotencyKey", "=", idempotencyKey).executeTakeFirst();
}

export async function insertAttendance(trx: Trx, row: AttendanceRow): Promise<void> {
  await trx.insertInto("customerAttendance").values(row).execute();
}

const attendedEvents = (db: DbOrTrx, tenantId: string, customerId: string) =>
  db
    .selectFrom("customerAttendance")
    .select((eb) => eb.fn.count<number>("eventRef").distinct().as("n"))
    .where("tenantId", "=", tenantId)
    .where("customerId", "=", customerId)
    .where("status", "=", "Attended");

/** totalEvents (REQ-CUS-019): the distinct events the customer attended; a second Attended row for one event counts once. */
export async function countAttendedEvents(db: DbOrTrx, tenantId: string, customerId: string): Promise<number> {
  return Number((await attendedEvents(db, tenantId, customerId).executeTakeFirstOrThrow()).n);
}

/**
 * countAttendedEvents as of the latest commit (a locking read), for writing totalEvents under the
 * customer's row lock: a plain read would use the transaction's snapshot, which a stream batch
 * takes before it waits for the lock, and miss rows committed meanwhile.
 */
export async function countAttendedEventsLocked(trx: Trx, tenantId: string, customerId: string): Promise<number> {
  // LOCK IN SHARE MODE: MariaDB has no FOR SHARE.
  return Number((await attendedEvents(trx, tenantId, customerId).modifyEnd(sql`lock in share mode`).executeTakeFirstOrThrow()).n);
}

/** A customer's attendance, newest first, paged. */
export async function listAttendance(db: DbOrTrx, tenantId: string, customerId: string, page: number, pageSize: number) {
  const base = db.selectFrom("customerAttendance").where("tenantId", "=", tenantId).where("customerId", "=", customerId);
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

/** True for the (tenant, idempotency key) unique key's refusal: the key is another customer's row. */
export function isAttendanceKeyTaken(error: unknown): boolean {
  const e = error as { code?: string; sqlMessage?: string } | null;
  return e?.code === "ER_DUP_ENTRY" && e.sqlMessage?.includes("customer_attendance_idempotency_ux") === true;
}
