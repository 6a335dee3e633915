import { Cache, createCacheRedis, defaultCachePrefix } from "@clientele/cache";
import { createDb } from "@clientele/db";
import { createLocalDiskStorage } from "@clientele/files";
import { createStreamConsumer } from "@clientele/jobs";
import { createEmailSender, createSmsSender } from "@clientele/messaging";
import { createLogger, describeError, maskPii, redactUrl } from "@clientele/telemetry";
import { hostname } from "node:os";
import { Redis } from "ioredis";
import { sql } from "kysely";
import { loadEnv } from "./env";
import { startJobWorkers } from "./job-workers";
import { createWorkerMetrics, observeState, observeStreams, serveMetrics } from "./metrics";
import { createOutboxRelay, relayLockName } from "./outbox-relay";
import { streamHandlers } from "./stream-consumers";

async function main() {
  const env = loadEnv();
  const log = createLogger(env.LOG_LEVEL, "worker");
  // Bound before anything else: a taken port stops the worker before it has picked up a job or
  // started the relay, so there is nothing to abandon.
  const metrics = createWorkerMetrics();
  const metricsServer = await serveMetrics(metrics, env.WORKER_METRICS_PORT, env.HOST);
  const { db } = createDb({ url: env.DATABASE_URL, poolSize: 5 });
  const redis = new Redis(env.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: null, connectTimeout: 2000 });
  // Listening from the start: an unheard error event is printed by ioredis as a stack trace.
  let redisError: unknown;
  const remember = (error: Error) => (redisError = error);
  redis.on("error", remember);
  try {
    await sql`SELECT 1`.execute(db);
  } catch (error) {
    redis.disconnect();
    throw new Error(`cannot reach MySQL at ${redactUrl(env.DATABASE_URL)}: ${describeError(error)}`);
  }
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    await db.destroy();
    throw new Error(`cannot reach Redis at ${redactUrl(env.REDIS_URL)}: ${describeError(redisError ?? error)}`);
  }
  redis.off("error", remember).on("error", (error) => log.warn({ err: maskPii(error.message) }, "redis error"));

  const relay = createOutboxRelay({
    db,
    redis,
    log,
    batchSize: env.RELAY_BATCH_SIZE,
    pollMs: env.RELAY_POLL_MS,
    streamMaxLength: env.STREAM_MAX_LENGTH,
    streamPrefix: env.STREAM_PREFIX,
    lockName: relayLockName(env.DATABASE_URL),
    onPublished: (n) => metrics.published.inc(n),
  });
  relay.start();
  const cacheRedis = createCacheRedis(env.REDIS_URL, env.CACHE_PREFIX ?? defaultCachePrefix(env.DATABASE_URL));
  cacheRedis.on("error", () => undefined);
  await cacheRedis.connect().catch(() => undefined);
  const cache = new Cache(cacheRedis, log);
  const consumer = createStreamConsumer({
    db,
    redis,
    log,
    // Unique per process: what a killed worker held is reclaimed by the others (XAUTOCLAIM).
    consumerName: `${hostname()}-${process.pid}`,
    handlers: streamHandlers({ db, cache, log, now: () => new Date() }),
    batchSize: env.STREAM_CONSUMER_BATCH_SIZE,
    blockMs: env.STREAM_CONSUMER_BLOCK_MS,
    claimIdleMs: env.STREAM_CONSUMER_CLAIM_IDLE_MS,
    maxDeliveries: env.STREAM_CONSUMER_MAX_DELIVERIES,
    streamPrefix: env.STREAM_PREFIX,
    consumedRetentionMs: env.STREAM_CONSUMED_RETENTION_DAYS * 24 * 60 * 60 * 1000,
    metrics: {
      processed: (stream, group, n) => metrics.streamProcessed.inc({ stream, group }, n),
      deadLettered: (stream, group, reason) => metrics.streamDeadLettered.inc({ stream, group, reason }),
      failed: (stream, group) => metrics.streamFailed.inc({ stream, group }),
    },
  });
  consumer.start();
  observeStreams(metrics, consumer);
  const email = createEmailSender({ smtpUrl: env.SMTP_URL, from: env.EMAIL_FROM, pool: true });
  const sms = createSmsSender({
    accountSid: env.TWILIO_ACCOUNT_SID,
    authToken: env.TWILIO_AUTH_TOKEN,
    from: env.TWILIO_FROM,
    ...(env.TWILIO_API_BASE_URL ? { apiBaseUrl: env.TWILIO_API_BASE_URL } : {}),
    ...(env.PUBLIC_URL ? { statusCallbackUrl: `${env.PUBLIC_URL.replace(/\/$/, "")}/api/v1/webhooks/twilio/status` } : {}),
  });
  const organizerEmail = /<([^>]+)>/.exec(env.EMAIL_FROM)?.[1] ?? env.EMAIL_FROM;
  const jobs = await startJobWorkers(
    { db, storage: createLocalDiskStorage(env.FILES_DIR), cache, log, now: () => new Date(), email, sms, organizer: { name: "Clientele", email: organizerEmail } },
    redis,
    env,
    metrics,
  );
  observeState(metrics, jobs.queues, db);
  log.info({ metrics: metricsServer.url }, "worker started");
  console.log(`Clientele worker running: outbox relay, stream consumers, email/SMS, notifications, import/export and maintenance jobs; metrics ${metricsServer.url}`);

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, async () => {
      log.info({ signal }, "worker shutting down");
      const timer = setTimeout(() => process.exit(1), env.SHUTDOWN_GRACE_MS);
      // The stream consumer finishes the events in hand and hands the rest back before the pool closes.
      await Promise.all([relay.stop(), consumer.stop(), jobs.close(), metricsServer.close()]);
      await db.destroy();
      redis.disconnect();
      cacheRedis.disconnect();
      email.close();
      clearTimeout(timer);
      process.exit(0);
    });
  }
}

main().catch((error: unknown) => {
  console.error(`clientele worker: ${maskPii(describeError(error))}`);
  process.exit(1);
});
