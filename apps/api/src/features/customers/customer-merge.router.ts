import { router, withPrivilege } from "../../trpc/trpc";
import { ZGetMergeOutput, ZMergeCustomersInput, ZMergeCustomersOutput, ZMergeIdInput, ZUndoMergeOutput } from "./customer-merge.schemas";
import * as uc from "./customer-merge.use-cases";

const tags = ["Customers"];

/** REQ-CUS-007: merging needs the Delete privilege on customers, as does undoing one; reading a merge, read. */
export const customerMergeRouter = router({
  merge: withPrivilege("customer:merge")
    .meta({
      openapi: { method: "POST", path: "/customers/merge", tags, summary: "Merge a duplicate customer (source) into another (target)" },
      example: {
        request: {
          sourceCustomerId: "0b9f3c4e-1d2a-4c5b-8e6f-7a8b9c0d1e2f",
          targetCustomerId: "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9",
          mergeOptions: { contacts: true, communicationHistory: true, complaints: true, testimonials: true },
          fieldChoices: { industry: "source", secondaryEmail: "source" },
        },
      },
      errors: {
        404: "Either customer is missing in your tenant (CUST-001)",
        409: "The source or the target is deactivated, already merged or archived (MERGE-002)",
      },
    })
    .input(ZMergeCustomersInput)
    .output(ZMergeCustomersOutput)
    .mutation(({ ctx, input }) => uc.mergeCustomers(ctx.deps, ctx.actor, input, ctx.traceId)),

  getMerge: withPrivilege("customer:read")
    .meta({ openapi: { method: "GET", path: "/customers/merges/{mergeId}", tags, summary: "A merge: what moved, and the source's audit trail" } })
    .input(ZMergeIdInput)
    .output(ZGetMergeOutput)
    .query(({ ctx, input }) => uc.getMerge(ctx.deps, ctx.actor, input.mergeId)),

  undoMerge: withPrivilege("customer:merge")
    .meta({ openapi: { method: "POST", path: "/customers/merges/{mergeId}/undo", tags, summary: "Undo a merge (within 30 days, while nothing moved has changed)" },
      errors: {
        404: "No such merge in your tenant (MERGE-003)",
        409: "Already undone (MERGE-004), older than 30 days (MERGE-005), or something moved changed since (MERGE-006, naming what)",
      },
    })
    .input(ZMergeIdInput)
    .output(ZUndoMergeOutput)
    .mutation(({ ctx, input }) => uc.undoMerge(ctx.deps, ctx.actor, input.mergeId, ctx.traceId)),
});
