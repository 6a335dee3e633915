import { randomUUID } from "node:crypto";
import { createDb, dropDatabase, migrateToLatest } from "@clientele/db";
import { runEscalationSweep } from "@clientele/jobs";
import { createLogger } from "@clientele/telemetry";
import type { SuiteOptions } from "../args";
import { loadAverage, watchOtherLoad } from "../machine-load";
import { median, ratioAtMost, table, targetsTable, type Target } from "../report";
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

type Run = { sweepSeconds: number; bareSeconds: number; batches: ReturnType<typeof percentiles>; events: number; again: number };

/** A fresh database with the complaints, one sweep (each batch timed), then the bare UPDATE of the same rows. */
async function once(databaseUrl: string, tenant: string): Promise<Run> {
  await dropDatabase(databaseUrl);
  await migrateToLatest(databaseUrl);
  let t = performance.now();
  await seed(databaseUrl, tenant);
  log(`  seeded ${fmt(COMPLAINTS)} complaints in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const { db } = createDb({ url: databaseUrl, poolSize: 8 });
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
    log(`  sweep ${sweepSeconds.toFixed(2)} s, bare UPDATE ${bareSeconds.toFixed(2)} s: ${(sweepSeconds / bareSeconds).toFixed(2)}x`);
    return { sweepSeconds, bareSeconds, batches: percentiles(batches), events: Number(events.n), again: again.escalated };
  } finally {
    await db.destroy();
  }
}

/**
 * One escalation sweep over 100,000 open complaints, beside one bare UPDATE of the same rows;
 * with `--runs N` each run starts from a fresh database and the medians are judged.
 */
export async function runComplaintsSuite(o: SuiteOptions): Promise<number> {
  log(`complaints bench: one escalation sweep over ${fmt(COMPLAINTS)} open complaints (all past their thresholds), beside a bare UPDATE of the same rows (no history, audit or events); ${o.runs} run${o.runs > 1 ? "s" : ""}`);
  log(`machine: load average ${loadAverage()} at the start`);
  const tenant = "bench-complaints";
  const runs: Run[] = [];
  const others = watchOtherLoad([]);
  for (let run = 1; run <= o.runs; run++) {
    if (o.runs > 1) log(`run ${run} of ${o.runs}`);
    runs.push(await once(o.databaseUrl, tenant));
  }
  const othersShare = others();
  const m = (f: (r: Run) => number) => median(runs.map(f));
  const sweepSeconds = m((r) => r.sweepSeconds);
  const bareSeconds = m((r) => r.bareSeconds);

  log("");
  if (o.runs > 1) log(`medians of ${o.runs} runs:`);
  log(
    table(
      ["scenario", "complaints", "seconds", "rows/s", "batch p50 ms", "p95 ms", "p99 ms", "batches"],
      [
        ["escalation sweep (history+audit+events)", fmt(COMPLAINTS), sweepSeconds.toFixed(2), fmt(COMPLAINTS / sweepSeconds), ...(["p50", "p95", "p99", "n"] as const).map((k) => fmt(m((r) => r.batches[k])))],
        ["baseline: one bare UPDATE", fmt(COMPLAINTS), bareSeconds.toFixed(2), fmt(COMPLAINTS / bareSeconds), "", "", "", ""],
      ],
    ),
  );
  log(`  events written: ${runs.map((r) => fmt(r.events)).join(", ")}; a second sweep right after escalated ${runs.map((r) => r.again).join(", ")}`);
  log(`machine: load average ${loadAverage()} at the end; other processes used ${othersShare === undefined ? "an unknown share" : `${(othersShare * 100).toFixed(0)}%`} of the CPUs during the runs`);

  const targets = (r: Pick<Run, "sweepSeconds" | "bareSeconds">, ratio?: number): Target[] => [
    ratioAtMost("complaints sweep", { value: r.sweepSeconds, baseline: r.bareSeconds, ...(ratio === undefined ? {} : { ratio }), max: 2, unit: "s", against: "bare UPDATE" }),
    {
      scenario: `complaints sweep of ${fmt(COMPLAINTS)}`,
      text: `${r.sweepSeconds.toFixed(2)} s (< 5 s)`,
      value: `${r.sweepSeconds.toFixed(2)} s`,
      pass: r.sweepSeconds < 5,
    },
  ];
  log("");
  log(`targets${o.runs > 1 ? `, judged on the medians of ${o.runs} runs, each run's figure below` : ""} (the ratio is issue 9's):`);
  log(targetsTable(targets({ sweepSeconds, bareSeconds }, m((r) => r.sweepSeconds / r.bareSeconds)), runs.map((r) => targets(r))));
  return 0;
}
