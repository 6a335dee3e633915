import {
  appendAudit,
  appendEvents,
  countAttendedEventsLocked,
  findAttendanceByKey,
  inTransaction,
  insertAttendance,
  isAttendanceKeyTaken,
  touchCustomerActivity,
  type AttendanceRow,
  type Db,
  type Trx,
} from "@clientele/db";
import { attendanceKeyReused, attendanceRecordedEvent, checkAttendance, customerNotFound, DomainError, timeOrderedUuid, type AttendanceInput, type CheckedAttendance } from "@clientele/domain";

export type AttendanceContext = { tenantId: string; actor: string; source: "api" | "stream"; now: Date; traceId?: string | null };

/** Per item: recorded now, or the row an earlier call with the same key recorded (applied once), or why not. */
export type AttendanceResult =
  | { outcome: "recorded" | "duplicate"; attendance: AttendanceRow; totalEvents: number }
  | { outcome: "rejected"; error: DomainError };

const sameContent = (row: AttendanceRow, a: CheckedAttendance) =>
  row.customerId === a.customerId && row.eventRef === a.eventRef && row.status === a.status && row.occurredAt.getTime() === a.occurredAt.getTime() && (row.eventName ?? null) === a.eventName;

/**
 * Records attendance (used by POST /customers/{id}/attendance and the attendance-events stream):
 * idempotent by idempotencyKey (a repeat with the same content returns the first row, with other
 * content is ATT-001); totalEvents is recounted from the rows under the customer's row lock, in the
 * same transaction, with the audit row, the AttendanceRecorded event and the customer's activity.
 * Runs in `db`'s transaction when given one (a stream handler's), else in its own.
 */
export async function recordAttendance(db: Db | Trx, ctx: AttendanceContext, items: AttendanceInput[]): Promise<AttendanceResult[]> {
  const run = (trx: Trx) => recordAll(trx, ctx, items);
  return db.isTransaction ? run(db as Trx) : inTransaction(db as Db, run);
}

async function recordAll(trx: Trx, ctx: AttendanceContext, items: AttendanceInput[]): Promise<AttendanceResult[]> {
  const results: AttendanceResult[] = new Array(items.length);
  // Customers locked in id order, so two batches naming the same customers never deadlock.
  const order = items.map((_, i) => i).sort((a, b) => (items[a]!.customerId < items[b]!.customerId ? -1 : items[a]!.customerId > items[b]!.customerId ? 1 : 0));
  for (const i of order) {
    try {
      results[i] = await recordOne(trx, ctx, items[i]!);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      results[i] = { outcome: "rejected", error };
    }
  }
  return results;
}

async function recordOne(trx: Trx, ctx: AttendanceContext, input: AttendanceInput): Promise<AttendanceResult> {
  const a = checkAttendance(input);
  const customer = await trx
    .selectFrom("customers")
    .select(["id", "totalEvents", "version", "isDeleted"])
    .where("tenantId", "=", ctx.tenantId)
    .where("id", "=", a.customerId)
    .forUpdate()
    .executeTakeFirst();
  if (!customer || customer.isDeleted) throw customerNotFound();
  const existing = await findAttendanceByKey(trx, ctx.tenantId, a.idempotencyKey);
  if (existing) {
    if (!sameContent(existing, a)) throw attendanceKeyReused();
    return { outcome: "duplicate", attendance: existing, totalEvents: customer.totalEvents };
  }
  const row: AttendanceRow = {
    id: timeOrderedUuid(ctx.now.getTime()),
    tenantId: ctx.tenantId,
    customerId: a.customerId,
    eventRef: a.eventRef,
    eventName: a.eventName,
    status: a.status,
    occurredAt: a.occurredAt,
    idempotencyKey: a.idempotencyKey,
    source: ctx.source,
    createdAt: ctx.now,
    createdBy: ctx.actor,
  };
  // The key was taken by another customer's row (this customer's lock does not cover it): same answer as a reuse.
  await insertAttendance(trx, row).catch((error: unknown) => {
    throw isAttendanceKeyTaken(error) ? attendanceKeyReused() : error;
  });
  const totalEvents = await countAttendedEventsLocked(trx, ctx.tenantId, a.customerId);
  let version = customer.version;
  if (totalEvents !== customer.totalEvents) {
    version += 1;
    await trx
      .updateTable("customers")
      .set({ totalEvents, version, lastModifiedAt: ctx.now, lastModifiedBy: ctx.actor })
      .where("tenantId", "=", ctx.tenantId)
      .where("id", "=", a.customerId)
      .execute();
  }
  // Coming to (or registering for) an event is activity; a no-show is not. A registration for a
  // future event counts as of now: activity in the future would hold off the inactivity flags.
  if (a.status !== "NoShow") await touchCustomerActivity(trx, ctx.tenantId, a.customerId, a.occurredAt < ctx.now ? a.occurredAt : ctx.now);
  await appendAudit(trx, [
    {
      tenantId: ctx.tenantId,
      entityType: "Customer",
      entityId: a.customerId,
      action: "AttendanceRecorded",
      actorId: ctx.actor,
      occurredAt: ctx.now,
      changes: { attendance: { from: null, to: { id: row.id, eventRef: a.eventRef, status: a.status } }, ...(totalEvents !== customer.totalEvents ? { totalEvents: { from: customer.totalEvents, to: totalEvents } } : {}) },
      traceId: ctx.traceId ?? null,
    },
  ]);
  await appendEvents(trx, [attendanceRecordedEvent({ ...a, id: row.id, source: ctx.source }, totalEvents)], { tenantId: ctx.tenantId, actor: ctx.actor, version, occurredAt: ctx.now });
  return { outcome: "recorded", attendance: row, totalEvents };
}
