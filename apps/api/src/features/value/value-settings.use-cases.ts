import { appendAudit, getTenantSettings, inTransaction, lockTenantForSettings, setTenantSettings, tenantHasTransactions } from "@clientele/db";
import {
  DomainError,
  normalizeValueSettings,
  readValueSettings,
  validationError,
  VALUE_SETTINGS_KEY,
  ZValueSettings,
  type Actor,
  type ValueSettings,
  type ValueSettingsPatch,
} from "@clientele/domain";
import type { AppDeps } from "../../deps";

export async function getValueSettings(deps: AppDeps, actor: Actor): Promise<ValueSettings> {
  return readValueSettings((await getTenantSettings(deps.db, actor.tenantId))[VALUE_SETTINGS_KEY]);
}

/**
 * Merges the fields given over the current settings and validates the whole (VIP above Premium,
 * tiers rising). The base currency is what every recorded base amount is in: once a transaction
 * exists it cannot change (409 TXN-002), or lifetime values would mix currencies.
 */
export async function putValueSettings(deps: AppDeps, actor: Actor, patch: ValueSettingsPatch, traceId: string): Promise<ValueSettings> {
  const now = deps.now();
  const { next, changed } = await inTransaction(deps.db, async (trx) => {
    // Exclusive on the tenant row: no transaction is converted while the base currency check and
    // change run, and a concurrent PUT merges over this one's result instead of undoing it.
    await lockTenantForSettings(trx, actor.tenantId);
    const current = readValueSettings((await getTenantSettings(trx, actor.tenantId))[VALUE_SETTINGS_KEY]);
    const parsed = ZValueSettings.safeParse({ ...current, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) });
    if (!parsed.success) {
      const errors: Record<string, string[]> = {};
      for (const issue of parsed.error.issues) (errors[issue.path.join(".") || "settings"] ??= []).push(issue.message);
      throw validationError(errors);
    }
    const next = normalizeValueSettings(parsed.data);
    const changed = (Object.keys(next) as (keyof ValueSettings)[]).filter((k) => JSON.stringify(next[k]) !== JSON.stringify(current[k]));
    if (changed.length === 0) return { next, changed };
    if (next.baseCurrency !== current.baseCurrency && (await tenantHasTransactions(trx, actor.tenantId))) {
      throw new DomainError("TXN-002", "conflict", "The base currency cannot change once transactions are recorded.", { baseCurrency: ["cannot change once transactions are recorded"] });
    }
    await setTenantSettings(trx, actor.tenantId, { [VALUE_SETTINGS_KEY]: next });
    await appendAudit(trx, [
      {
        tenantId: actor.tenantId,
        entityType: "Tenant",
        entityId: actor.tenantId,
        action: "ValueSettingsChanged",
        actorId: actor.userId,
        occurredAt: now,
        changes: Object.fromEntries(changed.map((k) => [k, { from: current[k], to: next[k] }])),
        traceId,
      },
    ]);
    return { next, changed };
  });
  // New thresholds re-tier the customers the rule decides, in the worker (long work for a large tenant).
  if (changed.includes("lifetimeValueThresholds")) {
    await deps.jobs.enqueueSegmentRecalculation({ tenantId: actor.tenantId, requestedAt: now.toISOString() });
  }
  return next;
}
