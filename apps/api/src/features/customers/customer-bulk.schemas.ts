import "../../zod-setup";
import { z } from "zod";
import { listOf, text, ZId } from "../shared.schemas";
import { ZPreferencesPatch, ZUpdateCustomerInput } from "./customer.schemas";
import { ZCustomerSelection } from "./customer-transfer.schemas";

/** Which customers: ids (up to 1,000 run in the request, more as a job) or a search filter (always a job). */
const selection = {
  // 20,000 ids keep the body under the API's 1 MB JSON limit; larger selections go by filter.
  ids: listOf(ZId, 20_000).min(1, "must name at least one customer").optional().describe("customer ids (at most 20,000); more than 1,000 run as a worker job"),
  filter: ZCustomerSelection.omit({ ids: true }).optional().describe("the customer search's filters; runs as a worker job"),
};
const ZTagList = listOf(text(60), 50);

export const ZBulkUpdateInput = z.object({
  ...selection,
  patch: z
    .object({
      profile: ZUpdateCustomerInput.shape.profile,
      contactInfo: ZUpdateCustomerInput.shape.contactInfo,
      preferences: ZPreferencesPatch.omit({ communicationChannels: true }).optional(),
    })
    .describe("the fields to set on every selected customer, as PUT /customers/{id} takes them (no version: each customer's current one)"),
});
export const ZBulkDeleteInput = z.object({ ...selection, reason: text(500).describe("why (at least 3 characters); each customer is deactivated with it") });
export const ZBulkTagInput = z.object({ ...selection, add: ZTagList.optional(), remove: ZTagList.optional() });
export type TBulkSelection = { ids?: string[] | undefined; filter?: z.infer<typeof selection.filter> };

const ZItemResult = z.object({
  id: z.string(),
  ok: z.boolean(),
  code: z.string().optional().describe("the error code when not ok, e.g. CUST-001"),
  message: z.string().optional(),
});

export const ZBulkOutcome = z.object({
  jobId: z.string().nullable().describe("set when the operation runs as a worker job: poll GET /customers/bulk/jobs/{jobId}"),
  operation: z.enum(["update", "delete", "tag"]),
  status: z.enum(["Queued", "Processing", "Completed", "Failed"]),
  total: z.number().int(),
  processed: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  results: z.array(ZItemResult).describe("per customer, in request order (inline); a job's come from GET /customers/bulk/jobs/{jobId}"),
});

export const ZBulkJobInput = z.object({
  jobId: ZId,
  offset: z.number().int().min(0).default(0).describe("first item of the results page"),
  limit: z.number().int().min(1).max(1000).default(100),
});

export const ZBulkJob = ZBulkOutcome.extend({
  jobId: z.string(),
  failureReason: z.string().nullable(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
  results: z
    .array(ZItemResult.extend({ ok: z.boolean().nullable().describe("null: not processed yet") }))
    .describe("the page of items from offset: ok, or the error code and message"),
});
