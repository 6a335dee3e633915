import { customerChunkEnd, ledgerDriftInRange, type LedgerDrift } from "@clientele/db";
import type { JobDeps } from "../job-deps";

export type LtvCheckResult = { checked: number; drifted: number; examples: LedgerDrift[]; chunks: number };

const MAX_EXAMPLES = 20;

/**
 * The nightly check (REQ-CUS-019 "there must be none"): every customer's stored lifetime value
 * against its ledger, recomputed set-based (GROUP BY over a range of customer ids per statement,
 * `chunkSize` customers at a time, so no statement holds much). Each chunk is one statement, so
 * a customer's value and its ledger are read from one snapshot: a payment committing meanwhile
 * cannot show up as drift.
 *
 * It reports and does not fix: drift means a bug or a hand edit, and silently overwriting the
 * value would hide the cause and change a number events and LTV history already published,
 * without an event or a history row of its own. The job result, a log line and the worker's
 * drift gauge say how many and which; the fix is a deliberate act after looking.
 */
export async function runLtvCheck(deps: Pick<JobDeps, "db" | "log">, o: { chunkSize?: number } = {}): Promise<LtvCheckResult> {
  const size = o.chunkSize ?? 10_000;
  const result: LtvCheckResult = { checked: 0, drifted: 0, examples: [], chunks: 0 };
  // "" sorts before every id: the first chunk starts at the beginning.
  for (let after = ""; ; ) {
    const end = await customerChunkEnd(deps.db, after, size);
    const chunk = await ledgerDriftInRange(deps.db, after, end);
    result.chunks += 1;
    result.checked += chunk.checked;
    result.drifted += chunk.drifts.length;
    result.examples.push(...chunk.drifts.slice(0, MAX_EXAMPLES - result.examples.length));
    if (end === null) break;
    after = end;
  }
  const summary = { checked: result.checked, drifted: result.drifted, chunks: result.chunks, examples: result.examples.slice(0, 5).map((d) => `${d.tenantId}/${d.customerId}: stored ${d.stored}, ledger ${d.ledger}`) };
  if (result.drifted > 0) deps.log.error(summary, "lifetime value drift: stored values differ from the ledger");
  else deps.log.info(summary, "lifetime value check: no drift");
  return result;
}
