import { router, withPrivilege } from "../../trpc/trpc";
import {
  ZBulkSegmentInput,
  ZBulkSegmentOutput,
  ZCalculateOutput,
  ZCreateSegmentInput,
  ZCustomerSegmentsInput,
  ZCustomerSegmentsOutput,
  ZDeleteSegmentInput,
  ZExportOutput,
  ZHistoryOutput,
  ZImportInput,
  ZImportOutput,
  ZListSegmentsInput,
  ZMembersInput,
  ZMembersOutput,
  ZPreviewInput,
  ZPreviewOutput,
  ZSegment,
  ZSegmentList,
  ZSegmentRef,
  ZUpdateSegmentInput,
} from "./segment.schemas";
import * as uc from "./segment.use-cases";
import { z } from "zod";

const tags = ["Segments"];
const base = "/customers/segments";

/** Issue 13 §1: rule-based and static segments (tRPC key `segments`). Reading follows customer:read; changing needs segments:manage. */
export const segmentRouter = router({
  list: withPrivilege("customer:read")
    .meta({ openapi: { method: "GET", path: base, tags, summary: "The tenant's segments (kind, status filters), by name" } })
    .input(ZListSegmentsInput)
    .output(ZSegmentList)
    .query(({ ctx, input }) => uc.listSegmentDtos(ctx.deps, ctx.actor, input)),
  create: withPrivilege("segments:manage")
    .meta({ openapi: { method: "POST", path: base, tags, summary: "Create a segment (a dynamic one is calculated in the background)" }, successStatus: 201, errors: { 409: "another segment of the tenant has this name" } })
    .input(ZCreateSegmentInput)
    .output(ZSegment)
    .mutation(({ ctx, input }) => uc.createSegment(ctx.deps, ctx.actor, input, ctx.traceId)),
  preview: withPrivilege("customer:read")
    .meta({ openapi: { method: "POST", path: `${base}/preview`, tags, summary: "How many customers unsaved criteria select now" } })
    .input(ZPreviewInput)
    .output(ZPreviewOutput)
    .mutation(({ ctx, input }) => uc.previewSegment(ctx.deps, ctx.actor, input.criteria)),
  export: withPrivilege("segments:manage")
    .meta({ openapi: { method: "GET", path: `${base}/export`, tags, summary: "Every segment definition as JSON (no members), for import elsewhere" } })
    .input(z.object({}))
    .output(ZExportOutput)
    .query(({ ctx }) => uc.exportSegments(ctx.deps, ctx.actor)),
  import: withPrivilege("segments:manage")
    .meta({ openapi: { method: "POST", path: `${base}/import`, tags, summary: "Create segments from exported definitions (names in use are skipped)" } })
    .input(ZImportInput)
    .output(ZImportOutput)
    .mutation(({ ctx, input }) => uc.importSegments(ctx.deps, ctx.actor, input, ctx.traceId)),
  get: withPrivilege("customer:read")
    .meta({ openapi: { method: "GET", path: `${base}/{segmentId}`, tags, summary: "A segment with its criteria, count and calculation progress" } })
    .input(ZSegmentRef)
    .output(ZSegment)
    .query(({ ctx, input }) => uc.getSegment(ctx.deps, ctx.actor, input.segmentId)),
  update: withPrivilege("segments:manage")
    .meta({ openapi: { method: "PUT", path: `${base}/{segmentId}`, tags, summary: "Change a segment (version required; new criteria recalculate it)" }, errors: { 409: "stale version, or the name is taken" } })
    .input(ZUpdateSegmentInput)
    .output(ZSegment)
    .mutation(({ ctx, input }) => uc.updateSegmentDefinition(ctx.deps, ctx.actor, input, ctx.traceId)),
  delete: withPrivilege("segments:manage")
    .meta({ openapi: { method: "DELETE", path: `${base}/{segmentId}`, tags, summary: "Delete a segment (its membership history stays readable)" }, successStatus: 204, errors: { 409: "stale version" } })
    .input(ZDeleteSegmentInput)
    .output(z.void())
    .mutation(({ ctx, input }) => uc.deleteSegment(ctx.deps, ctx.actor, input, ctx.traceId)),
  calculate: withPrivilege("segments:manage")
    .meta({ openapi: { method: "POST", path: `${base}/{segmentId}/calculate`, tags, summary: "Queue a full calculation (202; progress on GET the segment)" }, acceptedWhen: () => true })
    .input(ZSegmentRef)
    .output(ZCalculateOutput)
    .mutation(({ ctx, input }) => uc.calculateSegment(ctx.deps, ctx.actor, input.segmentId)),
  members: withPrivilege("customer:read")
    .meta({ openapi: { method: "GET", path: `${base}/{segmentId}/customers`, tags, summary: "A segment's current members, newest first (paged)" } })
    .input(ZMembersInput)
    .output(ZMembersOutput)
    .query(({ ctx, input }) => uc.listMembers(ctx.deps, ctx.actor, input)),
  history: withPrivilege("customer:read")
    .meta({ openapi: { method: "GET", path: `${base}/{segmentId}/history`, tags, summary: "Every membership period (joined, left, why), also of a deleted segment" } })
    .input(ZMembersInput)
    .output(ZHistoryOutput)
    .query(({ ctx, input }) => uc.membershipHistory(ctx.deps, ctx.actor, input)),
  forCustomer: withPrivilege("customer:read")
    .meta({ openapi: { method: "GET", path: "/customers/{customerId}/segments", tags, summary: "The segments a customer belongs to now" } })
    .input(ZCustomerSegmentsInput)
    .output(ZCustomerSegmentsOutput)
    .query(({ ctx, input }) => uc.customerSegments(ctx.deps, ctx.actor, input.customerId)),
  bulkAssign: withPrivilege("segments:manage")
    .meta({ openapi: { method: "POST", path: "/customers/bulk/segments", tags, summary: "Add and remove a static segment's members in bulk (up to 1000 each)" } })
    .input(ZBulkSegmentInput)
    .output(ZBulkSegmentOutput)
    .mutation(({ ctx, input }) => uc.bulkAssign(ctx.deps, ctx.actor, input)),
});
