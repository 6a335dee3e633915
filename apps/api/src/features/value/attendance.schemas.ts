import "../../zod-setup";
import { ATTENDANCE_STATUSES } from "@clientele/domain";
import { z } from "zod";
import { text, ZDateTime, ZId, ZPage, ZPageSize } from "../shared.schemas";

export const ZRecordAttendanceInput = z.object({
  customerId: ZId,
  eventRef: text(100).min(1, "is required").describe("the event's id in the event management system"),
  eventName: text(200).nullable().optional(),
  status: z.enum(ATTENDANCE_STATUSES),
  occurredAt: ZDateTime,
  idempotencyKey: text(100).min(1, "is required").describe("a repeat with the same key and content is applied once; with other content it is 409 ATT-001"),
});

export const ZAttendance = z.object({
  id: z.string(),
  customerId: z.string(),
  eventRef: z.string(),
  eventName: z.string().nullable(),
  status: z.enum(ATTENDANCE_STATUSES),
  occurredAt: z.string(),
  idempotencyKey: z.string(),
  source: z.enum(["api", "stream"]),
  createdAt: z.string(),
  createdBy: z.string(),
});

export const ZRecordAttendanceOutput = z.object({
  attendance: ZAttendance,
  totalEvents: z.number().int().describe("distinct events the customer attended"),
  replayed: z.boolean().describe("true when the key was already recorded: nothing was applied again"),
});

export const ZListAttendanceInput = z.object({ customerId: ZId, page: ZPage, pageSize: ZPageSize });
export const ZListAttendanceOutput = z.object({
  items: z.array(ZAttendance),
  totalEvents: z.number().int(),
  totalCount: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  totalPages: z.number().int(),
});
