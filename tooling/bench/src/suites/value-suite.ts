import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createDb, dropDatabase, migrateToLatest } from "@clientele/db";
import { createStreamConsumer } from "@clientele/jobs";
import { createLogger } from "@clientele/telemetry";
import { Redis } from "ioredis";
import type { RowDataPacket } from "mysql2/promise";
import type { SuiteOptions } from "../args";
import { freePort, startTsProcess } from "../child-process";
import { loadAverage, watchOtherLoad } from "../machine-load";
import { latencyAt, median, ratioAtLeast, table, targetsTable, type Target } from "../report";
import { createBenchPool } from "../seed";
import { fmt, insertCustomers, log, percentiles, sleep } from "./platform";
import { ledgerTargets, runLedgerJobs } from "./value-ledger";

const REPO = fileURLToPath(new URL("../../../../", import.meta.url));
const TENANT = "bench-value";
const AMOUNT = "12.34";
const TARGET_RATE = 5000;

type Run = {
  published: number;
  offeredRate: number;
  /** Transactions applied per second, first publish to last commit. */
  appliedRate: number;
  /** Publish → committed and acknowledged, per transaction, in ms. */
  lag: ReturnType<typeof percentiles>;
  /** The same events through the consumer with a bare multi-row INSERT as the handler: the consumer's own cost. */
  consumerOnly: { appliedRate: number; offeredRate: number; lag: ReturnType<typeof percentiles> };
  bareRate: number;
  ltvExact: boolean;
};

const paymentEvent = (customerId: string, k: number) => ({
  id: randomUUID(),
  type: "PaymentReceived",
  tenantId: TENANT,
  occurredAt: new Date().toISOString(),
  data: { customerId, paymentId: `p-${k}`, amount: AMOUNT, currency: "USD", category: "Ticket" },
});

/**
 * Publishes `rate × seconds` events at a steady rate and waits until `group` acknowledged them all. Per event: publish
 * to acknowledgement in ms (the k-th acknowledged is taken as the k-th published: the consumer keeps stream order).
 * Acknowledged = read by the group and no longer pending, asked of Redis, so measuring adds no database load.
 */
async function drive(redis: Redis, stream: string, group: string, rate: number, seconds: number, event: (k: number) => { id: string; type: string; tenantId: string }, broken: () => string | null) {
  const total = rate * seconds;
  const publishedAt = new Float64Array(total);
  const appliedAt = new Float64Array(total).fill(Number.NaN);
  let published = 0;
  let applied = 0;
  let polling = true;
  const acknowledged = async () => {
    const groups = (await redis.xinfo("GROUPS", stream).catch(() => [])) as (string | number | null)[][];
    const g = groups.map((f) => Object.fromEntries(f.flatMap((v, i, a) => (i % 2 === 0 ? [[String(v), a[i + 1]]] : [])))).find((x) => x.name === group);
    return g ? Number(g["entries-read"] ?? 0) - Number(g.pending ?? 0) : 0;
  };
  const poller = (async () => {
    while (polling) {
      const t = performance.now();
      const n = Math.min(total, await acknowledged());
      for (; applied < n; applied++) appliedAt[applied] = t;
      if (applied >= total) return;
      await sleep(20);
    }
  })();
  const start = performance.now();
  while (published < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
    if (due > published) {
      const pipeline = redis.pipeline();
      const t = performance.now();
      for (; published < due; published++) {
        const e = event(published);
        pipeline.xadd(stream, "*", "id", e.id, "type", e.type, "tenantId", e.tenantId, "event", JSON.stringify(e));
        publishedAt[published] = t;
      }
      await pipeline.exec();
    }
    await sleep(10);
  }
  const publishSeconds = (performance.now() - start) / 1000;
  // However slow, a consumer that still makes progress is waited for; one stalled for a minute fails the run.
  let progress = { applied, at: performance.now() };
  try {
    while (applied < total) {
      const problem = broken();
      if (problem) throw new Error(problem);
      if (applied > progress.applied) progress = { applied, at: performance.now() };
      else if (performance.now() - progress.at > 60_000) throw new Error(`stalled at ${fmt(applied)} of ${fmt(total)} acknowledged on ${stream}`);
      await sleep(100);
    }
  } finally {
    polling = false;
    await poller;
  }
  return { publishSeconds, appliedSeconds: (appliedAt[total - 1]! - start) / 1000, lags: Array.from(publishedAt, (p, k) => appliedAt[k]! - p) };
}

/** The platform consumer in this process over its own stream, its handler one multi-row INSERT of the batch's rows. */
async function consumerAlone(databaseUrl: string, redis: Redis, prefix: string, rate: number, seconds: number, ids: string[]) {
  const { db } = createDb({ url: databaseUrl, poolSize: 2 });
  const reader = new Redis(redis.options);
  const consumer = createStreamConsumer({
    db,
    redis: reader,
    log: createLogger("warn", "bench-consumer"),
    consumerName: "bench",
    handlers: [
      {
        stream: "consumer-only",
        group: "value-payments",
        handleBatch: async (envelopes, { trx }) => {
          const at = new Date();
          await trx
            .insertInto("customerTransactions")
            .values(
              envelopes.map((e) => {
                const d = e.data as { customerId: string; paymentId: string; amount: string; category: string };
                return { id: randomUUID(), tenantId: `${TENANT}-consumer`, customerId: d.customerId, kind: "Payment", category: d.category, status: "Paid", amount: d.amount, currency: "USD", exchangeRate: "1.00000000", baseAmount: d.amount, occurredAt: new Date(e.occurredAt), dueAt: null, late: 0, externalReference: d.paymentId, idempotencyKey: e.id, contentHash: "0".repeat(64), source: "stream", createdAt: at, createdBy: "bench" };
              }),
            )
            .execute();
        },
      },
    ],
    batchSize: 200,
    blockMs: 100,
    claimIdleMs: 30_000,
    maxDeliveries: 5,
    streamPrefix: prefix,
  });
  consumer.start();
  try {
    const r = await drive(redis, `${prefix}consumer-only`, "value-payments", rate, seconds, (k) => paymentEvent(ids[k % ids.length]!, k), () => null);
    return { appliedRate: (rate * seconds) / r.appliedSeconds, offeredRate: (rate * seconds) / r.publishSeconds, lag: percentiles(r.lags) };
  } finally {
    await consumer.stop();
    reader.disconnect();
    await db.destroy();
  }
}

/**
 * Payments published at a steady rate onto payment-events while the real worker consumes them
 * (its stream consumer, LEDGER's recordTransactions: ledger row, lifetime value under the
 * customer's lock, LTV history, audit, outbox event; and everything else the worker runs on those
 * events), then the same rows by bare multi-row INSERTs.
 */
async function once(o: SuiteOptions, rate: number, seconds: number, customers: number): Promise<Run> {
  await dropDatabase(o.databaseUrl);
  await migrateToLatest(o.databaseUrl);
  const pool = createBenchPool(o.databaseUrl, 2);
  const redis = new Redis(o.redisUrl);
  const prefix = `bench-value-${randomBytes(3).toString("hex")}:`;
  const stream = `${prefix}payment-events`;
  const port = await freePort();
  let worker: Awaited<ReturnType<typeof startTsProcess>> | undefined;
  try {
    await pool.query("INSERT INTO tenants (id, settings, created_at) VALUES (?, '{}', NOW(3))", [TENANT]);
    const ids = Array.from({ length: customers }, () => randomUUID());
    await insertCustomers(
      pool,
      ids.map((id, i) => ({ id, tenantId: TENANT, customerNumber: `CUS-${String(i + 1).padStart(6, "0")}`, companyName: `Value Co ${i}`, email: `v${i}@value.example` })),
    );
    worker = await startTsProcess({
      name: "worker",
      entry: path.join(REPO, "apps/worker/src/main.ts"),
      cwd: path.join(REPO, "apps/worker"),
      port,
      readyPath: "",
      readyLine: "worker running",
      env: { DATABASE_URL: o.databaseUrl, REDIS_URL: o.redisUrl, LOG_LEVEL: "warn", STREAM_PREFIX: prefix, WORKER_METRICS_PORT: "0", QUEUE_PREFIX: `bull-${prefix}` },
    });

    const total = rate * seconds;
    log(`  publishing ${fmt(total)} PaymentReceived events at ${fmt(rate)}/s over ${fmt(customers)} customers`);
    const w = worker;
    const { publishSeconds, appliedSeconds, lags } = await drive(redis, stream, "value-payments", rate, seconds, (k) => paymentEvent(ids[k % customers]!, k), () =>
      w.alive() ? null : `the worker exited:\n  ${w.output()}`,
    );
    const [[sum]] = await pool.query<RowDataPacket[]>("SELECT SUM(lifetime_value) AS ltv FROM customers WHERE tenant_id = ?", [TENANT]);
    const [[count]] = await pool.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM customer_transactions WHERE tenant_id = ?", [TENANT]);
    const expected = (BigInt(total) * 1234n).toString();
    const ltvExact = String(sum?.ltv).replace(".", "") === expected && Number(count?.n) === total;
    log(`  consumer: ${fmt(total / appliedSeconds)} transactions/s applied (published at ${fmt(total / publishSeconds)}/s); ${fmt(Number(count?.n))} ledger rows, lifetime values sum ${String(sum?.ltv)} (${ltvExact ? "exact" : `expected ${fmt(total)} rows and ${expected.slice(0, -2)}.${expected.slice(-2)}`})`);
    await worker.stop();
    worker = undefined;

    // The consumer alone: the same events, dedupe and acknowledgement, but the handler one multi-row INSERT per batch.
    const consumerOnly = await consumerAlone(o.databaseUrl, redis, prefix, rate, seconds, ids);
    log(`  consumer with a bare INSERT handler: ${fmt(consumerOnly.appliedRate)} transactions/s applied, lag p95 ${fmt(consumerOnly.lag.p95)} ms`);

    // Baseline: the same rows, multi-row INSERTs of the consumer's default batch (200) on one connection.
    const [rows] = await pool.query<RowDataPacket[]>(
      "SELECT customer_id, kind, category, status, amount, currency, exchange_rate, base_amount, occurred_at, late, external_reference, content_hash, source FROM customer_transactions WHERE tenant_id = ?",
      [TENANT],
    );
    const bare = rows.map((r, i) => [randomUUID(), `${TENANT}-bare`, r.customer_id, r.kind, r.category, r.status, r.amount, r.currency, r.exchange_rate, r.base_amount, r.occurred_at, r.late, r.external_reference, `bare-${i}`, r.content_hash, r.source, new Date(), "bench"]);
    const t0 = performance.now();
    for (let i = 0; i < bare.length; i += 200) {
      await pool.query(
        "INSERT INTO customer_transactions (id, tenant_id, customer_id, kind, category, status, amount, currency, exchange_rate, base_amount, occurred_at, late, external_reference, idempotency_key, content_hash, source, created_at, created_by) VALUES ?",
        [bare.slice(i, i + 200)],
      );
    }
    const bareRate = bare.length / ((performance.now() - t0) / 1000);
    log(`  baseline: ${fmt(bareRate)} rows/s by bare INSERTs`);
    return { published: total, offeredRate: total / publishSeconds, appliedRate: total / appliedSeconds, lag: percentiles(lags), consumerOnly, bareRate, ltvExact };
  } finally {
    await worker?.stop();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await pool.end();
  }
}

/**
 * `pnpm bench value [--rate N] [--duration S] [--customers N] [--ledger N] [--runs N]`: payments ingested
 * through the stream consumer at an offered rate (default 6,000/s for 10 s over 2,000 customers),
 * judged on the applied rate and the publish-to-commit lag, beside bare INSERTs of the same rows;
 * then the nightly LTV check and a monthly loyalty run over `--ledger` customers (default 100,000,
 * 10 transactions each; the issue's size is 1,000,000), each beside its bare GROUP BY.
 */
export async function runValueSuite(o: SuiteOptions): Promise<number> {
  const rate = o.rate ?? 6000;
  const seconds = o.duration ?? 10;
  const customers = o.customers ?? 2000;
  log(`value bench: PaymentReceived events onto payment-events at ${fmt(rate)}/s for ${seconds} s, applied by the real worker's stream consumer (recordTransactions per event, batched per read), beside bare multi-row INSERTs of the same rows; ${o.runs} run${o.runs > 1 ? "s" : ""}`);
  log(`machine: load average ${loadAverage()} at the start`);
  const others = watchOtherLoad([]);
  const runs: Run[] = [];
  for (let run = 1; run <= o.runs; run++) {
    if (o.runs > 1) log(`run ${run} of ${o.runs}`);
    runs.push(await once(o, rate, seconds, customers));
  }
  const ledgerCustomers = o.ledger ?? 100_000;
  log(`ledger jobs: the nightly LTV check and a monthly loyalty run over ${fmt(ledgerCustomers)} customers with ${fmt(ledgerCustomers * 10)} transactions`);
  await dropDatabase(o.databaseUrl);
  await migrateToLatest(o.databaseUrl);
  const ledger = await runLedgerJobs(o.databaseUrl, ledgerCustomers);
  const othersShare = others();
  const m = (f: (r: Run) => number) => median(runs.map(f));
  log("");
  if (o.runs > 1) log(`medians of ${o.runs} runs:`);
  log(
    table(
      ["scenario", "transactions", "offered/s", "applied/s", "lag p50 ms", "p95 ms", "p99 ms", "max ms"],
      [
        ["stream consumer → recordTransactions", fmt(m((r) => r.published)), fmt(m((r) => r.offeredRate)), fmt(m((r) => r.appliedRate)), ...(["p50", "p95", "p99", "max"] as const).map((k) => fmt(m((r) => r.lag[k])))],
        ["stream consumer → bare INSERT handler", fmt(m((r) => r.published)), fmt(m((r) => r.consumerOnly.offeredRate)), fmt(m((r) => r.consumerOnly.appliedRate)), ...(["p50", "p95", "p99", "max"] as const).map((k) => fmt(m((r) => r.consumerOnly.lag[k])))],
        ["baseline: bare multi-row INSERT", fmt(m((r) => r.published)), "", fmt(m((r) => r.bareRate)), "", "", "", ""],
      ],
    ),
  );
  log("");
  log(
    table(
      ["job", "customers", "transactions", "seconds", "bare GROUP BY s", "x bare"],
      [
        ["nightly LTV check", fmt(ledger.customers), fmt(ledger.customers * 10), ledger.ltvSeconds.toFixed(2), ledger.ltvBareSeconds.toFixed(2), (ledger.ltvSeconds / ledger.ltvBareSeconds).toFixed(1)],
        ["monthly loyalty recalculation", fmt(ledger.customers), fmt(ledger.customers * 10), ledger.loyaltySeconds.toFixed(2), ledger.loyaltyBareSeconds.toFixed(2), (ledger.loyaltySeconds / ledger.loyaltyBareSeconds).toFixed(1)],
      ],
    ),
  );
  log(`  lag: from XADD until the consumer acknowledged the entry, after its commit (polled every 20 ms); lifetime values exact: ${runs.map((r) => (r.ltvExact ? "yes" : "NO")).join(", ")}`);
  log(`machine: load average ${loadAverage()} at the end; other processes used ${othersShare === undefined ? "an unknown share" : `${(othersShare * 100).toFixed(0)}%`} of the CPUs during the runs`);

  const targets = (r: Run): Target[] => [
    latencyAt(`ingest through the stream consumer (>= ${fmt(TARGET_RATE)}/s, lag p95 < 1 s)`, { p95: r.lag.p95, limit: 1000, achieved: Math.min(r.appliedRate, r.offeredRate), rate: TARGET_RATE, unit: "transactions/s" }),
    { scenario: "lifetime values exact", text: r.ltvExact ? "sum of lifetime values = transactions × amount" : "sum differs", value: r.ltvExact ? "exact" : "differs", pass: r.ltvExact },
    { ...latencyAt(`consumer alone, bare INSERT handler (>= ${fmt(TARGET_RATE)}/s, lag p95 < 1 s)`, { p95: r.consumerOnly.lag.p95, limit: 1000, achieved: Math.min(r.consumerOnly.appliedRate, r.consumerOnly.offeredRate), rate: TARGET_RATE, unit: "transactions/s" }), pass: undefined },
    { ...ratioAtLeast("consumer vs bare INSERT", { value: r.appliedRate, baseline: r.bareRate, min: 0, unit: "rows/s", against: "bare INSERT" }), pass: undefined },
  ];
  const mid: Run = {
    published: m((r) => r.published),
    offeredRate: m((r) => r.offeredRate),
    appliedRate: m((r) => r.appliedRate),
    lag: { ...runs[0]!.lag, p95: m((r) => r.lag.p95) },
    consumerOnly: { appliedRate: m((r) => r.consumerOnly.appliedRate), offeredRate: m((r) => r.consumerOnly.offeredRate), lag: { ...runs[0]!.consumerOnly.lag, p95: m((r) => r.consumerOnly.lag.p95) } },
    bareRate: m((r) => r.bareRate),
    ltvExact: runs.every((r) => r.ltvExact),
  };
  log("");
  log(`targets${o.runs > 1 ? `, judged on the medians of ${o.runs} runs, each run's figure below` : ""} (issue 12):`);
  const judged = [...targets(mid), ...ledgerTargets(ledger)];
  log(targetsTable(judged, runs.map((r) => [...targets(r), ...ledgerTargets(ledger)])));
  return 0;
}
