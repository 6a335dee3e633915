import { z } from "zod";
import { router, withPrivilege } from "../../trpc/trpc";
import { ZComplaint, ZComplaintRef, ZKnowledgeBaseInput, ZKnowledgeBaseOutput, ZListInput, ZListOutput, ZResolveInput, ZResolveOutput, ZSettings, ZStatusInput, ZSubmitComplaintInput } from "./complaint.schemas";
import * as uc from "./complaint.use-cases";

const tags = ["Complaints"];
const base = "/customers/{customerId}/complaints";
const ZSettingsOut = z.object({
  routing: z.object({ rules: z.array(z.object({ category: z.string(), userId: z.string().optional(), team: z.string().optional() })), teams: z.record(z.string(), z.array(z.string())) }),
  escalationHours: z.record(z.string(), z.number()),
  supportEmails: z.array(z.string()),
  managerEmails: z.array(z.string()),
});

export const complaintRouter = router({
  submit: withPrivilege("complaint:manage")
    .meta({ openapi: { method: "POST", path: base, tags, summary: "Submit a complaint (numbered, routed, support team notified)" }, successStatus: 201 })
    .input(ZSubmitComplaintInput)
    .output(ZComplaint)
    .mutation(({ ctx, input }) => uc.submitComplaint(ctx.deps, ctx.actor, input, ctx.traceId)),
  listForCustomer: withPrivilege("customer:read")
    .meta({ openapi: { method: "GET", path: base, tags, summary: "A customer's complaints (status, priority filters)" } })
    .input(ZListInput.extend({ customerId: z.uuid("must be a UUID") }))
    .output(ZListOutput)
    .query(({ ctx, input }) => uc.listComplaintDtos(ctx.deps, ctx.actor, input)),
  get: withPrivilege("customer:read")
    .meta({ openapi: { method: "GET", path: `${base}/{complaintId}`, tags, summary: "A complaint with its status history" } })
    .input(ZComplaintRef)
    .output(ZComplaint)
    .query(({ ctx, input }) => uc.getComplaint(ctx.deps, ctx.actor, input)),
  changeStatus: withPrivilege("complaint:manage")
    .meta({ openapi: { method: "PUT", path: `${base}/{complaintId}/status`, tags, summary: "Change the status (notes required; the customer is told)" } })
    .input(ZStatusInput)
    .output(ZComplaint)
    .mutation(({ ctx, input }) => uc.changeStatus(ctx.deps, ctx.actor, input, ctx.traceId)),
  resolve: withPrivilege("complaint:manage")
    .meta({ openapi: { method: "POST", path: `${base}/{complaintId}/resolve`, tags, summary: "Resolve (resolution time computed; follow-up if not satisfied)" } })
    .input(ZResolveInput)
    .output(ZResolveOutput)
    .mutation(({ ctx, input }) => uc.resolveComplaint(ctx.deps, ctx.actor, input, ctx.traceId)),
  list: withPrivilege("customer:read")
    .meta({ openapi: { method: "GET", path: "/complaints", tags, summary: "All complaints of the tenant (status, priority, assignee, category filters)" } })
    .input(ZListInput)
    .output(ZListOutput)
    .query(({ ctx, input }) => uc.listComplaintDtos(ctx.deps, ctx.actor, input)),
  dashboard: withPrivilege("complaint:manage")
    .meta({ openapi: { method: "GET", path: "/complaints/dashboard", tags, summary: "Open by priority, overdue for escalation, mine" } })
    .input(z.object({}))
    .output(z.object({ openByPriority: z.record(z.string(), z.number()), overdueForEscalation: z.array(ZComplaint), mine: z.array(ZComplaint), escalationHours: z.record(z.string(), z.number()) }))
    .query(({ ctx }) => uc.dashboard(ctx.deps, ctx.actor)),
  knowledgeBase: withPrivilege("complaint:manage")
    .meta({ openapi: { method: "GET", path: "/complaints/knowledge-base", tags, summary: "How resolved complaints were resolved: by words and category, best match first" } })
    .input(ZKnowledgeBaseInput)
    .output(ZKnowledgeBaseOutput)
    .query(({ ctx, input }) => uc.knowledgeBase(ctx.deps, ctx.actor, input)),
  getSettings: withPrivilege("complaint:manage")
    .meta({ openapi: { method: "GET", path: "/settings/complaints", tags, summary: "Routing rules, escalation thresholds, notification addresses" } })
    .input(z.object({}))
    .output(ZSettingsOut)
    .query(({ ctx }) => uc.getSettings(ctx.deps, ctx.actor)),
  putSettings: withPrivilege("settings:manage")
    .meta({ openapi: { method: "PUT", path: "/settings/complaints", tags, summary: "Change routing, thresholds or addresses (fields given are replaced)" } })
    .input(ZSettings)
    .output(ZSettingsOut)
    .mutation(({ ctx, input }) => uc.putSettings(ctx.deps, ctx.actor, input)),
});
