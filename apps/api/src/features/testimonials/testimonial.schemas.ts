import "../../zod-setup";
import { MAX_AUTHOR_NAME_CHARS, MAX_REJECTION_REASON_CHARS, MAX_TESTIMONIAL_CHARS, TESTIMONIAL_STATUSES } from "@clientele/domain";
import { z } from "zod";
import { ZFlag, ZId, ZPage, ZPageSize } from "../shared.schemas";

// Generous bounds at the edge; the domain counts characters (not UTF-16 units) against the real limits.
const text = (max: number) => z.string().max(max * 2, `must be at most ${max} characters`);

export const ZSubmitTestimonialInput = z.object({
  customerId: ZId,
  content: text(MAX_TESTIMONIAL_CHARS).describe(`at most ${MAX_TESTIMONIAL_CHARS} characters; profanity is masked`),
  rating: z.number().describe("whole stars, 1 to 5"),
  relatedEventId: ZId.nullable().optional(),
  isPublic: z.boolean().default(false),
  authorName: text(MAX_AUTHOR_NAME_CHARS).describe(`at most ${MAX_AUTHOR_NAME_CHARS} characters`),
});
export type TSubmitTestimonialInput = z.infer<typeof ZSubmitTestimonialInput>;

const ZTestimonialRef = z.object({ customerId: ZId, testimonialId: ZId, version: z.number().int().positive().optional() });

export const ZApproveTestimonialInput = ZTestimonialRef.extend({ isPublic: z.boolean().optional().describe("make it public (or not); unchanged when absent") });
export type TApproveTestimonialInput = z.infer<typeof ZApproveTestimonialInput>;

export const ZRejectTestimonialInput = ZTestimonialRef.extend({ reason: text(MAX_REJECTION_REASON_CHARS).describe("at least 3 characters") });
export type TRejectTestimonialInput = z.infer<typeof ZRejectTestimonialInput>;

export const ZListTestimonialsInput = z.object({
  customerId: ZId,
  isPublic: ZFlag.optional(),
  status: z.enum(TESTIMONIAL_STATUSES).optional(),
});
export type TListTestimonialsInput = z.infer<typeof ZListTestimonialsInput>;

export const ZTestimonial = z.object({
  id: z.string(),
  customerId: z.string(),
  content: z.string(),
  rating: z.number().int(),
  relatedEventId: z.string().nullable(),
  isPublic: z.boolean(),
  status: z.enum(TESTIMONIAL_STATUSES),
  isApproved: z.boolean(),
  containsProfanity: z.boolean().describe("profanity was found and masked; for the moderator"),
  authorName: z.string(),
  approvedBy: z.string().nullable(),
  approvedAt: z.string().nullable(),
  rejectedBy: z.string().nullable(),
  rejectedAt: z.string().nullable(),
  rejectionReason: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
  version: z.number().int(),
});
export type TTestimonial = z.infer<typeof ZTestimonial>;

export const ZSubmittedTestimonial = ZTestimonial.extend({ testimonialId: z.string() });

/** The marketing team's queue: every pending testimonial of the tenant, oldest first. */
export const ZModerationQueueInput = z.object({ page: ZPage, pageSize: ZPageSize });
export type TModerationQueueInput = z.infer<typeof ZModerationQueueInput>;

export const ZModerationQueue = z.object({
  items: z.array(ZTestimonial.extend({ customerName: z.string().describe("the customer's company name") })),
  page: z.number().int(),
  pageSize: z.number().int(),
  totalCount: z.number().int(),
});
export type TModerationQueue = z.infer<typeof ZModerationQueue>;

/** The public website list: tenant from the path, so it must be a safe identifier. */
export const ZPublicTestimonialsInput = z.object({
  tenantId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1-64 letters, digits, '_' or '-'"),
  page: ZPage,
  pageSize: ZPageSize,
});
export type TPublicTestimonialsInput = z.infer<typeof ZPublicTestimonialsInput>;

export const ZPublicTestimonialList = z.object({
  items: z.array(z.object({ id: z.string(), authorName: z.string(), content: z.string(), rating: z.number().int(), approvedAt: z.string() })),
  page: z.number().int(),
  pageSize: z.number().int(),
  totalCount: z.number().int(),
});
export type TPublicTestimonialList = z.infer<typeof ZPublicTestimonialList>;
