import { DomainError, FieldErrorCollector } from "../errors";
import type { DomainEvent } from "../events";

/** Event attendance (001 §11, issue 12): a customer registered for, attended, or missed an event. */
export const ATTENDANCE_STATUSES = ["Registered", "Attended", "NoShow"] as const;
export type AttendanceStatus = (typeof ATTENDANCE_STATUSES)[number];

export type AttendanceInput = {
  customerId: string;
  eventRef: string;
  eventName?: string | null | undefined;
  status: string;
  occurredAt: Date;
  idempotencyKey: string;
};

export type CheckedAttendance = { customerId: string; eventRef: string; eventName: string | null; status: AttendanceStatus; occurredAt: Date; idempotencyKey: string };

/** The rules an attendance holds whoever sends it (the API's schema and the stream's events alike). */
export function checkAttendance(a: AttendanceInput): CheckedAttendance {
  const errors = new FieldErrorCollector();
  const eventRef = a.eventRef.trim();
  if (!eventRef) errors.add("eventRef", "is required");
  else if (eventRef.length > 100) errors.add("eventRef", "must be at most 100 characters");
  const eventName = a.eventName?.trim() || null;
  if (eventName && eventName.length > 200) errors.add("eventName", "must be at most 200 characters");
  if (!(ATTENDANCE_STATUSES as readonly string[]).includes(a.status)) errors.add("status", `must be one of ${ATTENDANCE_STATUSES.join(", ")}`);
  if (Number.isNaN(a.occurredAt.getTime())) errors.add("occurredAt", "must be a date-time");
  const idempotencyKey = a.idempotencyKey.trim();
  if (!idempotencyKey) errors.add("idempotencyKey", "is required");
  else if (idempotencyKey.length > 100) errors.add("idempotencyKey", "must be at most 100 characters");
  errors.throwIfAny();
  return { customerId: a.customerId, eventRef, eventName, status: a.status as AttendanceStatus, occurredAt: a.occurredAt, idempotencyKey };
}

/** The same key again with the same content is a replay; with other content it is this conflict. */
export const attendanceKeyReused = () =>
  new DomainError("ATT-001", "conflict", "This idempotency key was already used for a different attendance.", { idempotencyKey: ["was used for a different attendance"] });

export const loyaltyRunNotFound = () => new DomainError("LOYALTY-001", "not_found", "Loyalty recalculation not found.");

/** AttendanceRecorded: the row as recorded and the customer's new totalEvents. */
export function attendanceRecordedEvent(a: CheckedAttendance & { id: string; source: string }, totalEvents: number): DomainEvent {
  return {
    type: "AttendanceRecorded",
    aggregateType: "Customer",
    aggregateId: a.customerId,
    data: { customerId: a.customerId, attendanceId: a.id, eventRef: a.eventRef, eventName: a.eventName, status: a.status, occurredAt: a.occurredAt.toISOString(), source: a.source, totalEvents },
  };
}
