import {
  clearDirtyMark,
  findDirtyMark,
  findDuplicateScan,
  inTransaction,
  lockCustomerRecord,
  refreshDuplicatePairs,
  scanDuplicatePairs,
  syncMatchKeys,
  updateDuplicateScan,
} from "@clientele/db";
import { matchKeys } from "@clientele/domain";
import type { JobDeps } from "./job-deps";
import { PermanentJobError, type CustomerDuplicatesPayload, type DuplicateScanPayload } from "./queues";

/**
 * After a customer's match keys changed: its keys derived again from the locked row (a no-op for
 * a write's own keys; catches up keys of an older derivation, which a migration marks), its
 * review-queue pairs recomputed, then its mark cleared up to the version seen (a newer write's
 * mark stays for that write's job). No mark: an earlier job (or the sweep's) already did it, so a
 * repeated job is harmless.
 */
export async function runCustomerDuplicates(deps: JobDeps, p: CustomerDuplicatesPayload): Promise<{ pairs: number } | { skipped: true }> {
  const mark = await findDirtyMark(deps.db, p.tenantId, p.customerId);
  if (!mark) return { skipped: true };
  await inTransaction(deps.db, async (trx) => {
    const customer = await lockCustomerRecord(trx, p.tenantId, p.customerId);
    await syncMatchKeys(trx, p.tenantId, p.customerId, customer ? matchKeys(customer) : []);
  });
  const pairs = await refreshDuplicatePairs(deps.db, p.tenantId, p.customerId, deps.now());
  await clearDirtyMark(deps.db, p.tenantId, p.customerId, mark.version);
  return { pairs };
}

/**
 * A full duplicate scan of a tenant, its progress on the scan row. A scan started again after a
 * crash simply runs again from the start: it rewrites the same pairs and removes only those it
 * did not find.
 */
export async function runDuplicateScan(deps: JobDeps, p: DuplicateScanPayload): Promise<{ pairsFound: number } | { skipped: true }> {
  const scan = await findDuplicateScan(deps.db, p.tenantId, p.scanId);
  if (!scan) throw new PermanentJobError(`duplicate scan ${p.scanId} does not exist`);
  if (scan.status === "Completed" || scan.status === "Failed") return { skipped: true };
  const startedAt = deps.now();
  await updateDuplicateScan(deps.db, scan.id, { status: "Running", startedAt, processedKeys: 0 });
  const result = await scanDuplicatePairs(deps.db, p.tenantId, startedAt, (progress) => updateDuplicateScan(deps.db, scan.id, progress));
  await updateDuplicateScan(deps.db, scan.id, { status: "Completed", pairsFound: result.pairsFound, completedAt: deps.now() });
  deps.log.info({ tenantId: p.tenantId, scanId: scan.id, ...result }, "duplicate scan done");
  return { pairsFound: result.pairsFound };
}
