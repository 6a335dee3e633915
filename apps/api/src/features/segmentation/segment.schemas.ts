import "../../zod-setup";
import { MEMBERSHIP_REASONS, SEGMENT_KINDS, SEGMENT_STATUSES } from "@clientele/domain";
import { z } from "zod";
import { text, ZId, ZPage, ZPageSize } from "../shared.schemas";

/**
 * Criteria travel as a JSON object here and are checked by the domain's ZSegmentCriteria in the
 * use case (its 400s name the field under `criteria.`): the recursive tree stays out of the
 * OpenAPI document's schema generator. README "Segments" documents the shape.
 */
const ZCriteriaJson = z.record(z.string(), z.unknown()).describe("segment criteria (README: Segments): demographics, behavioral, geographic, purchaseHistory, customRules, allOf, anyOf, not");

const name = z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters");
const description = text(2000).nullable().optional();
const ruleId = z.string().trim().min(1).max(100).nullable().optional().describe("the rules engine's rule this segment stands for");

export const ZSegmentRef = z.object({ segmentId: ZId });

export const ZCreateSegmentInput = z.object({
  name,
  description,
  ruleId,
  kind: z.enum(SEGMENT_KINDS).default("dynamic"),
  criteria: ZCriteriaJson.optional(),
  status: z.enum(["ACTIVE", "INACTIVE"]).default("ACTIVE"),
});
export type TCreateSegmentInput = z.infer<typeof ZCreateSegmentInput>;

export const ZUpdateSegmentInput = ZSegmentRef.extend({
  name: name.optional(),
  description,
  ruleId,
  criteria: ZCriteriaJson.optional(),
  status: z.enum(["ACTIVE", "INACTIVE"]).optional(),
  version: z.number().int().positive("must be a positive whole number"),
});
export type TUpdateSegmentInput = z.infer<typeof ZUpdateSegmentInput>;

export const ZDeleteSegmentInput = ZSegmentRef.extend({ version: z.number().int().positive().optional() });

export const ZListSegmentsInput = z.object({ kind: z.enum(SEGMENT_KINDS).optional(), status: z.enum(SEGMENT_STATUSES).optional(), page: ZPage, pageSize: ZPageSize });

export const ZSegment = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  ruleId: z.string().nullable(),
  kind: z.enum(SEGMENT_KINDS),
  criteria: z.record(z.string(), z.unknown()).nullable(),
  status: z.enum(SEGMENT_STATUSES),
  customerCount: z.number().int(),
  lastCalculated: z.string().nullable(),
  calculation: z.object({ total: z.number().int().nullable(), done: z.number().int().nullable(), error: z.string().nullable() }),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string().nullable(),
  version: z.number().int(),
});
export type TSegment = z.infer<typeof ZSegment>;

const paged = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), totalCount: z.number().int(), page: z.number().int(), pageSize: z.number().int(), totalPages: z.number().int() });
export const ZSegmentList = paged(ZSegment);

export const ZCalculateOutput = z.object({ segmentId: z.string(), status: z.enum(SEGMENT_STATUSES), queued: z.boolean() });
export const ZPreviewInput = z.object({ criteria: ZCriteriaJson });
export const ZPreviewOutput = z.object({ customerCount: z.number().int(), calculatedAt: z.string() });

export const ZMembersInput = ZSegmentRef.extend({ page: ZPage, pageSize: ZPageSize });
export const ZSegmentMember = z.object({
  customerId: z.string(),
  customerNumber: z.string(),
  companyName: z.string(),
  type: z.string(),
  status: z.string(),
  joinedAt: z.string(),
  reason: z.enum(MEMBERSHIP_REASONS),
});
export const ZMembersOutput = paged(ZSegmentMember);

export const ZHistoryOutput = paged(
  z.object({ customerId: z.string(), joinedAt: z.string(), joinReason: z.enum(MEMBERSHIP_REASONS), leftAt: z.string().nullable(), leaveReason: z.enum(MEMBERSHIP_REASONS).nullable() }),
).extend({ segment: z.object({ id: z.string(), name: z.string(), deletedAt: z.string().nullable() }) });

export const ZCustomerSegmentsInput = z.object({ customerId: ZId });
export const ZCustomerSegmentsOutput = z.object({
  customerId: z.string(),
  segments: z.array(z.object({ segmentId: z.string(), name: z.string(), kind: z.enum(SEGMENT_KINDS), status: z.enum(SEGMENT_STATUSES), joinedAt: z.string(), reason: z.enum(MEMBERSHIP_REASONS) })),
});

export const MAX_BULK_SEGMENT_CUSTOMERS = 1000;
const ids = z.array(ZId).max(MAX_BULK_SEGMENT_CUSTOMERS, `must have at most ${MAX_BULK_SEGMENT_CUSTOMERS} customer ids`).default([]);
export const ZBulkSegmentInput = z
  .object({ segmentId: ZId, add: ids, remove: ids })
  .refine((i) => i.add.length + i.remove.length > 0, { message: "name at least one customer to add or remove", path: ["add"] })
  .refine((i) => !i.add.some((id) => i.remove.includes(id)), { message: "a customer cannot be added and removed at once", path: ["remove"] });
export const ZBulkSegmentOutput = z.object({
  segmentId: z.string(),
  added: z.number().int(),
  removed: z.number().int(),
  results: z.array(z.object({ customerId: z.string(), outcome: z.enum(["added", "removed", "unchanged", "not_found"]) })),
});

export const ZSegmentDefinition = z.object({
  name,
  description,
  ruleId,
  kind: z.enum(SEGMENT_KINDS).default("dynamic"),
  criteria: ZCriteriaJson.nullable().optional(),
  status: z.enum(["ACTIVE", "INACTIVE"]).default("ACTIVE"),
});
export const ZExportOutput = z.object({ exportedAt: z.string(), segments: z.array(ZSegmentDefinition) });
export const ZImportInput = z.object({ segments: z.array(ZSegmentDefinition).min(1, "must hold at least one segment").max(500, "must hold at most 500 segments") });
export const ZImportOutput = z.object({
  created: z.number().int(),
  skipped: z.number().int(),
  results: z.array(z.object({ name: z.string(), outcome: z.enum(["created", "skipped"]), segmentId: z.string().nullable(), reason: z.string().nullable() })),
});
