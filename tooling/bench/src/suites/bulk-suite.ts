import { randomUUID } from "node:crypto";
import { DEFAULT_PREFERENCES } from "@clientele/domain";
import type { Pool } from "mysql2/promise";
import type { SuiteOptions } from "../args";
import { loadAverage, watchOtherLoad } from "../machine-load";
import { median, table } from "../report";
import { createBenchPool } from "../seed";
import { api, fmt, insertCustomers, log, startPlatform, waitUntil, type Platform } from "./platform";

const TENANT = "bench-bulk";
/** Customers tagged by one worker job (past the 1,000 ids a request runs inline). */
const JOB_ITEMS = 3000;
/** Customers tagged inside one request. */
const INLINE_ITEMS = 1000;

let numbers = 0;

async function seed(pool: Pool, n: number, label: string): Promise<string[]> {
  const ids = Array.from({ length: n }, () => randomUUID());
  await insertCustomers(
    pool,
    ids.map((id, i) => ({ id, tenantId: TENANT, customerNumber: `CUS-${String(++numbers).padStart(7, "0")}`, companyName: `${label} ${i}`, email: `${label}.${i}@bulk-bench.example` })),
  );
  // insertCustomers leaves preferences empty; the domain reads whole customers.
  for (let i = 0; i < ids.length; i += 1000) {
    await pool.query("UPDATE customers SET preferences = ? WHERE tenant_id = ? AND id IN (?)", [JSON.stringify(DEFAULT_PREFERENCES), TENANT, ids.slice(i, i + 1000)]);
  }
  return ids;
}

type Job = { jobId: string | null; status: string; total: number; succeeded: number; failed: number };

async function tagByJob(p: Platform, token: string, ids: string[], tag: string): Promise<number> {
  const started = performance.now();
  const submitted = await api<Job>(p.url, token, "POST", "/customers/bulk/tag", { ids, add: [tag] });
  if (!submitted.jobId) throw new Error(`expected a job for ${ids.length} ids, got an inline answer`);
  const done = await waitUntil(
    () => api<Job>(p.url, token, "GET", `/customers/bulk/jobs/${submitted.jobId}?limit=1`),
    (j) => {
      if (j.status === "Failed") throw new Error(`bulk job failed: ${JSON.stringify(j)}`);
      return j.status === "Completed";
    },
    1_800_000,
    { intervalMs: 500 },
  );
  if (done.succeeded !== ids.length) throw new Error(`bulk job tagged ${done.succeeded} of ${ids.length} (failed ${done.failed})`);
  return (performance.now() - started) / 1000;
}

async function tagInline(p: Platform, token: string, ids: string[], tag: string): Promise<number> {
  const started = performance.now();
  const r = await api<Job>(p.url, token, "POST", "/customers/bulk/tag", { ids, add: [tag] });
  if (r.jobId || r.succeeded !== ids.length) throw new Error(`inline bulk tag: ${JSON.stringify({ ...r, results: undefined })}`);
  return (performance.now() - started) / 1000;
}

/**
 * The floor for "each item in its own transaction": per customer, one mysql2 transaction that
 * locks the row, bumps its version, adds the tag and commits. No domain decision, search keys,
 * audit, events, checkpoint, cache or queue.
 */
async function bareTag(pool: Pool, ids: string[], tag: string): Promise<number> {
  const conn = await pool.getConnection();
  const started = performance.now();
  try {
    for (const id of ids) {
      await conn.beginTransaction();
      await conn.query("SELECT * FROM customers WHERE tenant_id = ? AND id = ? FOR UPDATE", [TENANT, id]);
      await conn.query("UPDATE customers SET version = version + 1, last_modified_at = NOW(3) WHERE tenant_id = ? AND id = ?", [TENANT, id]);
      await conn.query("INSERT INTO customer_tags (tenant_id, customer_id, tag) VALUES (?, ?, ?)", [TENANT, id, tag]);
      await conn.commit();
    }
  } finally {
    conn.release();
  }
  return (performance.now() - started) / 1000;
}

type Row = { job: number; inline: number; bareJob: number; bareInline: number };

/**
 * `pnpm bench bulk`: POST /customers/bulk/tag for 1,000 ids (inline, one request) and 3,000 ids
 * (a worker job, submit to Completed), each customer in its own transaction with its events and
 * audit, beside the bare per-customer transactions in the same run.
 */
export async function runBulkSuite(o: SuiteOptions): Promise<number> {
  log(`bulk bench: POST /customers/bulk/tag over ${fmt(INLINE_ITEMS)} ids inline and ${fmt(JOB_ITEMS)} ids as a worker job, beside bare per-customer mysql2 transactions; ${o.runs} run${o.runs > 1 ? "s" : ""}`);
  log(`machine: load average ${loadAverage()} at the start`);
  const others = watchOtherLoad([]);
  const runs: Row[] = [];
  for (let run = 1; run <= o.runs; run++) {
    if (o.runs > 1) log(`run ${run} of ${o.runs}`);
    const platform = await startPlatform({ databaseUrl: o.databaseUrl, redisUrl: o.redisUrl, apiEnv: { API_WORKERS: String(o.apiWorkers) } });
    const pool = createBenchPool(o.databaseUrl, 2);
    try {
      await pool.query("INSERT INTO tenants (id, settings, created_at) VALUES (?, '{}', NOW(3))", [TENANT]);
      const token = await platform.token(TENANT);
      const warm = await seed(pool, 50, "warm");
      await tagInline(platform, token, warm, "warm");
      const inlineIds = await seed(pool, INLINE_ITEMS, "inline");
      const jobIds = await seed(pool, JOB_ITEMS, "job");
      const bareInlineIds = await seed(pool, INLINE_ITEMS, "bare-inline");
      const bareJobIds = await seed(pool, JOB_ITEMS, "bare-job");
      await pool.query("ANALYZE TABLE customers, customer_tags");
      runs.push({
        inline: await tagInline(platform, token, inlineIds, "bench"),
        bareInline: await bareTag(pool, bareInlineIds, "bench"),
        job: await tagByJob(platform, token, jobIds, "bench"),
        bareJob: await bareTag(pool, bareJobIds, "bench"),
      });
    } finally {
      await pool.end();
      await platform.stop();
    }
  }
  const othersShare = others();
  const m = (f: (r: Row) => number) => median(runs.map(f));
  const rate = (n: number, s: number) => fmt(n / s);
  log("");
  if (o.runs > 1) log(`medians of ${o.runs} runs:`);
  log(
    table(
      ["scenario", "customers", "seconds", "customers/s", "API/bare time"],
      [
        ["bulk tag inline (one request)", fmt(INLINE_ITEMS), m((r) => r.inline).toFixed(2), rate(INLINE_ITEMS, m((r) => r.inline)), `${m((r) => r.inline / r.bareInline).toFixed(2)}x`],
        ["baseline: bare transactions", fmt(INLINE_ITEMS), m((r) => r.bareInline).toFixed(2), rate(INLINE_ITEMS, m((r) => r.bareInline)), ""],
        ["bulk tag job (submit to Completed)", fmt(JOB_ITEMS), m((r) => r.job).toFixed(2), rate(JOB_ITEMS, m((r) => r.job)), `${m((r) => r.job / r.bareJob).toFixed(2)}x`],
        ["baseline: bare transactions", fmt(JOB_ITEMS), m((r) => r.bareJob).toFixed(2), rate(JOB_ITEMS, m((r) => r.bareJob)), ""],
      ],
    ),
  );
  log(`machine: load average ${loadAverage()} at the end; other processes used ${othersShare === undefined ? "an unknown share" : `${(othersShare * 100).toFixed(0)}%`} of the CPUs during the runs`);
  return 0;
}
