import { listAttendance, type AttendanceRow } from "@clientele/db";
import type { Actor } from "@clientele/domain";
import { recordAttendance } from "@clientele/jobs";
import type { z } from "zod";
import type { AppDeps } from "../../deps";
import { loadModifiable, loadVisible, retireLastActivity } from "../customers/customer.use-cases";
import type { ZAttendance, ZListAttendanceInput, ZRecordAttendanceInput } from "./attendance.schemas";
import { refreshCachedCustomer } from "./value-cache";

const toAttendanceDto = (r: AttendanceRow): z.infer<typeof ZAttendance> => ({
  id: r.id,
  customerId: r.customerId,
  eventRef: r.eventRef,
  eventName: r.eventName,
  status: r.status as z.infer<typeof ZAttendance>["status"],
  occurredAt: r.occurredAt.toISOString(),
  idempotencyKey: r.idempotencyKey,
  source: r.source as "api" | "stream",
  createdAt: r.createdAt.toISOString(),
  createdBy: r.createdBy,
});

export async function recordCustomerAttendance(deps: AppDeps, actor: Actor, input: z.infer<typeof ZRecordAttendanceInput>, traceId: string) {
  await loadModifiable(deps, actor, input.customerId);
  const [result] = await recordAttendance(deps.db, { tenantId: actor.tenantId, actor: actor.userId, source: "api", now: deps.now(), traceId }, [input]);
  if (result!.outcome === "rejected") throw result!.error;
  if (result!.outcome === "recorded") {
    await Promise.all([refreshCachedCustomer(deps, actor.tenantId, input.customerId), retireLastActivity(deps, actor.tenantId, [input.customerId])]);
  }
  return { attendance: toAttendanceDto(result!.attendance), totalEvents: result!.totalEvents, replayed: result!.outcome === "duplicate" };
}

export async function customerAttendance(deps: AppDeps, actor: Actor, input: z.infer<typeof ZListAttendanceInput>) {
  const customer = await loadVisible(deps, actor, input.customerId);
  const { items, totalCount } = await listAttendance(deps.db, actor.tenantId, input.customerId, input.page, input.pageSize);
  return { items: items.map(toAttendanceDto), totalEvents: customer.totalEvents, totalCount, page: input.page, pageSize: input.pageSize, totalPages: Math.ceil(totalCount / input.pageSize) };
}
