import { BEHAVIOUR_STREAM } from "@clientele/jobs";
import { Redis } from "ioredis";

/** Appends accepted tracking requests to the behaviour stream; a failure is thrown (the caller answers 503). */
export type TrackingProducer = { append(fields: string[]): Promise<void>; close(): void };

/**
 * Its own connection: the cache's carries CACHE_PREFIX on every key, while streams are named with
 * STREAM_PREFIX as the worker reads them. Commands wait at most a second, so Redis being away turns
 * into a prompt 503 instead of a hanging request; nothing is dropped silently.
 */
export function createTrackingProducer(url: string, streamPrefix: string): TrackingProducer {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2000, commandTimeout: 1000, retryStrategy: (attempt) => Math.min(attempt * 200, 2000), enableAutoPipelining: true });
  redis.on("error", () => undefined);
  const key = `${streamPrefix}${BEHAVIOUR_STREAM}`;
  return {
    async append(fields) {
      await redis.xadd(key, "*", ...fields);
    },
    close: () => redis.disconnect(),
  };
}
