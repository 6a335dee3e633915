import { z } from "zod";
import { router, withPrivilege } from "../../trpc/trpc";
import {
  ZCustomerDuplicatesInput,
  ZCustomerDuplicatesOutput,
  ZDismissDuplicateInput,
  ZDismissDuplicateOutput,
  ZDuplicateScanInput,
  ZDuplicateScanOutput,
  ZListDuplicatePairsInput,
  ZListDuplicatePairsOutput,
} from "./customer-duplicate.schemas";
import * as uc from "./customer-duplicate.use-cases";

const tags = ["Customers"];

/**
 * Duplicate detection (002 REQ-CM-B012, 003 FR-5). Reading needs customer read; dismissing a pair
 * and scanning the tenant change what the queue shows, so they need customer update. Merging a
 * pair is POST /customers/merge (customer delete), after which the pair leaves the queue.
 */
export const customerDuplicateRouter = router({
  duplicates: withPrivilege("customer:read")
    .meta({ openapi: { method: "GET", path: "/customers/{id}/duplicates", tags, summary: "Possible duplicates of a customer, with score and reasons" } })
    .input(ZCustomerDuplicatesInput)
    .output(ZCustomerDuplicatesOutput)
    .query(({ ctx, input }) => uc.customerDuplicates(ctx.deps, ctx.actor, input.id)),

  duplicateQueue: withPrivilege("customer:read")
    .meta({ openapi: { method: "GET", path: "/customers/duplicates", tags, summary: "The tenant's review queue of possible duplicate pairs, highest score first" } })
    .input(ZListDuplicatePairsInput)
    .output(ZListDuplicatePairsOutput)
    .query(({ ctx, input }) => uc.duplicateQueue(ctx.deps, ctx.actor, input)),

  dismissDuplicate: withPrivilege("customer:update")
    .meta({
      openapi: { method: "POST", path: "/customers/duplicates/dismiss", tags, summary: "Dismiss a pair as not a duplicate (remembered: it never comes back)" },
      example: { request: { customerIdA: "0b9f3c4e-1d2a-4c5b-8e6f-7a8b9c0d1e2f", customerIdB: "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9" } },
      errors: { 404: "Either customer is missing in your tenant or deactivated (CUST-001)" },
    })
    .input(ZDismissDuplicateInput)
    .output(ZDismissDuplicateOutput)
    .mutation(({ ctx, input }) => uc.dismissDuplicate(ctx.deps, ctx.actor, input, ctx.traceId)),

  scanDuplicates: withPrivilege("customer:update")
    .meta({
      openapi: { method: "POST", path: "/customers/duplicates/scan", tags, summary: "Recompute the tenant's review queue with a full scan (a worker job)" },
      acceptedWhen: (data) => (data as { status: string }).status !== "Completed",
    })
    .input(z.object({}))
    .output(ZDuplicateScanOutput)
    .mutation(({ ctx }) => uc.startDuplicateScan(ctx.deps, ctx.actor)),

  duplicateScan: withPrivilege("customer:read")
    .meta({ openapi: { method: "GET", path: "/customers/duplicates/scans/{scanId}", tags, summary: "A duplicate scan's status and progress" } })
    .input(ZDuplicateScanInput)
    .output(ZDuplicateScanOutput)
    .query(({ ctx, input }) => uc.getDuplicateScan(ctx.deps, ctx.actor, input.scanId)),
});
