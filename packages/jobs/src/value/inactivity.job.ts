import { cacheKeys } from "@clientele/cache";
import { sql } from "kysely";
import { appendAudit, appendEvents, clearStaleInactivityFlags, getTenantSettings, inactiveCandidates, inTransaction, upsertInactivityFlags } from "@clientele/db";
import { inactivityCutoffs, inactivityFlagFor, inactivityReason, readValueSettings, VALUE_SETTINGS_KEY, type DomainEvent, type InactivityRules } from "@clientele/domain";
import type { JobDeps } from "../job-deps";

const CHUNK = 1000;

/**
 * The daily inactivity job (003 BR-6, Appendix C CustomerInactivityThresholdDays): every tenant's
 * customers in id chunks; a customer whose last activity is 180+ days old is InactiveRisk, over 24
 * months Review, each new or changed flag raises CustomerInactivityFlagged. Flags that no longer
 * hold are cleared. It recomputes from scratch each time, so a crashed run is simply run again.
 */
export async function runInactivitySweep(deps: JobDeps): Promise<{ tenants: number; flagged: number; cleared: number }> {
  const now = deps.now();
  const tenants = await deps.db.selectFrom("tenants").select("id").orderBy("id").execute();
  let flagged = 0;
  let cleared = 0;
  for (const t of tenants) {
    const r = await sweepTenantInactivity(deps, t.id, now);
    flagged += r.flagged;
    cleared += r.cleared;
  }
  return { tenants: tenants.length, flagged, cleared };
}

/** One tenant's part of the daily job, by its own threshold settings. */
export async function sweepTenantInactivity(deps: JobDeps, tenantId: string, now: Date): Promise<{ flagged: number; cleared: number }> {
  const settings = readValueSettings((await getTenantSettings(deps.db, tenantId))[VALUE_SETTINGS_KEY]);
  const rules: InactivityRules = { inactivityThresholdDays: settings.inactivityThresholdDays, reviewAfterMonths: settings.reviewAfterMonths };
  const { riskAt } = inactivityCutoffs(now, rules);
  let cursor: string | null = null;
  let flagged = 0;
  for (;;) {
    const { scannedTo, rows } = await inactiveCandidates(deps.db, tenantId, riskAt, cursor, CHUNK);
    if (scannedTo === null) break;
    cursor = scannedTo;
    const changes = rows.flatMap((r) => {
      const flag = inactivityFlagFor(r.lastActivityAt, now, rules);
      return flag && flag !== r.flag ? [{ customerId: r.id, flag, previous: r.flag, since: now, lastActivityAt: r.lastActivityAt, hadActivity: r.hadActivity }] : [];
    });
    if (changes.length === 0) continue;
    const events: DomainEvent[] = changes.map((c) => ({
      type: "CustomerInactivityFlagged",
      aggregateType: "Customer",
      aggregateId: c.customerId,
      data: { customerId: c.customerId, flag: c.flag, lastActivityAt: c.lastActivityAt.toISOString(), reason: inactivityReason(c.flag, c.lastActivityAt, c.hadActivity, now, rules), flaggedAt: now.toISOString() },
    }));
    await inTransaction(deps.db, async (trx) => {
      // Only if no activity came in since the candidates were read: a flag on an active customer would be wrong.
      // The shared locks make an activity committing now wait, then delete the flag this writes.
      const fresh = await trx
        .selectFrom("customerActivity")
        .select(["customerId", "lastActivityAt"])
        .where("customerId", "in", changes.map((c) => c.customerId))
        // LOCK IN SHARE MODE: MariaDB has no FOR SHARE.
        .modifyEnd(sql`lock in share mode`)
        .execute();
      const moved = new Set(fresh.filter((f) => f.lastActivityAt > riskAt).map((f) => f.customerId));
      const kept = changes.filter((c) => !moved.has(c.customerId));
      await upsertInactivityFlags(trx, tenantId, kept);
      await appendAudit(
        trx,
        kept.map((c) => ({ tenantId, entityType: "Customer", entityId: c.customerId, action: "CustomerInactivityFlagged", actorId: "system", occurredAt: now, changes: { inactivity: { from: c.previous ?? null, to: c.flag } } })),
      );
      // The flag is not a change of the customer's record: its version stays.
      await appendEvents(trx, events.filter((e) => !moved.has(e.aggregateId)), { tenantId, actor: "system", version: 0, occurredAt: now });
      flagged += kept.length;
    });
    await Promise.all(changes.map((c) => deps.cache.del(cacheKeys.customer(tenantId, c.customerId))));
  }
  const stale = await inTransaction(deps.db, async (trx) => {
    const ids = await clearStaleInactivityFlags(trx, tenantId, riskAt);
    await appendAudit(trx, ids.map((id) => ({ tenantId, entityType: "Customer", entityId: id, action: "CustomerInactivityCleared", actorId: "system", occurredAt: now, changes: {} })));
    return ids;
  });
  await Promise.all(stale.map((id) => deps.cache.del(cacheKeys.customer(tenantId, id))));
  return { flagged, cleared: stale.length };
}
