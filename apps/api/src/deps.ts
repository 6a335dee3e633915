import type { Db } from "@clientele/db";
import type { FileStorage } from "@clientele/files";
import type { Redis } from "ioredis";
import type { TokenVerifier } from "./auth/jwt";
import type { Cache } from "@clientele/cache";
import type { ApiEnv } from "./env";
import type { JobQueues } from "./job-queues";
import type { SmsLimiter } from "./sms-limiter";
import type { RateLimiter } from "./rate-limiter";
import type { Logger } from "@clientele/telemetry";
import type { EventHub } from "./live/event-hub";
import type { TrackingProducer } from "./features/tracking/tracking-producer";

/** Everything a request may use, built once in main.ts (or by a test) and passed down. */
export type AppDeps = {
  env: ApiEnv;
  db: Db;
  redis: Redis | null;
  cache: Cache;
  log: Logger;
  verifyToken: TokenVerifier;
  storage: FileStorage;
  jobs: JobQueues;
  smsLimiter: SmsLimiter;
  rateLimiter: RateLimiter;
  /** The event streams for live updates (subscriptions), read once per process. */
  live: EventHub;
  /** Where accepted tracked events go (the behaviour stream), on a connection of its own. */
  tracking: TrackingProducer;
  now: () => Date;
};
