import "../../zod-setup";
import { COMPLAINT_PRIORITIES, COMPLAINT_STATUSES, KNOWLEDGE_BASE_MIN_WORD, knowledgeBaseWords } from "@clientele/domain";
import { z } from "zod";
import { listOf, text, ZId, ZPage, ZPageSize } from "../shared.schemas";

const list = <T extends z.ZodType>(item: T) => listOf(item, 10);

export const ZSubmitComplaintInput = z.object({
  customerId: ZId,
  subject: text(1000),
  description: text(10_000),
  category: text(200).nullable().optional(),
  priority: z.enum(COMPLAINT_PRIORITIES),
  relatedEventId: ZId.nullable().optional(),
  attachments: z.array(ZId).max(10).default([]).describe("ids of files uploaded with POST /files"),
});

export const ZComplaintRef = z.object({ customerId: ZId, complaintId: ZId });

export const ZStatusInput = ZComplaintRef.extend({
  status: z.string().max(30),
  notes: text(5000),
  version: z.number().int().positive().optional(),
});

export const ZResolveInput = ZComplaintRef.extend({
  resolution: text(10_000),
  compensationOffered: text(2000).nullable().optional(),
  customerSatisfied: z.boolean(),
  version: z.number().int().positive().optional(),
});

export const ZComplaint = z.object({
  id: z.string(),
  complaintId: z.string(),
  complaintNumber: z.string(),
  customerId: z.string(),
  subject: z.string(),
  description: z.string(),
  category: z.string().nullable(),
  priority: z.enum(COMPLAINT_PRIORITIES),
  status: z.enum(COMPLAINT_STATUSES),
  relatedEventId: z.string().nullable(),
  assignedTo: z.string().nullable(),
  attachments: z.array(z.object({ fileId: z.string(), fileName: z.string(), size: z.number() })),
  resolution: z.string().nullable(),
  compensationOffered: z.string().nullable(),
  customerSatisfied: z.boolean().nullable(),
  resolvedBy: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  resolutionTimeInHours: z.number().nullable(),
  escalatedAt: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
  lastModifiedAt: z.string().nullable(),
  version: z.number().int(),
  statusHistory: z.array(z.object({ from: z.string().nullable(), to: z.string(), notes: z.string(), changedBy: z.string(), changedAt: z.string() })).optional(),
});

export const ZResolveOutput = z.object({ resolutionTimeInHours: z.number().int(), followUpId: z.string().nullable(), complaint: ZComplaint });

export const ZListInput = z.object({
  customerId: ZId.optional(),
  status: list(z.enum(COMPLAINT_STATUSES)).optional(),
  priority: list(z.enum(COMPLAINT_PRIORITIES)).optional(),
  assignedTo: text(100).optional(),
  category: text(200).optional(),
  page: ZPage,
  pageSize: ZPageSize,
});
export const ZListOutput = z.object({ items: z.array(ZComplaint), totalCount: z.number().int(), page: z.number().int(), pageSize: z.number().int(), totalPages: z.number().int() });

export const ZKnowledgeBaseInput = z.object({
  query: text(200)
    .optional()
    .refine((q) => !q?.trim() || knowledgeBaseWords(q).length > 0, `must contain a word of at least ${KNOWLEDGE_BASE_MIN_WORD} letters or digits`)
    .describe("words of the subject or resolution; any may match, best match first. Without it, the newest resolutions"),
  category: text(200).optional(),
  page: ZPage,
  pageSize: ZPageSize,
});
export const ZKnowledgeBaseOutput = z.object({
  items: z.array(
    z.object({
      complaintId: z.string(),
      complaintNumber: z.string(),
      category: z.string().nullable(),
      subject: z.string(),
      resolution: z.string(),
      compensationOffered: z.string().nullable(),
      resolvedAt: z.string().nullable(),
      customerSatisfied: z.boolean().nullable(),
    }),
  ),
  totalCount: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  totalPages: z.number().int(),
});

export const ZSettings = z.object({
  routing: z
    .object({
      rules: z.array(z.object({ category: text(200), userId: text(100).optional(), team: text(100).optional() })).max(200),
      teams: z.record(text(100), z.array(text(100)).min(1).max(200)),
    })
    .optional(),
  escalationHours: z.partialRecord(z.enum(COMPLAINT_PRIORITIES), z.number().positive().max(24 * 365)).optional(),
  supportEmails: z.array(z.email().max(255)).max(50).optional(),
  managerEmails: z.array(z.email().max(255)).max(50).optional(),
});
