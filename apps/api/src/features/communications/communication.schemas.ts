import "../../zod-setup";
import { COMMUNICATION_TYPES, FOLLOW_UP_PRIORITIES, PURPOSES } from "@clientele/domain";
import { z } from "zod";
import { listOf, text, ZDateTime, ZId, ZPage, ZPageSize } from "../shared.schemas";

export const ZSendEmailInput = z.object({
  customerId: ZId,
  recipientEmail: text(320).optional().describe("defaults to the customer's primary email"),
  subject: text(1000).optional(),
  body: text(1_000_000).optional().describe("plain-text body"),
  html: text(1_000_000).optional(),
  templateId: ZId.optional(),
  attachments: z.array(ZId).max(10).default([]).describe("ids of files uploaded with POST /files"),
  purpose: z.enum(PURPOSES).default("Transactional"),
});

export const ZBulkEmailInput = z.object({
  customerIds: z.array(ZId).min(1).max(1000).describe("each customer's primary email receives the message"),
  subject: text(1000).optional(),
  body: text(1_000_000).optional(),
  html: text(1_000_000).optional(),
  templateId: ZId.optional(),
  purpose: z.enum(PURPOSES).default("Marketing"),
});
export const ZBulkEmailOutput = z.object({
  accepted: z.array(z.object({ customerId: z.string(), communicationId: z.string() })),
  blocked: z.array(z.object({ customerId: z.string(), code: z.string(), reason: z.string() })),
});

export const ZSendSmsInput = z.object({
  customerId: ZId,
  recipientPhone: text(40).optional().describe("defaults to the customer's primary phone"),
  message: text(5000).optional(),
  templateId: ZId.optional(),
  purpose: z.enum(PURPOSES).default("Transactional"),
});

export const ZMessageAccepted = z.object({
  communicationId: z.string(),
  type: z.enum(["Email", "SMS"]),
  status: z.string(),
  purpose: z.enum(PURPOSES),
  segments: z.number().int().optional(),
  encoding: z.string().optional(),
});

export const ZResendInput = z.object({ customerId: ZId, communicationId: ZId });
export const ZResendAccepted = ZMessageAccepted.extend({ resentFromId: z.string().describe("the failed message this one resends") });

export const ZLogCallInput = z.object({
  customerId: ZId,
  phoneNumber: text(40),
  callType: z.string().max(20),
  durationInSeconds: z.number(),
  summary: text(2000),
  notes: text(10_000).nullable().optional(),
  callTime: ZDateTime,
});

export const ZMeetingInput = z.object({
  customerId: ZId,
  title: text(500),
  description: text(10_000).nullable().optional(),
  scheduledStart: ZDateTime,
  scheduledEnd: ZDateTime,
  location: text(255).nullable().optional(),
  attendees: z.array(text(320)).max(100),
  isVirtual: z.boolean().default(false),
  meetingLink: text(500).nullable().optional(),
  reminderMinutes: z.array(z.number()).max(5).optional().describe("minutes before the start; default [1440, 60]"),
});

export const ZRescheduleInput = z.object({
  customerId: ZId,
  meetingId: ZId,
  scheduledStart: ZDateTime,
  scheduledEnd: ZDateTime,
  location: text(255).nullable().optional(),
  meetingLink: text(500).nullable().optional(),
  version: z.number().int().positive().optional(),
});
export const ZMeetingRef = z.object({ customerId: ZId, meetingId: ZId, version: z.number().int().positive().optional() });

export const ZCommunication = z.object({
  id: z.string(),
  customerId: z.string(),
  type: z.enum(COMMUNICATION_TYPES),
  purpose: z.string(),
  direction: z.string(),
  status: z.string(),
  subject: z.string().nullable(),
  body: z.string().nullable(),
  html: z.string().nullable(),
  recipientEmail: z.string().nullable(),
  recipientPhone: z.string().nullable(),
  templateId: z.string().nullable(),
  attachments: z.array(z.object({ fileId: z.string(), fileName: z.string(), contentType: z.string(), size: z.number() })),
  segments: z.number().nullable(),
  encoding: z.string().nullable(),
  failureReason: z.string().nullable(),
  durationInSeconds: z.number().nullable(),
  scheduledStart: z.string().nullable(),
  scheduledEnd: z.string().nullable(),
  location: z.string().nullable(),
  meetingLink: z.string().nullable(),
  isVirtual: z.boolean().nullable(),
  attendees: z.array(z.string()),
  reminderMinutes: z.array(z.number()),
  notes: z.string().nullable(),
  occurredAt: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
  sentAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  resentFromId: z.string().nullable().describe("set on a resend: the failed message it sends again"),
  version: z.number().int(),
});

export const ZHistoryInput = z.object({
  customerId: ZId,
  type: listOf(z.enum([...COMMUNICATION_TYPES, "Phone"]), 4).optional(),
  startDate: ZDateTime.optional(),
  endDate: ZDateTime.optional(),
  page: ZPage,
  pageSize: ZPageSize,
});
export const ZHistoryOutput = z.object({
  items: z.array(ZCommunication),
  totalCount: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  totalPages: z.number().int(),
});

export const ZTemplateInput = z.object({
  name: text(200),
  channel: z.enum(["Email", "SMS"]),
  purpose: z.enum(PURPOSES).default("Transactional"),
  subject: text(500).nullable().optional(),
  body: text(1_000_000).nullable().optional(),
  html: text(1_000_000).nullable().optional(),
});
export const ZTemplateUpdate = ZTemplateInput.partial().extend({ templateId: ZId, version: z.number().int().positive().optional() });
export const ZTemplate = z.object({
  id: z.string(),
  name: z.string(),
  channel: z.string(),
  purpose: z.string(),
  subject: z.string().nullable(),
  body: z.string().nullable(),
  html: z.string().nullable(),
  variables: z.array(z.string()),
  status: z.string(),
  createdAt: z.string(),
  version: z.number().int(),
});

export const ZFollowUpInput = z.object({
  customerId: ZId,
  subject: text(500),
  description: text(10_000).nullable().optional(),
  dueDate: ZDateTime,
  priority: z.enum(FOLLOW_UP_PRIORITIES),
  assignedTo: text(100).nullable().optional().describe("a user id (the token's sub)"),
});
export const ZFollowUp = z.object({
  id: z.string(),
  customerId: z.string(),
  subject: z.string(),
  description: z.string().nullable(),
  dueDate: z.string(),
  priority: z.string(),
  status: z.string(),
  assignedTo: z.string().nullable(),
  overdue: z.boolean(),
  completedAt: z.string().nullable(),
  completedBy: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
  version: z.number().int(),
});
export const ZFollowUpRef = z.object({ followUpId: ZId, version: z.number().int().positive().optional() });
