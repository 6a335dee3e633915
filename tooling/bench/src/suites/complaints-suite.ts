import { randomUUID } from "node:crypto";
import { createDb, dropDatabase, migrateToLatest } from "@clientele/db";
import { runEscalationSweep } from "@clientele/jobs";
import { createLogger } from "@clientele/telemetry";
import { createBenchPool } from "../seed";
import { fmt, insertCustomers, log, percentiles } from "./platform";

const COMPLAINTS = 100_000;
const PRIORITIES = ["Low", "Medium", "High", "Critical"];

/** 100,000 open complaints of one tenant, all past their escalation thresholds. */
async function seed(databaseUrl: string, tenant: string) {
  const pool = createBenchPool(databaseUrl, 2);
  try {
    const customerId = randomUUID();
    await pool.query("INSERT INTO tenants (id, settings, created_at) VALUES (?, '{}', NOW(3))", [tenant]);
    await insertCustomers(pool, [{ id: customerId, tenantId: tenant, customerNumber: "CUS-000001", companyName: "Escalation Co", email: "e@x.example" }]);
    const created = new Date(Date.now() - 30 * 24 * 3_600_000);
    for (let i = 0; i < COMPLAINTS; i += 5000) {
      const rows = Array.from({ length: 5000 }, (_, j) => {
        const n = i + j + 1;
        return [randomUUID(), tenant, customerId, `COMP-20260101-${String(n).padStart(6, "0")}`, `Complaint ${n}`, "Something went wrong", "General", PRIORITIES[n % 4], n % 3 === 0 ? "InProgress" : "New", "[]", created, "bench"];
      });
      await pool.query(
        "INSERT INTO complaints (id, tenant_id, customer_id, complaint_number, subject, description, category, priority, status, attachments, created_at, created_by) VALUES ?",
        [rows],
      );
    }
    await pool.query("ANALYZE TABLE complaints");
  } finally {
    await pool.end();
  }
}

export async function runComplaintsSuite(o: { databaseUrl: string; redisUrl: string }): Promise<number> {
  log(`complaints bench: one escalation sweep over ${fmt(COMPLAINTS)} open complaints (all past their thresholds), beside a bare UPDATE of the same rows (no history, audit or events)`);
  await dropDatabase(o.databaseUrl);
  await migrateToLatest(o.databaseUrl);
  const tenant = "bench-complaints";
  let t = performance.now();
  await seed(o.databaseUrl, tenant);
  log(`  seeded ${fmt(COMPLAINTS)} complaints in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const { db } = createDb({ url: o.databaseUrl, poolSize: 8 });
  const batches: number[] = [];
  try {
    // Each committed batch is timed through the sweep's onBatch hook.
    const logger = createLogger("silent", "bench");
    t = performance.now();
    let last = t;
    // The sweep needs only the database, a clock and a logger; storage and cache stay unused.
    const deps = { db, log: logger, now: () => new Date(), storage: undefined as never, cache: undefined as never };
    const result = await runEscalationSweep(deps, {
      onBatch: () => {
        const now = performance.now();
        batches.push(now - last);
        last = now;
      },
    });
    const sweepSeconds = (performance.now() - t) / 1000;
    if (result.escalated !== COMPLAINTS) throw new Error(`escalated ${result.escalated} of ${COMPLAINTS}`);
    const events = await db.selectFrom("domainEvents").select((eb) => eb.fn.countAll<number>().as("n")).where("eventType", "=", "CustomerComplaintEscalated").executeTakeFirstOrThrow();
    const again = await runEscalationSweep(deps);

    // Baseline: the same rows put back, then escalated by one plain UPDATE (no history, no events).
    await db.updateTable("complaints").set({ status: "New" }).execute();
    t = performance.now();
    await db.updateTable("complaints").set({ status: "Escalated" }).where("status", "in", ["New", "InProgress"]).execute();
    const bareSeconds = (performance.now() - t) / 1000;

    const q = percentiles(batches);
    log("");
    log("scenario                                complaints  seconds  rows/s   batch p50 ms  p95 ms  p99 ms");
    log(`escalation sweep (history+audit+events) ${fmt(COMPLAINTS).padStart(10)}  ${sweepSeconds.toFixed(2).padStart(7)}  ${fmt(COMPLAINTS / sweepSeconds).padStart(7)}   ${q.p50.toFixed(0).padStart(12)}  ${q.p95.toFixed(0).padStart(6)}  ${q.p99.toFixed(0).padStart(6)}   (${q.n} batches)`);
    log(`baseline: one bare UPDATE               ${fmt(COMPLAINTS).padStart(10)}  ${bareSeconds.toFixed(2).padStart(7)}  ${fmt(COMPLAINTS / bareSeconds).padStart(7)}`);
    log(`  events written: ${fmt(Number(events.n))}; a second sweep right after escalated ${again.escalated}`);
    log("");
    log(`target: ${sweepSeconds < 5 ? "PASS" : "FAIL"} sweep of ${fmt(COMPLAINTS)} complaints < 5 s (${sweepSeconds.toFixed(2)} s)`);
    return 0;
  } finally {
    await db.destroy();
  }
}
