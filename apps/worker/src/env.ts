import { defaultFilesDir } from "@clientele/files/default-dir";
import { z } from "zod";

/** Uploads and exports live under the repository's var/ unless configured (shared by API and worker). */
const DEFAULT_FILES_DIR = defaultFilesDir();

const Env = z.object({
  DATABASE_URL: z.string().default("mysql://root@127.0.0.1:3306/clientele"),
  REDIS_URL: z.string().default("redis://127.0.0.1:6379"),
  /** Same namespace as the API's cache keys (default clientele:<database name>:), so invalidations reach it. */
  CACHE_PREFIX: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  RELAY_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(500),
  RELAY_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(200),
  /** Approximate cap per topic stream; consumers are expected to keep up well within it. */
  STREAM_MAX_LENGTH: z.coerce.number().int().min(1000).default(1_000_000),
  /** Prefix for stream names, e.g. to keep test runs apart on a shared Redis. */
  STREAM_PREFIX: z.string().default(""),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  /** Stream consumer (every consumer group the worker reads): entries per read, and per batch transaction. */
  STREAM_CONSUMER_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(200),
  /** How long a read waits for new entries. */
  STREAM_CONSUMER_BLOCK_MS: z.coerce.number().int().min(10).max(60_000).default(2000),
  /** An entry pending this long (its consumer died, or its handler failed) is taken over and retried. */
  STREAM_CONSUMER_CLAIM_IDLE_MS: z.coerce.number().int().min(100).default(30_000),
  /** Deliveries after which a failing entry goes to the dead-letter stream `<stream>:dead`. */
  STREAM_CONSUMER_MAX_DELIVERIES: z.coerce.number().int().min(1).max(100).default(5),
  /** How long applied event ids are kept to drop redeliveries (consumed_events). */
  STREAM_CONSUMED_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  FILES_DIR: z.string().default(DEFAULT_FILES_DIR),
  QUEUE_PREFIX: z.string().default("bull"),
  IMPORT_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  EXPORT_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  /** How long a job's lock lives without renewal; a killed worker's job is retried after it. */
  JOB_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
  STALLED_INTERVAL_MS: z.coerce.number().int().min(500).default(30_000),
  /** Re-queues imports/exports left Queued (Redis was down at submission) after this long. */
  SWEEP_INTERVAL_MS: z.coerce.number().int().min(500).default(30_000),
  FILE_RETENTION_CRON: z.string().default("17 * * * *"),
  SMTP_URL: z.string().default("smtp://127.0.0.1:1025"),
  EMAIL_FROM: z.string().default("Clientele <no-reply@clientele.local>"),
  /** Twilio: the defaults talk to nothing real; set them (and TWILIO_API_BASE_URL for a stand-in). */
  TWILIO_ACCOUNT_SID: z.string().startsWith("AC").default("AC00000000000000000000000000000000"),
  TWILIO_AUTH_TOKEN: z.string().default("test-auth-token"),
  TWILIO_FROM: z.string().default("+15005550006"),
  TWILIO_API_BASE_URL: z.url().optional(),
  /** Where Twilio can reach the API, for delivery status callbacks. */
  PUBLIC_URL: z.url().optional(),
  /** When the complaint escalation sweep runs (REQ-CUS-029: hourly). */
  ESCALATION_CRON: z.string().default("5 * * * *"),
  /** Customer value (issue 12): the monthly loyalty tier recalculation (003 BR-8) and the daily inactivity flags (BR-6). */
  LOYALTY_CRON: z.string().default("30 2 1 * *"),
  INACTIVITY_CRON: z.string().default("45 3 * * *"),
  /** Customer value (issue 12): the nightly LTV-against-ledger check and the daily segment-change digest (003 BR-5). */
  LTV_CHECK_CRON: z.string().default("15 1 * * *"),
  SEGMENT_DIGEST_CRON: z.string().default("0 7 * * *"),
  /** Issue 13: the daily full recalculation of every dynamic segment (time alone moves age and purchase windows). */
  SEGMENT_SWEEP_CRON: z.string().default("40 4 * * *"),
  /** Tracked behaviour (issue 13): months of raw events kept (rollups stay), partitions made ahead, when the daily maintenance runs. */
  TRACKING_RETENTION_MONTHS: z.coerce.number().int().min(1).max(120).default(13),
  TRACKING_PARTITIONS_AHEAD: z.coerce.number().int().min(1).max(24).default(3),
  TRACKING_RETENTION_CRON: z.string().default("20 0 * * *"),
  EMAIL_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(50),
  SMS_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(10),
  /** Notification jobs (invites, reminders, notices, escalation digests) run at once. */
  NOTIFICATIONS_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(10),
  /** Duplicate-detection jobs (one customer's pairs, or a full tenant scan) run at once. */
  DUPLICATES_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Prometheus /metrics of the worker (queues, outbox lag, relay, sweeps); 0 picks a free port. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /** Loopback by default: the metrics page is for the scraper on this host (or set 0.0.0.0 in a container). */
  HOST: z.string().default("127.0.0.1"),
});

export type WorkerEnv = z.infer<typeof Env>;

export function loadEnv(source: Record<string, string | undefined> = process.env): WorkerEnv {
  const parsed = Env.safeParse(source);
  if (!parsed.success) {
    throw new Error(`invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return parsed.data;
}
