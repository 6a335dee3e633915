import type { SuiteOptions } from "../args";
import { loadAverage, watchOtherLoad } from "../machine-load";
import { targetsTable } from "../report";
import { analyticsTable, analyticsTargets, runAnalytics } from "./analytics-bench";
import { fmt, log } from "./platform";
import { runSegmentCalculationBench, segmentCalcTable, segmentCalcTargets } from "./segments-calc";
import { ingestTable, ingestTargets, runTrackingIngest } from "./tracking-bench";

/**
 * `pnpm bench segments [--duration S] [--customers N]`: tracking ingest end to end (batches through
 * the real API into the real worker, until every row is committed; default 10 s) beside bare INSERTs
 * of the same rows, then the analytics queries' p95 over a seeded tenant of `--customers` (default
 * 100,000; the issue's size is 1,000,000) beside their bare SQL, then SEG's three-criteria segment
 * calculation over as many customers (segments-calc.ts) beside its bare SELECT.
 */
export async function runSegmentsSuite(o: SuiteOptions): Promise<number> {
  const seconds = o.duration ?? 10;
  const customers = o.customers ?? 100_000;
  log(`segments bench: tracking ingest for ${seconds} s (API → Redis stream → worker → MySQL) beside bare INSERTs; analytics and a segment calculation over ${fmt(customers)} customers beside bare SQL`);
  log(`machine: load average ${loadAverage()} at the start`);
  const others = watchOtherLoad([]);
  const ingest = await runTrackingIngest({ databaseUrl: o.databaseUrl, redisUrl: o.redisUrl, seconds, customers: 2000, batchSize: 500, clients: 8 });
  const analytics = await runAnalytics({ databaseUrl: o.databaseUrl, redisUrl: o.redisUrl, customers, perCustomer: 6 });
  const calc = await runSegmentCalculationBench({ databaseUrl: o.databaseUrl, redisUrl: o.redisUrl, customers });
  const share = others();
  log("");
  log(ingestTable(ingest));
  log("  ack: POST sent → 202 received (the entry is in Redis); end to end: first request → the worker's acknowledgement of the last entry, after its commit");
  log("");
  log(analyticsTable(analytics));
  log(`  ${fmt(analytics.customers)} customers, ${fmt(analytics.rollups)} rollup rows; bare SQL = the query's core through mysql2, no HTTP, auth or JSON`);
  log("");
  log(segmentCalcTable(calc));
  log(`machine: load average ${loadAverage()} at the end; other processes used ${share === undefined ? "an unknown share" : `${(share * 100).toFixed(0)}%`} of the CPUs during the runs`);
  log("");
  log("targets (issue 13):");
  log(targetsTable([...ingestTargets(ingest), ...analyticsTargets(analytics), ...segmentCalcTargets(calc)]));
  return 0;
}
