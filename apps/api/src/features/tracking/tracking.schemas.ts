import "../../zod-setup";
import { TRACKED_EVENT_TYPES, TRACKING_LIMITS } from "@clientele/domain";
import { z } from "zod";
import { text, ZId } from "../shared.schemas";

/** A JSON object whose serialized form (UTF-8) is at most `max` bytes: events stay bounded in the stream and the table. */
const boundedObject = (max: number) =>
  z
    .record(z.string(), z.unknown())
    .refine((v) => Buffer.byteLength(JSON.stringify(v)) <= max, `must be at most ${max} bytes as JSON`);

/** Clocks drift: an event up to five minutes ahead of ours is taken as sent; further is a client bug. */
const FUTURE_SLACK_MS = 5 * 60 * 1000;

const eventShape = {
    type: z.enum(TRACKED_EVENT_TYPES),
    name: text(100).trim().min(1, "must not be empty").optional().describe("required for CUSTOM (the custom event's name), not allowed for the other types"),
    data: boundedObject(TRACKING_LIMITS.dataBytes).optional().describe(`free-form event data, at most ${TRACKING_LIMITS.dataBytes} bytes as JSON`),
    sessionId: text(100).min(1, "must not be empty").optional(),
    deviceInfo: boundedObject(TRACKING_LIMITS.deviceInfoBytes).optional().describe(`device details (user agent, platform, …), at most ${TRACKING_LIMITS.deviceInfoBytes} bytes as JSON`),
    clientEventId: z
      .string()
      .regex(/^[\x21-\x7e]{1,100}$/, "must be 1 to 100 printable ASCII characters")
      .optional()
      .describe("the client's unique id for this event: a replay with the same id (in this tenant) is stored once"),
    occurredAt: z.iso
      .datetime({ offset: true, error: "must be an ISO 8601 date-time, e.g. 2025-01-31T09:00:00Z" })
      .optional()
      .describe("when it happened; the time the API received it when absent"),
};

type EventFields = { type: string; name?: string | undefined; occurredAt?: string | undefined };
function checkEvent(e: EventFields, ctx: z.RefinementCtx): void {
    if (e.type === "CUSTOM" && !e.name) ctx.addIssue({ code: "custom", path: ["name"], message: "is required for CUSTOM events" });
    if (e.type !== "CUSTOM" && e.name !== undefined) ctx.addIssue({ code: "custom", path: ["name"], message: "is only allowed for CUSTOM events" });
    if (e.occurredAt && Date.parse(e.occurredAt) > Date.now() + FUTURE_SLACK_MS) ctx.addIssue({ code: "custom", path: ["occurredAt"], message: "must not be in the future" });
}

/** POST /customers/{customerId}/track: the customer from the path, the event as the body. */
export const ZTrackInput = z.object({ customerId: ZId, ...eventShape }).superRefine(checkEvent);
export type TTrackInput = z.infer<typeof ZTrackInput>;

export const ZTrackBatchItem = z.object({ customerId: ZId, ...eventShape }).superRefine(checkEvent);
export type TTrackBatchItem = z.infer<typeof ZTrackBatchItem>;
export const ZTrackBatchInput = z.object({
  events: z
    .array(ZTrackBatchItem)
    .min(1, "must have at least 1 event")
    .max(TRACKING_LIMITS.batchEvents, `must have at most ${TRACKING_LIMITS.batchEvents} events`),
});

export const ZTrackOutput = z.object({
  accepted: z.number().int().describe("events queued for storage (a replayed clientEventId is accepted and stored once)"),
  refused: z.number().int().describe("events of customers without analytics-tracking consent: counted, not stored"),
  rejected: z
    .array(z.object({ index: z.number().int(), code: z.string(), message: z.string() }))
    .describe("batch events not taken, by index (a customer not found in the tenant); always empty for a single event"),
});
export type TTrackOutput = z.infer<typeof ZTrackOutput>;
