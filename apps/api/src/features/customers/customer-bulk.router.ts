import { router, withPrivilege } from "../../trpc/trpc";
import { ZBulkDeleteInput, ZBulkJob, ZBulkJobInput, ZBulkOutcome, ZBulkTagInput, ZBulkUpdateInput } from "./customer-bulk.schemas";
import * as uc from "./customer-bulk.use-cases";

const tags = ["Customer bulk operations, import and export"];
const inBackground = (data: unknown) => (data as { jobId: string | null }).jobId !== null;
const accepted = { acceptedWhen: inBackground, errors: {} };

export const customerBulkRouter = router({
  bulkUpdate: withPrivilege("customer:update")
    .meta({ openapi: { method: "POST", path: "/customers/bulk/update", tags, summary: "Set the same fields on many customers: per-customer results (200), or a job beyond 1,000 ids or for a filter (202)" }, ...accepted })
    .input(ZBulkUpdateInput)
    .output(ZBulkOutcome)
    .mutation(({ ctx, input }) => uc.runBulk(ctx.deps, ctx.actor, input, uc.bulkUpdateOperation(input), ctx.traceId)),

  bulkDelete: withPrivilege("customer:delete")
    .meta({ openapi: { method: "POST", path: "/customers/bulk/delete", tags, summary: "Deactivate many customers with a reason: per-customer results (200), or a job (202)" }, ...accepted })
    .input(ZBulkDeleteInput)
    .output(ZBulkOutcome)
    .mutation(({ ctx, input }) => uc.runBulk(ctx.deps, ctx.actor, input, uc.bulkDeleteOperation(input), ctx.traceId)),

  bulkTag: withPrivilege("customer:update")
    .meta({ openapi: { method: "POST", path: "/customers/bulk/tag", tags, summary: "Add and remove tags on many customers: per-customer results (200), or a job (202)" }, ...accepted })
    .input(ZBulkTagInput)
    .output(ZBulkOutcome)
    .mutation(({ ctx, input }) => uc.runBulk(ctx.deps, ctx.actor, input, uc.bulkTagOperation(input), ctx.traceId)),

  bulkJob: withPrivilege("customer:read")
    .meta({ openapi: { method: "GET", path: "/customers/bulk/jobs/{jobId}", tags, summary: "A bulk job's progress and a page of its per-customer results" } })
    .input(ZBulkJobInput)
    .output(ZBulkJob)
    .query(({ ctx, input }) => uc.getBulkJob(ctx.deps, ctx.actor, input)),
});
