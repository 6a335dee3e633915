import { randomUUID } from "node:crypto";
import { DEFAULT_PREFERENCES } from "@clientele/domain";
import type { Pool } from "mysql2/promise";
import type { SuiteOptions } from "../args";
import { loadAverage, watchOtherLoad } from "../machine-load";
import { median, table } from "../report";
import { createBenchPool } from "../seed";
import { api, fmt, insertCustomers, log, percentiles, startPlatform } from "./platform";

const TENANT = "bench-merge";
const PAIRS = 40;
/** Per source customer: how many of each record kind a merge moves. */
const SIZES = [
  { name: "small", contacts: 5, communications: 20 },
  { name: "large", contacts: 40, communications: 2000 },
] as const;
type Size = (typeof SIZES)[number];
type Pair = { source: string; target: string };

let numbers = 0;

/** `PAIRS` source/target pairs, each source with its records: contacts, communications and a few follow-ups, complaints, testimonials. */
async function seedPairs(pool: Pool, size: Size, label: string): Promise<Pair[]> {
  const pairs: Pair[] = Array.from({ length: PAIRS }, () => ({ source: randomUUID(), target: randomUUID() }));
  await insertCustomers(
    pool,
    pairs.flatMap((p, i) =>
      (["source", "target"] as const).map((role) => ({
        id: p[role],
        tenantId: TENANT,
        customerNumber: `CUS-${String(++numbers).padStart(6, "0")}`,
        companyName: `${label} ${role} ${i}`,
        email: `${label}.${role}.${i}@merge-bench.example`,
      })),
    ),
  );
  // insertCustomers leaves preferences empty; the API answers whole customers.
  await pool.query("UPDATE customers SET preferences = ? WHERE tenant_id = ? AND id IN (?)", [JSON.stringify(DEFAULT_PREFERENCES), TENANT, pairs.flatMap((p) => [p.source, p.target])]);
  const now = new Date();
  for (const p of pairs) {
    const contacts = (customerId: string, n: number, tag: string) =>
      Array.from({ length: n }, (_, i) => [randomUUID(), TENANT, customerId, "Ann", `${tag}${i}`, `${tag}${i}.${customerId.slice(0, 8)}@contact.example`, i === 0 ? 1 : 0, now, "bench"]);
    await pool.query("INSERT INTO contacts (id, tenant_id, customer_id, first_name, last_name, email, is_primary, created_at, created_by) VALUES ?", [
      [...contacts(p.source, size.contacts, "s"), ...contacts(p.target, 3, "t")],
    ]);
    const comms = Array.from({ length: size.communications }, (_, i) => [randomUUID(), TENANT, p.source, "PhoneCall", "General", "Outbound", "Completed", `Call ${i}`, now, now, "bench"]);
    for (let i = 0; i < comms.length; i += 1000) {
      await pool.query("INSERT INTO communications (id, tenant_id, customer_id, type, purpose, direction, status, subject, occurred_at, created_at, created_by) VALUES ?", [comms.slice(i, i + 1000)]);
    }
    await pool.query("INSERT INTO follow_ups (id, tenant_id, customer_id, subject, due_date, priority, status, created_at, created_by) VALUES ?", [
      [1, 2].map((i) => [randomUUID(), TENANT, p.source, `Follow-up ${i}`, now, "Medium", "Pending", now, "bench"]),
    ]);
    await pool.query("INSERT INTO complaints (id, tenant_id, customer_id, complaint_number, subject, description, priority, status, attachments, created_at, created_by) VALUES ?", [
      [1, 2].map(() => [randomUUID(), TENANT, p.source, `COMP-20260101-${String(++numbers).padStart(6, "0")}`, "Late", "It came late", "Medium", "New", "[]", now, "bench"]),
    ]);
    await pool.query("INSERT INTO testimonials (id, tenant_id, customer_id, content, rating, status, author_name, created_at, created_by) VALUES ?", [
      [[randomUUID(), TENANT, p.source, "Great service", 5, "Pending", "Ann", now, "bench"]],
    ]);
  }
  await pool.query("ANALYZE TABLE customers, contacts, communications, follow_ups, complaints, testimonials");
  return pairs;
}

/**
 * The bare baseline: the statements a merge cannot do without, in one mysql2 transaction: lock
 * both customers in id order, deactivate the source, bump the target, and re-point each kind's
 * rows. No domain decision, reads of the records, audit, events, merge record or HTTP.
 */
async function bareMerge(pool: Pool, p: Pair): Promise<void> {
  const conn = await pool.getConnection();
  try {
    await conn.beginTransaction();
    await conn.query("SELECT * FROM customers WHERE tenant_id = ? AND id IN (?, ?) ORDER BY id FOR UPDATE", [TENANT, p.source, p.target]);
    await conn.query("UPDATE customers SET is_deleted = 1, status = 'Inactive', status_reason = 'Merged', version = version + 1 WHERE tenant_id = ? AND id = ?", [TENANT, p.source]);
    await conn.query("UPDATE customers SET version = version + 1, last_modified_at = NOW(3) WHERE tenant_id = ? AND id = ?", [TENANT, p.target]);
    for (const t of ["contacts", "communications", "follow_ups", "complaints", "testimonials"]) {
      await conn.query(`UPDATE ${t} SET customer_id = ? WHERE tenant_id = ? AND customer_id = ?`, [p.target, TENANT, p.source]);
    }
    await conn.commit();
  } finally {
    conn.release();
  }
}

async function timed(items: Pair[], run: (p: Pair) => Promise<unknown>): Promise<number[]> {
  const ms: number[] = [];
  for (const p of items) {
    const t = performance.now();
    await run(p);
    ms.push(performance.now() - t);
  }
  return ms;
}

type Row = { size: Size; api: ReturnType<typeof percentiles>; bare: ReturnType<typeof percentiles> };

/**
 * `pnpm bench merge`: merge latency through the API (POST /customers/merge, one at a time) for
 * customers with few and with many records, beside the bare statements in one transaction.
 */
export async function runMergeSuite(o: SuiteOptions): Promise<number> {
  log(`merge bench: ${PAIRS} merges per size through POST /customers/merge, one at a time, beside the same UPDATEs in one bare mysql2 transaction; ${o.runs} run${o.runs > 1 ? "s" : ""}`);
  log(`  sizes (per source): ${SIZES.map((s) => `${s.name} = ${s.contacts} contacts + ${fmt(s.communications)} communications + 2 follow-ups + 2 complaints + 1 testimonial`).join("; ")}`);
  log(`machine: load average ${loadAverage()} at the start`);
  const others = watchOtherLoad([]);
  const runs: Row[][] = [];
  for (let run = 1; run <= o.runs; run++) {
    if (o.runs > 1) log(`run ${run} of ${o.runs}`);
    const platform = await startPlatform({ databaseUrl: o.databaseUrl, redisUrl: o.redisUrl, apiEnv: { API_WORKERS: String(o.apiWorkers) } });
    const pool = createBenchPool(o.databaseUrl, 2);
    try {
      await pool.query("INSERT INTO tenants (id, settings, created_at) VALUES (?, '{}', NOW(3))", [TENANT]);
      const token = await platform.token(TENANT);
      const rows: Row[] = [];
      for (const size of SIZES) {
        const viaApi = await seedPairs(pool, size, `${size.name}-api`);
        const bare = await seedPairs(pool, size, `${size.name}-bare`);
        // Warm-up: the first merges pay for cold pages and the API's first compilations.
        const [warm, ...measured] = viaApi;
        await api(platform.url, token, "POST", "/customers/merge", { sourceCustomerId: warm!.source, targetCustomerId: warm!.target });
        const apiMs = await timed(measured, (p) => api(platform.url, token, "POST", "/customers/merge", { sourceCustomerId: p.source, targetCustomerId: p.target }));
        const [bareWarm, ...bareMeasured] = bare;
        await bareMerge(pool, bareWarm!);
        const bareMs = await timed(bareMeasured, (p) => bareMerge(pool, p));
        rows.push({ size, api: percentiles(apiMs), bare: percentiles(bareMs) });
      }
      runs.push(rows);
    } finally {
      await pool.end();
      await platform.stop();
    }
  }
  const othersShare = others();
  const m = (i: number, f: (r: Row) => number) => median(runs.map((r) => f(r[i]!)));
  const ms = (v: number) => v.toFixed(1);

  log("");
  if (o.runs > 1) log(`medians of ${o.runs} runs:`);
  log(
    table(
      ["scenario", "records moved", "merges", "p50 ms", "p95 ms", "p99 ms", "max ms", "p50 API/bare"],
      SIZES.flatMap((size, i) => {
        const moved = fmt(size.contacts + size.communications + 5);
        return [
          [`merge via API (${size.name})`, moved, String(runs[0]![i]!.api.n), ms(m(i, (r) => r.api.p50)), ms(m(i, (r) => r.api.p95)), ms(m(i, (r) => r.api.p99)), ms(m(i, (r) => r.api.max)), `${(m(i, (r) => r.api.p50 / r.bare.p50)).toFixed(2)}x`],
          [`baseline: bare UPDATEs (${size.name})`, moved, String(runs[0]![i]!.bare.n), ms(m(i, (r) => r.bare.p50)), ms(m(i, (r) => r.bare.p95)), ms(m(i, (r) => r.bare.p99)), ms(m(i, (r) => r.bare.max)), ""],
        ];
      }),
    ),
  );
  log(`machine: load average ${loadAverage()} at the end; other processes used ${othersShare === undefined ? "an unknown share" : `${(othersShare * 100).toFixed(0)}%`} of the CPUs during the runs`);
  return 0;
}
