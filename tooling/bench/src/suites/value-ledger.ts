import { createDb } from "@clientele/db";
import { Cache } from "@clientele/cache";
import { createLoyaltyRun, runLoyaltyRecalculation, runLtvCheck } from "@clientele/jobs";
import { createLogger } from "@clientele/telemetry";
import type { RowDataPacket } from "mysql2/promise";
import type { Target } from "../report";
import { createBenchPool } from "../seed";
import { fmt, log } from "./platform";

const TENANT = "bench-ledger";
const PER_CUSTOMER = 10;
const DAY_MS = 86_400_000;
/** The issue's size: the jobs must take < 60 s over 1,000,000 customers with 10,000,000 transactions. */
const ISSUE_CUSTOMERS = 1_000_000;

/** Sequential UUID-shaped ids: the tables' primary keys grow at the end, as time-ordered ids do. */
const seqId = (kind: number, n: number) => `00000000-0000-7000-${(0x8000 + kind).toString(16)}-${n.toString(16).padStart(12, "0")}`;

/**
 * Per customer: 8 paid payments of 10.00, a failed one, a paid refund of 5.00 (lifetime value 75.00), one every 70 days
 * back from today, so the trailing 12 months (loyalty) hold some of them.
 */
async function seedLedger(databaseUrl: string, customers: number): Promise<void> {
  const pool = createBenchPool(databaseUrl, 2);
  try {
    await pool.query("INSERT INTO tenants (id, settings, created_at) VALUES (?, '{}', NOW(3))", [TENANT]);
    const now = Date.now();
    const started = performance.now();
    const chunk = 1000;
    const load = async (from: number, to: number) => {
      for (let c = from; c < to; c += chunk) {
        const ids = Array.from({ length: Math.min(chunk, to - c) }, (_, i) => c + i);
        await pool.query(
          "INSERT INTO customers (id, tenant_id, customer_number, type, company_name, primary_email, primary_phone, billing_street, billing_city, billing_state, billing_zip_code, billing_country, preferences, lifetime_value, created_at, created_by) VALUES ?",
          [ids.map((n) => [seqId(1, n), TENANT, `CUS-${String(n + 1).padStart(7, "0")}`, "SmallBusiness", `Ledger Co ${n}`, `l${n}@ledger.example`, "+15555550100", "s", "c", "st", "z", "GB", "{}", "75.00", new Date(now), "bench"])],
        );
        const rows = ids.flatMap((n) =>
          Array.from({ length: PER_CUSTOMER }, (_, j) => {
            const [kind, status, amount] = j === 8 ? ["Payment", "Failed", "10.00"] : j === 9 ? ["Refund", "Paid", "5.00"] : ["Payment", "Paid", "10.00"];
            const t = n * PER_CUSTOMER + j;
            return [seqId(2, t), TENANT, seqId(1, n), kind, "Ticket", status, amount, "USD", "1.00000000", amount, new Date(now - j * 70 * DAY_MS), 0, `k-${t}`, "0".repeat(64), "api", new Date(now), "bench"];
          }),
        );
        await pool.query(
          "INSERT INTO customer_transactions (id, tenant_id, customer_id, kind, category, status, amount, currency, exchange_rate, base_amount, occurred_at, late, idempotency_key, content_hash, source, created_at, created_by) VALUES ?",
          [rows],
        );
      }
    };
    // Two loaders side by side, each over its own half of the customers.
    const half = Math.ceil(customers / 2 / chunk) * chunk;
    await Promise.all([load(0, Math.min(half, customers)), load(Math.min(half, customers), customers)]);
    await pool.query("ANALYZE TABLE customers, customer_transactions");
    log(`  seeded ${fmt(customers)} customers and ${fmt(customers * PER_CUSTOMER)} transactions in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await pool.end();
  }
}

export type LedgerRun = { customers: number; ltvSeconds: number; ltvBareSeconds: number; drifted: number; loyaltySeconds: number; loyaltyBareSeconds: number; changed: number };

/** The nightly LTV check and a monthly loyalty run over the seeded ledger, each beside the bare GROUP BY it stands on. */
export async function runLedgerJobs(databaseUrl: string, customers: number): Promise<LedgerRun> {
  await seedLedger(databaseUrl, customers);
  const { db } = createDb({ url: databaseUrl, poolSize: 4 });
  const pool = createBenchPool(databaseUrl, 1);
  const logger = createLogger("silent", "bench");
  try {
    let t = performance.now();
    const check = await runLtvCheck({ db, log: logger });
    const ltvSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    await pool.query({
      sql: "SELECT customer_id, SUM(CASE WHEN status = 'Paid' AND kind = 'Payment' THEN base_amount WHEN status = 'Paid' AND kind = 'Refund' THEN -base_amount ELSE 0 END) FROM customer_transactions WHERE tenant_id = ? GROUP BY customer_id",
      rowsAsArray: true,
    }, [TENANT]);
    const ltvBareSeconds = (performance.now() - t) / 1000;
    log(`  LTV check: ${ltvSeconds.toFixed(2)} s over ${fmt(check.checked)} customers (${check.drifted} drifted); bare GROUP BY ${ltvBareSeconds.toFixed(2)} s`);

    const asOf = new Date();
    // The job needs the database, a clock, a logger and a cache (nothing cached here: no Redis).
    const deps = { db, log: logger, now: () => new Date(), cache: new Cache(null, logger), storage: undefined as never };
    const run = await createLoyaltyRun(db, TENANT, asOf, "bench");
    t = performance.now();
    const loyalty = await runLoyaltyRecalculation(deps, { runId: run.id, tenantId: TENANT });
    const loyaltySeconds = (performance.now() - t) / 1000;
    t = performance.now();
    await pool.query<RowDataPacket[]>({
      sql: "SELECT customer_id, SUM(base_amount) FROM customer_transactions WHERE tenant_id = ? AND kind = 'Payment' AND status = 'Paid' AND occurred_at > ? AND occurred_at <= ? GROUP BY customer_id",
      rowsAsArray: true,
    }, [TENANT, new Date(asOf.getTime() - 365 * DAY_MS), asOf]);
    const loyaltyBareSeconds = (performance.now() - t) / 1000;
    log(`  loyalty run: ${loyaltySeconds.toFixed(2)} s over ${fmt(loyalty.processed)} customers (${fmt(loyalty.changed)} tiers changed, with history, audit and events); bare GROUP BY ${loyaltyBareSeconds.toFixed(2)} s`);
    return { customers, ltvSeconds, ltvBareSeconds, drifted: check.drifted, loyaltySeconds, loyaltyBareSeconds, changed: loyalty.changed };
  } finally {
    await pool.end();
    await db.destroy();
  }
}

/** < 60 s at the issue's 1,000,000 customers; a smaller run is scaled linearly to that size, and says so. */
export function ledgerTargets(r: LedgerRun): Target[] {
  const scale = ISSUE_CUSTOMERS / r.customers;
  const note = scale === 1 ? undefined : `measured over ${fmt(r.customers)} customers, scaled x${scale.toFixed(0)}; --ledger ${ISSUE_CUSTOMERS} runs the issue's size`;
  const judged = (scenario: string, seconds: number, bare: number): Target => ({
    scenario,
    text: `${(seconds * scale).toFixed(1)} s per ${fmt(ISSUE_CUSTOMERS)} customers / ${fmt(ISSUE_CUSTOMERS * PER_CUSTOMER)} transactions (< 60 s); ${(seconds / bare).toFixed(1)}x the bare GROUP BY`,
    value: `${(seconds * scale).toFixed(1)} s`,
    pass: seconds * scale < 60,
    ...(note ? { note } : {}),
  });
  return [
    judged("nightly LTV check", r.ltvSeconds, r.ltvBareSeconds),
    { scenario: "LTV check finds no drift", text: `${r.drifted} customers drifted`, value: String(r.drifted), pass: r.drifted === 0 },
    judged("monthly loyalty recalculation", r.loyaltySeconds, r.loyaltyBareSeconds),
  ];
}
