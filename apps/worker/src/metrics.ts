import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { oldestUnpublishedAt, type Db } from "@clientele/db";
import type { StreamConsumer, StreamGroupState } from "@clientele/jobs";
import type { Queue } from "bullmq";
import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";

const QUEUE_COUNTS_TIMEOUT_MS = 2000;
const JOB_STATES = ["waiting", "delayed", "prioritized", "active", "failed", "completed", "paused"] as const;

/** What the worker counts as it goes; gauges (queue depth, outbox lag) are read at scrape time. */
export function createWorkerMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    published: new Counter({ name: "clientele_outbox_published_events_total", help: "Events the outbox relay published to Redis Streams", registers: [registry] }),
    sweeps: new Counter({ name: "clientele_stranded_sweeps_total", help: "Stranded-job sweeps run, by outcome", labelNames: ["outcome"], registers: [registry] }),
    requeued: new Counter({
      name: "clientele_stranded_jobs_requeued_total",
      help: "Work the stranded-job sweep found recorded but not queued (Redis was away) and queued, by queue; job ids drop duplicates",
      labelNames: ["queue"],
      registers: [registry],
    }),
    failedAttempts: new Counter({
      name: "clientele_job_attempts_failed_total",
      help: "Failed job attempts by queue; final=true when the job has no attempt left",
      labelNames: ["queue", "final"],
      registers: [registry],
    }),
    streamProcessed: new Counter({
      name: "clientele_stream_events_processed_total",
      help: "Stream events applied by the stream consumer (redeliveries it skipped not counted), by stream and group",
      labelNames: ["stream", "group"],
      registers: [registry],
    }),
    streamDeadLettered: new Counter({
      name: "clientele_stream_events_dead_lettered_total",
      help: "Stream entries moved to <stream>:dead, by stream, group and reason (unparseable, rejected, poison)",
      labelNames: ["stream", "group", "reason"],
      registers: [registry],
    }),
    ltvDrift: new Gauge({
      name: "clientele_ltv_drift_customers",
      help: "Customers whose stored lifetime value differed from their ledger at the last nightly check (there must be none)",
      registers: [registry],
    }),
    streamFailed: new Counter({
      name: "clientele_stream_handler_failures_total",
      help: "Stream handler failures that left the entry pending for redelivery, by stream and group",
      labelNames: ["stream", "group"],
      registers: [registry],
    }),
  };
}
export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;

/** Registers the gauges that ask Redis and MySQL for the current state on every scrape. */
export function observeState(metrics: WorkerMetrics, queues: Queue[], db: Db) {
  new Gauge({
    name: "clientele_queue_jobs",
    help: "Jobs per queue and state (BullMQ job counts)",
    labelNames: ["queue", "state"],
    registers: [metrics.registry],
    async collect() {
      // The worker's Redis retries commands without end; while it is away the scrape must still
      // answer (process metrics, outbox lag), so the queue counts are skipped after a moment.
      const counts = await Promise.race([
        Promise.all(queues.map((q) => q.getJobCounts(...JOB_STATES))),
        new Promise<null>((resolve) => setTimeout(() => resolve(null), QUEUE_COUNTS_TIMEOUT_MS).unref()),
      ]);
      if (!counts) {
        this.reset();
        return;
      }
      queues.forEach((q, i) => {
        for (const state of JOB_STATES) this.set({ queue: q.name, state }, counts[i]![state] ?? 0);
      });
    },
  });
  new Gauge({
    name: "clientele_outbox_lag_seconds",
    help: "Age of the oldest event not yet published by the outbox relay (0 when none waits)",
    registers: [metrics.registry],
    async collect() {
      const oldest = await oldestUnpublishedAt(db);
      this.set(oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : 0);
    },
  });
}

/** The stream consumer's groups as gauges, asked of Redis at scrape time (skipped while Redis is away, like the queue counts). */
export function observeStreams(metrics: WorkerMetrics, consumer: StreamConsumer) {
  // One XINFO round per scrape for the three gauges (prom-client collects them side by side).
  let current: Promise<StreamGroupState[] | null> | undefined;
  const read = () =>
    (current ??= Promise.race([
      consumer.groups(),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), QUEUE_COUNTS_TIMEOUT_MS).unref()),
    ])
      .catch(() => null)
      .finally(() => setImmediate(() => (current = undefined))));
  const gauge = (name: string, help: string, pick: (g: StreamGroupState) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: ["stream", "group"],
      registers: [metrics.registry],
      async collect() {
        const groups = await read();
        this.reset();
        for (const g of groups ?? []) {
          const v = pick(g);
          if (v !== null) this.set({ stream: g.stream, group: g.group }, v);
        }
      },
    });
  gauge("clientele_stream_lag_entries", "Entries of the stream not yet delivered to the consumer group (XINFO GROUPS lag)", (g) => g.lag);
  gauge("clientele_stream_lag_seconds", "Age of the oldest entry not yet delivered to the consumer group (0 when none waits)", (g) => g.lagSeconds);
  gauge("clientele_stream_pending_entries", "Entries delivered to the group and not yet acknowledged (in a handler, failed, or held by a dead consumer)", (g) => g.pending);
}

/** GET /metrics on its own port; anything else is 404. Resolves once listening. */
export async function serveMetrics(metrics: WorkerMetrics, port: number, host: string) {
  const server = createServer((req, res) => {
    if (req.method !== "GET" || req.url?.split("?")[0] !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    metrics.registry.metrics().then(
      (body) => res.writeHead(200, { "content-type": metrics.registry.contentType }).end(body),
      (error: Error) => res.writeHead(503, { "content-type": "text/plain" }).end(`metrics unavailable: ${error.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => reject(new Error(`cannot serve metrics on ${host}:${port}: ${error.message}`)));
    server.listen(port, host, resolve);
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${bound}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
