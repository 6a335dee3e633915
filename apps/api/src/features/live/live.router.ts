import { tracked, TRPCError } from "@trpc/server";
import type { z } from "zod";
import { LiveStreamInterrupted } from "../../live/event-hub";
import { router, withPrivilege } from "../../trpc/trpc";
import {
  ZLiveComplaintEvent,
  ZLiveComplaintsInput,
  ZLiveCustomerEvent,
  ZLiveCustomerInput,
  ZLiveExportInput,
  ZLiveExportProgress,
  ZLiveImportInput,
  ZLiveImportProgress,
} from "./live.schemas";
import * as uc from "./live.use-cases";

/**
 * Each item checked against its schema (a subscription's `.output()` would parse the stream, not its
 * items) and sent with its id, so a reconnecting client resumes after the last one it got. An
 * interrupted stream (shutdown, a subscriber too slow) ends with a retryable 503: the client reconnects.
 */
async function* asTracked<S extends z.ZodType>(items: AsyncIterable<uc.Identified<unknown>>, schema: S) {
  try {
    for await (const [id, item] of items) yield tracked(id, schema.parse(item) as z.infer<S>);
  } catch (error) {
    if (error instanceof LiveStreamInterrupted) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: `${error.message}; reconnect to resume` });
    throw error;
  }
}

/**
 * Live updates: tRPC subscriptions over server-sent events (GET /trpc/live.<name>, token in
 * `connectionParams`). Tenant, privilege and existence are checked before the stream opens.
 */
export const liveRouter = router({
  customer: withPrivilege("customer:read")
    .input(ZLiveCustomerInput)
    .subscription(async ({ ctx, input, signal }) => asTracked(await uc.customerChanges(ctx.deps, ctx.actor, input, signal), ZLiveCustomerEvent)),
  // The support dashboard's feed: the privilege of the dashboard itself.
  complaints: withPrivilege("complaint:manage")
    .input(ZLiveComplaintsInput)
    .subscription(({ ctx, input, signal }) => asTracked(uc.complaintArrivals(ctx.deps, ctx.actor, input, signal), ZLiveComplaintEvent)),
  importProgress: withPrivilege("customer:read")
    .input(ZLiveImportInput)
    .subscription(async ({ ctx, input, signal }) => asTracked(await uc.importProgress(ctx.deps, ctx.actor, input, signal), ZLiveImportProgress)),
  exportProgress: withPrivilege("data:export")
    .input(ZLiveExportInput)
    .subscription(async ({ ctx, input, signal }) => asTracked(await uc.exportProgress(ctx.deps, ctx.actor, input, signal), ZLiveExportProgress)),
});
