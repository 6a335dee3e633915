import { z } from "zod";
import { router, withPrivilege } from "../../trpc/trpc";
import { ZFlag } from "../shared.schemas";
import { ZFollowUp, ZFollowUpInput, ZFollowUpRef } from "../communications/communication.schemas";
import * as uc from "./follow-up.use-cases";

const tags = ["Follow-ups"];

export const followUpRouter = router({
  create: withPrivilege("communication:send")
    .meta({ openapi: { method: "POST", path: "/customers/{customerId}/follow-ups", tags, summary: "Create a follow-up task (the assignee is emailed)" }, successStatus: 201 })
    .input(ZFollowUpInput)
    .output(ZFollowUp)
    .mutation(({ ctx, input }) => uc.createFollowUp(ctx.deps, ctx.actor, input, ctx.traceId)),
  forCustomer: withPrivilege("customer:read")
    .meta({ openapi: { method: "GET", path: "/customers/{customerId}/follow-ups", tags, summary: "A customer's follow-ups" } })
    .input(z.object({ customerId: z.uuid("must be a UUID") }))
    .output(z.object({ items: z.array(ZFollowUp) }))
    .query(({ ctx, input }) => uc.customerFollowUps(ctx.deps, ctx.actor, input)),
  mine: withPrivilege("customer:read")
    .meta({ openapi: { method: "GET", path: "/follow-ups/mine", tags, summary: "My tasks (and unassigned ones for managers), overdue flagged" } })
    .input(z.object({ includeCompleted: ZFlag.optional() }))
    .output(z.object({ items: z.array(ZFollowUp), overdueCount: z.number().int() }))
    .query(({ ctx, input }) => uc.myTasks(ctx.deps, ctx.actor, input)),
  complete: withPrivilege("communication:send")
    .meta({ openapi: { method: "POST", path: "/follow-ups/{followUpId}/complete", tags, summary: "Complete a follow-up" } })
    .input(ZFollowUpRef)
    .output(ZFollowUp)
    .mutation(({ ctx, input }) => uc.completeFollowUp(ctx.deps, ctx.actor, input, ctx.traceId)),
  reassign: withPrivilege("communication:send")
    .meta({ openapi: { method: "PUT", path: "/follow-ups/{followUpId}/assignee", tags, summary: "Reassign (or unassign with null)" } })
    .input(ZFollowUpRef.extend({ assignedTo: z.string().max(100).nullable() }))
    .output(ZFollowUp)
    .mutation(({ ctx, input }) => uc.reassignFollowUp(ctx.deps, ctx.actor, input, ctx.traceId)),
});
