import { Cache, createCacheRedis } from "@clientele/cache";
import { createDb } from "@clientele/db";
import { createLocalDiskStorage } from "@clientele/files";
import { createEmailSender, createSmsSender } from "@clientele/messaging";
import { createLogger } from "@clientele/telemetry";
import { Redis } from "ioredis";
import { sql } from "kysely";
import { loadEnv } from "./env";
import { startJobWorkers } from "./job-workers";
import { createOutboxRelay, relayLockName } from "./outbox-relay";

async function main() {
  const env = loadEnv();
  const log = createLogger(env.LOG_LEVEL, "worker");
  const { db } = createDb({ url: env.DATABASE_URL, poolSize: 5 });
  const redis = new Redis(env.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: null, connectTimeout: 2000 });
  try {
    await sql`SELECT 1`.execute(db);
  } catch (error) {
    throw new Error(`cannot reach MySQL: ${(error as Error).message}`);
  }
  try {
    await redis.connect();
  } catch (error) {
    await db.destroy();
    throw new Error(`cannot reach Redis at ${env.REDIS_URL}: ${(error as Error).message}`);
  }
  redis.on("error", (error) => log.warn({ err: error.message }, "redis error"));

  const relay = createOutboxRelay({
    db,
    redis,
    log,
    batchSize: env.RELAY_BATCH_SIZE,
    pollMs: env.RELAY_POLL_MS,
    streamMaxLength: env.STREAM_MAX_LENGTH,
    streamPrefix: env.STREAM_PREFIX,
    lockName: relayLockName(env.DATABASE_URL),
  });
  relay.start();
  const cacheRedis = createCacheRedis(env.REDIS_URL);
  cacheRedis.on("error", () => undefined);
  await cacheRedis.connect().catch(() => undefined);
  const cache = new Cache(cacheRedis, log);
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
  );
  log.info("worker started");
  console.log("Clientele worker running: outbox relay to Redis Streams; contact import/export and file-retention jobs");

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, async () => {
      log.info({ signal }, "worker shutting down");
      const timer = setTimeout(() => process.exit(1), env.SHUTDOWN_GRACE_MS);
      await Promise.all([relay.stop(), jobs.close()]);
      await db.destroy();
      redis.disconnect();
      cacheRedis.disconnect();
      email.close();
      clearTimeout(timer);
      process.exit(0);
    });
  }
}

main().catch((error: Error) => {
  console.error(`clientele worker: ${error.message}`);
  process.exit(1);
});
