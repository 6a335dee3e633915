import type { AddressInfo } from "node:net";
import { createDb, type Db } from "@clientele/db";
import { createLocalDiskStorage } from "@clientele/files";
import type { Redis } from "ioredis";
import { sql } from "kysely";
import { createApp } from "./app";
import { createJobQueues } from "./job-queues";
import { createSmsLimiter } from "./sms-limiter";
import { createRateLimiter } from "./rate-limiter";
import { createTokenVerifier } from "./auth/jwt";
import { createEventHub } from "./live/event-hub";
import { Cache, createCacheRedis } from "@clientele/cache";
import type { AppDeps } from "./deps";
import { claimNames, type ApiEnv } from "./env";
import { createLogger, describeError, redactUrl, type Logger } from "@clientele/telemetry";
import { createTrackingProducer } from "./features/tracking/tracking-producer";

export type RunningServer = { url: string; deps: AppDeps; close: () => Promise<void> };

/** One line saying what is unreachable, instead of a stack trace, when a dependency is down at start. */
async function checkReachable(db: Db, redis: Redis | null, env: ApiEnv): Promise<void> {
  try {
    await sql`SELECT 1`.execute(db);
  } catch (error) {
    throw new Error(`cannot reach MySQL at ${redactUrl(env.DATABASE_URL)}: ${describeError(error)}`);
  }
  if (redis) {
    try {
      await redis.connect();
      await redis.ping();
    } catch (error) {
      throw new Error(`cannot reach Redis at ${redactUrl(env.REDIS_URL)}: ${describeError(error)}`);
    }
  }
}

export async function startServer(env: ApiEnv, log: Logger = createLogger(env.LOG_LEVEL, "api")): Promise<RunningServer> {
  const { db } = createDb({ url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE });
  const redis = env.CACHE_ENABLED ? createCacheRedis(env.REDIS_URL, env.CACHE_PREFIX) : null;
  redis?.on("error", (error) => log.debug({ err: error.message }, "redis error"));
  try {
    await checkReachable(db, redis, env);
  } catch (error) {
    redis?.disconnect();
    await db.destroy();
    throw error;
  }
  // Queues connect on creation, so they are made only once Redis is known to answer.
  const deps: AppDeps = {
    env,
    db,
    redis,
    cache: new Cache(redis, log),
    log,
    verifyToken: await createTokenVerifier({
      secret: env.JWT_SECRET,
      jwksUrl: env.JWT_JWKS_URL,
      publicKeyPem: env.JWT_PUBLIC_KEY,
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      claims: claimNames(env),
    }),
    storage: createLocalDiskStorage(env.FILES_DIR),
    jobs: createJobQueues(env.REDIS_URL, env.QUEUE_PREFIX, log),
    smsLimiter: createSmsLimiter(redis, { perTenantPerMinute: env.SMS_LIMIT_PER_TENANT_PER_MINUTE, perNumberPerHour: env.SMS_LIMIT_PER_NUMBER_PER_HOUR }),
    rateLimiter: createRateLimiter(redis, {
      perUserPerHour: env.RATE_LIMIT_PER_USER_PER_HOUR,
      perTenantPerHour: env.RATE_LIMIT_PER_TENANT_PER_HOUR,
      perIpPerHour: env.RATE_LIMIT_PER_IP_PER_HOUR,
      expensivePerUserPerHour: env.RATE_LIMIT_EXPENSIVE_PER_USER_PER_HOUR,
    }),
    live: createEventHub({ redisUrl: env.REDIS_URL, streamPrefix: env.STREAM_PREFIX, log }),
    tracking: createTrackingProducer(env.REDIS_URL, env.STREAM_PREFIX),
    now: () => new Date(),
  };
  const app = createApp(deps);
  const server = app.listen(env.PORT, env.HOST);
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  server.keepAliveTimeout = 65_000;
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      // Stop accepting, let in-flight requests finish, then close idle keep-alive sockets and pools.
      // Live streams never finish on their own: ended first, their clients reconnect to another process.
      const live = deps.live.close();
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive sockets turn idle as their last response goes out; close them as they do.
      const sweeper = setInterval(() => server.closeIdleConnections(), 50);
      const timer = setTimeout(() => server.closeAllConnections(), env.SHUTDOWN_GRACE_MS);
      await Promise.all([drained, live]);
      clearInterval(sweeper);
      clearTimeout(timer);
      await deps.jobs.close();
      await db.destroy();
      redis?.disconnect();
      deps.tracking.close();
    })());
  return { url: `http://${env.HOST}:${port}`, deps, close };
}
