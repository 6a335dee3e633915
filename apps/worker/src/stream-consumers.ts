import type { Cache } from "@clientele/cache";
import type { Db } from "@clientele/db";
import type { StreamHandler } from "@clientele/jobs";
import type { Logger } from "@clientele/telemetry";

export type StreamHandlerDeps = { db: Db; cache: Cache; log: Logger; now: () => Date };

/**
 * Every stream the worker consumes, one handler per (stream, group), all run by the one platform
 * consumer (packages/jobs/src/streams/stream-consumer.ts). Each feature adds its entries here.
 */
export const streamHandlers = (_deps: StreamHandlerDeps): StreamHandler[] => [];
