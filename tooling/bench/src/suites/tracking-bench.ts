import { randomBytes, randomUUID } from "node:crypto";
import { BEHAVIOUR_GROUP, BEHAVIOUR_STREAM } from "@clientele/jobs";
import { Redis } from "ioredis";
import type { Pool, RowDataPacket } from "mysql2/promise";
import { latencyAt, ratioAtLeast, table, type Target } from "../report";
import { createBenchPool } from "../seed";
import { fmt, insertCustomers, log, percentiles, sleep, startPlatform } from "./platform";

const TENANT = "bench-track";
const TYPES = ["PAGE_VIEW", "LOGIN", "EMAIL_OPEN", "EMAIL_CLICK", "PURCHASE"] as const;

async function post(url: string, token: string, p: string, body: unknown): Promise<{ status: number; ms: number }> {
  const t = performance.now();
  const res = await fetch(`${url}/api/v1${p}`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - t };
}

/** Entries the ingest group has read and acknowledged (after commit), asked of Redis: polling adds no database load. */
async function acknowledged(redis: Redis, key: string): Promise<number> {
  const groups = (await redis.xinfo("GROUPS", key).catch(() => [])) as (string | number | null)[][];
  const g = groups.map((f) => Object.fromEntries(f.flatMap((v, i, a) => (i % 2 === 0 ? [[String(v), a[i + 1]]] : [])))).find((x) => x.name === BEHAVIOUR_GROUP);
  return g ? Number(g["entries-read"] ?? 0) - Number(g.pending ?? 0) : 0;
}

export type IngestResult = {
  events: number;
  batchSize: number;
  acceptedRate: number;
  /** API accept → rows committed by the worker, first request to last acknowledgement. */
  endToEndRate: number;
  batchAck: ReturnType<typeof percentiles>;
  singleAck: ReturnType<typeof percentiles>;
  bareRate: number;
  exact: boolean;
};

/**
 * Tracking end to end: `clients` concurrent callers post batches of `batchSize` events to POST
 * /customers/track for `seconds`, the real worker stores them; then single events (POST
 * /customers/{id}/track) for the ack latency of the one-event call; then the same number of rows
 * by bare multi-row INSERTs (1,000 per statement, one connection) as the baseline.
 */
export async function runTrackingIngest(o: { databaseUrl: string; redisUrl: string; seconds: number; customers: number; batchSize: number; clients: number }): Promise<IngestResult> {
  const prefix = `bench-track-${randomBytes(3).toString("hex")}:`;
  const platform = await startPlatform({ databaseUrl: o.databaseUrl, redisUrl: o.redisUrl, apiEnv: { STREAM_PREFIX: prefix, RATE_LIMIT_ENABLED: "false" }, workerEnv: { STREAM_PREFIX: prefix, STREAM_CONSUMER_BATCH_SIZE: "20", STREAM_CONSUMER_BLOCK_MS: "50" } });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await platform.stop();
  };
  const pool = createBenchPool(o.databaseUrl, 2);
  const redis = new Redis(o.redisUrl);
  const key = `${prefix}${BEHAVIOUR_STREAM}`;
  try {
    await pool.query("INSERT INTO tenants (id, settings, created_at) VALUES (?, '{}', NOW(3))", [TENANT]);
    const ids = Array.from({ length: o.customers }, () => randomUUID());
    await insertCustomers(pool, ids.map((id, i) => ({ id, tenantId: TENANT, customerNumber: `CUS-${String(i + 1).padStart(6, "0")}`, companyName: `Track Co ${i}`, email: `t${i}@track.example` })));
    const token = await platform.token(TENANT);
    let k = 0;
    const batch = () =>
      Array.from({ length: o.batchSize }, () => {
        const n = k++;
        return { customerId: ids[n % ids.length]!, type: TYPES[n % TYPES.length]!, sessionId: `s-${n % 997}`, clientEventId: `e-${n}`, data: { path: `/p/${n % 50}` } };
      });
    // Warm-up: connections, caches, JIT.
    for (let i = 0; i < 5; i++) await post(platform.url, token, "/customers/track", { events: batch() });

    log(`  ${o.clients} clients posting batches of ${fmt(o.batchSize)} events for ${o.seconds} s over ${fmt(o.customers)} customers`);
    const acks: number[] = [];
    let requests = 5;
    const start = performance.now();
    const end = start + o.seconds * 1000;
    await Promise.all(
      Array.from({ length: o.clients }, async () => {
        while (performance.now() < end) {
          const r = await post(platform.url, token, "/customers/track", { events: batch() });
          if (r.status !== 202) throw new Error(`POST /customers/track answered ${r.status}`);
          acks.push(r.ms);
          requests++;
        }
      }),
    );
    const sentSeconds = (performance.now() - start) / 1000;
    const batchEvents = k;
    // Single events, sequentially per client: the one-event call's ack latency.
    const singles: number[] = [];
    await Promise.all(
      Array.from({ length: 4 }, async (_, c) => {
        for (let i = 0; i < 250; i++) {
          const n = k++;
          const r = await post(platform.url, token, `/customers/${ids[(n + c) % ids.length]!}/track`, { type: "LOGIN", clientEventId: `e-${n}` });
          if (r.status !== 202) throw new Error(`POST /customers/{id}/track answered ${r.status}`);
          singles.push(r.ms);
          requests++;
        }
      }),
    );
    let last = { n: 0, at: performance.now() };
    for (;;) {
      const n = await acknowledged(redis, key);
      if (n >= requests) break;
      if (!platform.worker.alive()) throw new Error(`the worker exited:\n  ${platform.worker.output()}`);
      if (n > last.n) last = { n, at: performance.now() };
      else if (performance.now() - last.at > 60_000) throw new Error(`ingest stalled at ${fmt(n)} of ${fmt(requests)} entries`);
      await sleep(20);
    }
    const storedSeconds = (performance.now() - start) / 1000;
    const [[count]] = await pool.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM customer_events WHERE tenant_id = ?", [TENANT]);
    const [[rolled]] = await pool.query<RowDataPacket[]>("SELECT SUM(count) AS n FROM customer_event_rollups WHERE tenant_id = ?", [TENANT]);
    const exact = Number(count?.n) === k && Number(rolled?.n) === k;
    log(`  accepted ${fmt(batchEvents)} batched events in ${sentSeconds.toFixed(1)} s; all ${fmt(k)} stored ${storedSeconds.toFixed(1)} s after the start (${fmt(Number(count?.n))} rows, rollups sum ${fmt(Number(rolled?.n))}: ${exact ? "exact" : "DIFFERS"})`);
    await stop();

    const bareRate = await bareInsert(pool, ids, batchEvents);
    log(`  baseline: ${fmt(bareRate)} rows/s by bare multi-row INSERTs into customer_events`);
    return {
      events: batchEvents,
      batchSize: o.batchSize,
      acceptedRate: batchEvents / sentSeconds,
      endToEndRate: batchEvents / storedSeconds,
      batchAck: percentiles(acks),
      singleAck: percentiles(singles),
      bareRate,
      exact,
    };
  } finally {
    await stop();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await pool.end();
  }
}

async function bareInsert(pool: Pool, ids: string[], n: number): Promise<number> {
  const now = new Date();
  const t0 = performance.now();
  for (let i = 0; i < n; i += 1000) {
    const rows = Array.from({ length: Math.min(1000, n - i) }, (_, j) => {
      const m = i + j;
      return [randomUUID(), `${TENANT}-bare`, ids[m % ids.length], TYPES[m % TYPES.length], "", JSON.stringify({ path: `/p/${m % 50}` }), `s-${m % 997}`, null, `e-${m}`, now, now];
    });
    await pool.query("INSERT INTO customer_events (id, tenant_id, customer_id, event_type, name, event_data, session_id, device_info, client_event_id, occurred_at, received_at) VALUES ?", [rows]);
  }
  return n / ((performance.now() - t0) / 1000);
}

export function ingestTable(r: IngestResult): string {
  return table(
    ["scenario", "events", "events/s", "ack p50 ms", "p95 ms", "p99 ms"],
    [
      [`POST /customers/track (${fmt(r.batchSize)}/batch) → rows in MySQL`, fmt(r.events), fmt(r.endToEndRate), "", "", ""],
      [`POST /customers/track (${fmt(r.batchSize)}/batch), accepted`, fmt(r.events), fmt(r.acceptedRate), ...(["p50", "p95", "p99"] as const).map((q) => r.batchAck[q].toFixed(1))],
      ["POST /customers/{id}/track (1 event)", fmt(r.singleAck.n), "", ...(["p50", "p95", "p99"] as const).map((q) => r.singleAck[q].toFixed(1))],
      ["baseline: bare multi-row INSERT (1,000/statement)", fmt(r.events), fmt(r.bareRate), "", "", ""],
    ],
  );
}

const INGEST_TARGET = 20_000;

export function ingestTargets(r: IngestResult): Target[] {
  return [
    latencyAt(`tracking ingest end to end (>= ${fmt(INGEST_TARGET)} events/s, batch ack p95 < 50 ms)`, { p95: r.batchAck.p95, limit: 50, achieved: r.endToEndRate, rate: INGEST_TARGET, unit: "events/s" }),
    latencyAt("single-event track ack (p95 < 50 ms)", { p95: r.singleAck.p95, limit: 50, achieved: r.singleAck.n, rate: 0, unit: "calls" }),
    { scenario: "every accepted event stored once", text: r.exact ? "rows = rollup sum = events accepted" : "counts differ", value: r.exact ? "exact" : "differs", pass: r.exact },
    { ...ratioAtLeast("ingest vs bare INSERT", { value: r.endToEndRate, baseline: r.bareRate, min: 0, unit: "rows/s", against: "bare INSERT" }), pass: undefined },
  ];
}
