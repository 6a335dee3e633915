import { router, withPrivilege } from "../../trpc/trpc";
import { ZListAttendanceInput, ZListAttendanceOutput, ZRecordAttendanceInput, ZRecordAttendanceOutput } from "./attendance.schemas";
import * as uc from "./attendance.use-cases";

const tags = ["Customer value"];
const path = "/customers/{customerId}/attendance";

export const attendanceRouter = router({
  recordAttendance: withPrivilege("attendance:record")
    .meta({ openapi: { method: "POST", path, tags, summary: "Record event attendance (Registered, Attended, NoShow); idempotent by idempotencyKey; updates totalEvents" },
      successStatus: 201,
      errors: { 409: "ATT-001: the idempotency key was already used for a different attendance" },
    })
    .input(ZRecordAttendanceInput)
    .output(ZRecordAttendanceOutput)
    .mutation(({ ctx, input }) => uc.recordCustomerAttendance(ctx.deps, ctx.actor, input, ctx.traceId)),
  attendance: withPrivilege("value:read")
    .meta({ openapi: { method: "GET", path, tags, summary: "A customer's event attendance, newest first, with totalEvents" } })
    .input(ZListAttendanceInput)
    .output(ZListAttendanceOutput)
    .query(({ ctx, input }) => uc.customerAttendance(ctx.deps, ctx.actor, input)),
});
