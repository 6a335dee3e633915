import "../../zod-setup";
import { COMPLAINT_PRIORITIES } from "@clientele/domain";
import { z } from "zod";
import { ZImportStatus } from "../contacts/contact-transfer.schemas";
import { ZId } from "../shared.schemas";
import { STREAM_ID } from "../../live/event-hub";

/** What tRPC fills in from the client's last event id when it reconnects (the `Last-Event-ID` header or `lastEventId`). */
const ZStreamResume = z.string().regex(STREAM_ID, "must be an event id this subscription sent").optional();

/** Sent first on every (re)connection: events after this point will arrive. */
const ZReady = z.object({ kind: z.literal("ready") });

export const ZLiveCustomerInput = z.object({ customerId: ZId, lastEventId: ZStreamResume });
export const ZLiveCustomerEvent = z.discriminatedUnion("kind", [
  ZReady,
  z.object({
    kind: z.literal("changed"),
    eventId: z.string(),
    type: z.string().describe("the domain event, e.g. CustomerProfileUpdated, CustomerArchived, CustomerMerged"),
    customerId: z.string(),
    version: z.number().int().describe("the customer's version after the change (0 when the event does not carry one)"),
    actor: z.string().describe("user id of who made the change ('system' for jobs)"),
    occurredAt: z.string(),
  }),
]);

export const ZLiveComplaintsInput = z.object({ lastEventId: ZStreamResume });
export const ZLiveComplaintEvent = z.discriminatedUnion("kind", [
  ZReady,
  z.object({
    kind: z.enum(["received", "escalated"]),
    eventId: z.string(),
    complaintId: z.string(),
    customerId: z.string(),
    complaintNumber: z.string().nullable(),
    priority: z.enum(COMPLAINT_PRIORITIES).nullable(),
    automatic: z.boolean().describe("escalated by the sweep rather than by a person"),
    actor: z.string(),
    occurredAt: z.string(),
  }),
]);

const ZKind = z.enum(["Customer", "Contact"]);
/** A job's progress has no history to replay: the last id only saves resending an unchanged state. */
const ZProgressResume = z.string().max(100).optional();

export const ZLiveImportInput = z.object({ kind: ZKind, importId: ZId, lastEventId: ZProgressResume });
/** The import's status without its row errors (read once it ends), as GET …/import/{importId} answers it. */
export const ZLiveImportProgress = ZImportStatus.pick({
  importId: true,
  status: true,
  totalRows: true,
  processedRows: true,
  imported: true,
  updated: true,
  failed: true,
  failureReason: true,
  completedAt: true,
});

export const ZLiveExportInput = z.object({ kind: ZKind, exportId: ZId, lastEventId: ZProgressResume });
export const ZLiveExportProgress = z.object({
  exportId: z.string(),
  status: z.enum(["Queued", "Processing", "Completed", "Failed", "Expired"]),
  recordCount: z.number().int().nullable(),
  failureReason: z.string().nullable(),
  completedAt: z.string().nullable(),
});
