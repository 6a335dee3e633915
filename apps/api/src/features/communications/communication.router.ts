import { z } from "zod";
import { router, withPrivilege } from "../../trpc/trpc";
import { ZFlag } from "../shared.schemas";
import {
  ZBulkEmailInput,
  ZBulkEmailOutput,
  ZCommunication,
  ZHistoryInput,
  ZHistoryOutput,
  ZLogCallInput,
  ZMeetingInput,
  ZMeetingRef,
  ZMessageAccepted,
  ZRescheduleInput,
  ZResendAccepted,
  ZResendInput,
  ZSendEmailInput,
  ZSendSmsInput,
  ZTemplate,
  ZTemplateInput,
  ZTemplateUpdate,
} from "./communication.schemas";
import * as uc from "./communication.use-cases";
import * as tpl from "./template.use-cases";

const tags = ["Communications"];
const base = "/customers/{customerId}/communications";

export const communicationRouter = router({
  sendEmail: withPrivilege("communication:send")
    .meta({ openapi: { method: "POST", path: `${base}/email`, tags, summary: "Queue an email (sent by the worker)" }, successStatus: 201 })
    .input(ZSendEmailInput)
    .output(ZMessageAccepted)
    .mutation(({ ctx, input }) => uc.sendEmail(ctx.deps, ctx.actor, input, ctx.traceId)),

  sendBulkEmail: withPrivilege("communication:send")
    .meta({ openapi: { method: "POST", path: "/communications/email/bulk", tags, summary: "Queue one email to many customers (a campaign); refusals per customer" }, successStatus: 201 })
    .input(ZBulkEmailInput)
    .output(ZBulkEmailOutput)
    .mutation(({ ctx, input }) => uc.sendBulkEmail(ctx.deps, ctx.actor, input, ctx.traceId)),

  sendSms: withPrivilege("communication:send")
    .meta({ openapi: { method: "POST", path: `${base}/sms`, tags, summary: "Queue a text message (sent by the worker)" }, successStatus: 201 })
    .input(ZSendSmsInput)
    .output(ZMessageAccepted)
    .mutation(({ ctx, input }) => uc.sendSms(ctx.deps, ctx.actor, input, ctx.traceId)),

  resend: withPrivilege("communication:send")
    .meta({
      openapi: { method: "POST", path: `${base}/{communicationId}/resend`, tags, summary: "Send a failed email or SMS again (a new message linked to it; at most once per message)" },
      successStatus: 201,
      errors: { 409: "The message was already resent (COMM-011); resend the new one if it failed too" },
    })
    .input(ZResendInput)
    .output(ZResendAccepted)
    .mutation(({ ctx, input }) => uc.resendCommunication(ctx.deps, ctx.actor, input, ctx.traceId)),

  logPhoneCall: withPrivilege("communication:send")
    .meta({ openapi: { method: "POST", path: `${base}/phone-call`, tags, summary: "Log a phone call" }, successStatus: 201 })
    .input(ZLogCallInput)
    .output(ZCommunication)
    .mutation(({ ctx, input }) => uc.logPhoneCall(ctx.deps, ctx.actor, input, ctx.traceId)),

  scheduleMeeting: withPrivilege("communication:send")
    .meta({ openapi: { method: "POST", path: `${base}/meeting`, tags, summary: "Schedule a meeting; attendees get an invitation with an .ics" }, successStatus: 201 })
    .input(ZMeetingInput)
    .output(ZCommunication)
    .mutation(({ ctx, input }) => uc.scheduleMeeting(ctx.deps, ctx.actor, input, ctx.traceId)),

  rescheduleMeeting: withPrivilege("communication:send")
    .meta({ openapi: { method: "PUT", path: `${base}/meeting/{meetingId}`, tags, summary: "Move a meeting (updated invitation, reminders re-planned)" } })
    .input(ZRescheduleInput)
    .output(ZCommunication)
    .mutation(({ ctx, input }) => uc.rescheduleMeeting(ctx.deps, ctx.actor, input, ctx.traceId)),

  cancelMeeting: withPrivilege("communication:send")
    .meta({ openapi: { method: "POST", path: `${base}/meeting/{meetingId}/cancel`, tags, summary: "Cancel a meeting (cancellation sent, reminders dropped)" } })
    .input(ZMeetingRef)
    .output(ZCommunication)
    .mutation(({ ctx, input }) => uc.cancelMeeting(ctx.deps, ctx.actor, input, ctx.traceId)),

  history: withPrivilege("customer:read")
    .meta({ openapi: { method: "GET", path: base, tags, summary: "Communication history, newest first" } })
    .input(ZHistoryInput)
    .output(ZHistoryOutput)
    .query(({ ctx, input }) => uc.history(ctx.deps, ctx.actor, input)),

  get: withPrivilege("customer:read")
    .meta({ openapi: { method: "GET", path: `${base}/{communicationId}`, tags, summary: "One communication with its delivery status" } })
    .input(z.object({ customerId: z.uuid("must be a UUID"), communicationId: z.uuid("must be a UUID") }))
    .output(ZCommunication)
    .query(({ ctx, input }) => uc.getCommunication(ctx.deps, ctx.actor, input)),
});

const ttags = ["Message templates"];
const TemplateRef = z.object({ templateId: z.uuid("must be a UUID") });

export const templateRouter = router({
  create: withPrivilege("template:manage")
    .meta({ openapi: { method: "POST", path: "/templates", tags: ttags, summary: "Create a message template" }, successStatus: 201 })
    .input(ZTemplateInput)
    .output(ZTemplate)
    .mutation(({ ctx, input }) => tpl.createTemplate(ctx.deps, ctx.actor, input)),
  update: withPrivilege("template:manage")
    .meta({ openapi: { method: "PUT", path: "/templates/{templateId}", tags: ttags, summary: "Update a template" } })
    .input(ZTemplateUpdate)
    .output(ZTemplate)
    .mutation(({ ctx, input }) => tpl.changeTemplate(ctx.deps, ctx.actor, input)),
  archive: withPrivilege("template:manage")
    .meta({ openapi: { method: "POST", path: "/templates/{templateId}/archive", tags: ttags, summary: "Archive a template" } })
    .input(TemplateRef)
    .output(ZTemplate)
    .mutation(({ ctx, input }) => tpl.archiveTemplate(ctx.deps, ctx.actor, input)),
  get: withPrivilege("communication:send")
    .meta({ openapi: { method: "GET", path: "/templates/{templateId}", tags: ttags, summary: "Get a template" } })
    .input(TemplateRef)
    .output(ZTemplate)
    .query(({ ctx, input }) => tpl.getTemplate(ctx.deps, ctx.actor, input)),
  list: withPrivilege("communication:send")
    .meta({ openapi: { method: "GET", path: "/templates", tags: ttags, summary: "List templates" } })
    .input(z.object({ channel: z.enum(["Email", "SMS"]).optional(), includeArchived: ZFlag.optional() }))
    .output(z.object({ items: z.array(ZTemplate) }))
    .query(({ ctx, input }) => tpl.listTemplateDtos(ctx.deps, ctx.actor, input)),
});
