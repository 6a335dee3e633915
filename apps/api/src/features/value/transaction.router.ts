import { router, withPrivilege } from "../../trpc/trpc";
import {
  ZClearOverrideInput,
  ZCustomerValue,
  ZListTransactionsInput,
  ZListTransactionsOutput,
  ZRecordBatchInput,
  ZRecordBatchOutput,
  ZRecordTransactionInput,
  ZRecordTransactionOutput,
  ZSetOverrideInput,
  ZValueInput,
} from "./transaction.schemas";
import * as uc from "./transaction.use-cases";

const tags = ["Customer value"];
const base = "/customers/{customerId}";

export const transactionRouter = router({
  record: withPrivilege("transaction:record")
    .meta({
      openapi: { method: "POST", path: `${base}/transactions`, tags, summary: "Record a payment, refund or order; idempotent by idempotencyKey; lifetime value and segment move in the same transaction" },
      successStatus: 201,
      errors: { 409: "The idempotencyKey was used before for a different transaction (TXN-001)" },
    })
    .input(ZRecordTransactionInput)
    .output(ZRecordTransactionOutput)
    .mutation(({ ctx, input }) => uc.recordCustomerTransaction(ctx.deps, ctx.actor, input, ctx.traceId)),
  recordBatch: withPrivilege("transaction:record")
    .meta({ openapi: { method: "POST", path: "/transactions/batch", tags, summary: "Record up to 500 transactions for services: each item on its own, per-item results (an invalid item does not stop the rest)" } })
    .input(ZRecordBatchInput)
    .output(ZRecordBatchOutput)
    .mutation(({ ctx, input }) => uc.recordBatch(ctx.deps, ctx.actor, input.items, ctx.traceId)),
  list: withPrivilege("value:read")
    .meta({ openapi: { method: "GET", path: `${base}/transactions`, tags, summary: "A customer's transactions, newest first" } })
    .input(ZListTransactionsInput)
    .output(ZListTransactionsOutput)
    .query(({ ctx, input }) => uc.customerTransactions(ctx.deps, ctx.actor, input)),
  value: withPrivilege("value:read")
    .meta({ openapi: { method: "GET", path: `${base}/value`, tags, summary: "Lifetime value, total events, segment and override, LTV history (every change and daily closing values) over a range" } })
    .input(ZValueInput)
    .output(ZCustomerValue)
    .query(({ ctx, input }) => uc.customerValue(ctx.deps, ctx.actor, input)),
  setSegmentOverride: withPrivilege("segment:override")
    .meta({
      openapi: { method: "PUT", path: `${base}/segment-override`, tags, summary: "Put the customer in a segment by hand (reason required); holds until cleared" },
      errors: { 409: "Stale version (CONCURRENCY)" },
    })
    .input(ZSetOverrideInput)
    .output(ZCustomerValue)
    .mutation(({ ctx, input }) => uc.setOverride(ctx.deps, ctx.actor, input, ctx.traceId)),
  clearSegmentOverride: withPrivilege("segment:override")
    .meta({
      openapi: { method: "DELETE", path: `${base}/segment-override`, tags, summary: "Clear the override: the tier rule decides the segment again" },
      errors: { 409: "Stale version (CONCURRENCY)" },
    })
    .input(ZClearOverrideInput)
    .output(ZCustomerValue)
    .mutation(({ ctx, input }) => uc.clearOverride(ctx.deps, ctx.actor, input, ctx.traceId)),
});
