import type { Cache } from "@clientele/cache";
import type { Db } from "@clientele/db";
import { ratingStreamHandlers, segmentStreamHandlers, trackingStreamHandlers, valueStreamHandlers, type StreamHandler } from "@clientele/jobs";
import type { Logger } from "@clientele/telemetry";

export type StreamHandlerDeps = { db: Db; cache: Cache; log: Logger; now: () => Date };

/**
 * Every stream the worker consumes, one handler per (stream, group), all run by the one platform
 * consumer (packages/jobs/src/streams/stream-consumer.ts). Each feature adds its entries here.
 */
export const streamHandlers = (deps: StreamHandlerDeps): StreamHandler[] => [
  // Rating (REQ-CUS-018): recalculated on payments, attendance, complaints and testimonials from our own topics.
  ...ratingStreamHandlers(deps),
  // Customer value (issue 12 §1): other systems' orders, payments, refunds and attendance.
  ...valueStreamHandlers(deps),
  // Tracked behaviour (issue 13 §2): the API's accepted events, stored in bulk with their rollups.
  ...trackingStreamHandlers(),
  // Segments (issue 13 §1): a changed customer's dynamic segments judged again (record, value, behaviour notices).
  ...segmentStreamHandlers(deps),
];
