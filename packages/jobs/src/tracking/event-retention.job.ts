import { maintainEventPartitions } from "@clientele/db";
import type { JobDeps } from "../job-deps";

export type EventRetentionOptions = {
  /** Whole months of raw tracked events kept before the current one; older months are dropped. */
  retentionMonths: number;
  /** Months past the current one that always have a partition of their own. */
  aheadMonths: number;
};

/**
 * The daily retention of tracked events (issue 13 §2): drops the months of customer_events past the
 * retention (one DDL per run, no row deletes) and creates the coming months' partitions ahead. Rollups
 * are kept: they are what segments and analytics read. Idempotent, so a repeated run does nothing.
 */
export async function runEventRetention(deps: JobDeps, o: EventRetentionOptions): Promise<{ created: string[]; dropped: string[] }> {
  const result = await maintainEventPartitions(deps.db, deps.now(), o.retentionMonths, o.aheadMonths);
  if (result.created.length || result.dropped.length) deps.log.info(result, "tracked-event partitions maintained");
  return result;
}
