import { cacheKeys, readVersioned } from "@clientele/cache";
import { findTrackingSubjects } from "@clientele/db";
import { customerNotFound, DomainError, type Actor } from "@clientele/domain";
import { behaviourEntry, type BehaviourEvent } from "@clientele/jobs";
import { randomUUID } from "node:crypto";
import type { AppDeps } from "../../deps";
import { describeError } from "@clientele/telemetry";
import { TOMBSTONE } from "../customers/customer.use-cases";
import { trackedEventsCounter } from "./tracking-metrics";
import type { TTrackBatchItem, TTrackOutput } from "./tracking.schemas";

type Subject = { visible: boolean; analyticsTracking: boolean };

/**
 * Consent and existence of the customers of a request: the cached customer copy when there is one
 * (every customer write invalidates it, so a withdrawn consent is seen at once), else one query by
 * primary key for all the rest. The cache is only read here: tracking does not fill it.
 */
async function subjects(deps: AppDeps, tenantId: string, ids: string[]): Promise<Map<string, Subject>> {
  const out = new Map<string, Subject>();
  const raws = await Promise.all(ids.map((id) => deps.cache.get(cacheKeys.customer(tenantId, id))));
  const missing: string[] = [];
  ids.forEach((id, i) => {
    const cached = readVersioned(raws[i] ?? null);
    if (!cached) return missing.push(id);
    if (cached.value === TOMBSTONE) return out.set(id, { visible: false, analyticsTracking: false });
    const dto = JSON.parse(cached.value) as { preferences?: { analyticsTracking?: boolean } };
    out.set(id, { visible: true, analyticsTracking: dto.preferences?.analyticsTracking !== false });
  });
  for (const s of await findTrackingSubjects(deps.db, tenantId, missing)) out.set(s.id, { visible: true, analyticsTracking: s.analyticsTracking });
  return out;
}

const streamUnavailable = () =>
  new DomainError("TRACK-001", "unavailable", "Tracking is unavailable right now (the event stream cannot be reached); nothing was accepted. Retry later with the same clientEventIds.");

/**
 * Accepts tracked events: checks each customer and its analytics-tracking consent, counts refused
 * events (not stored), and appends the rest as one stream entry for the worker to store; 202 once
 * Redis holds it. `single`: an unknown customer is the request's 404 rather than a rejected item.
 */
export async function trackEvents(deps: AppDeps, actor: Actor, items: TTrackBatchItem[], single: boolean): Promise<TTrackOutput> {
  const now = deps.now();
  const found = await subjects(deps, actor.tenantId, [...new Set(items.map((i) => i.customerId))]);
  const accepted: BehaviourEvent[] = [];
  const rejected: TTrackOutput["rejected"] = [];
  let refused = 0;
  items.forEach((item, index) => {
    const s = found.get(item.customerId);
    if (!s?.visible) {
      if (single) throw customerNotFound();
      rejected.push({ index, code: "CUST-001", message: "Customer not found." });
    } else if (!s.analyticsTracking) {
      refused++;
    } else {
      accepted.push({
        customerId: item.customerId,
        type: item.type,
        name: item.type === "CUSTOM" ? item.name! : "",
        data: item.data ?? null,
        sessionId: item.sessionId ?? null,
        deviceInfo: item.deviceInfo ?? null,
        clientEventId: item.clientEventId ?? null,
        occurredAt: item.occurredAt ? new Date(item.occurredAt).toISOString() : now.toISOString(),
      });
    }
  });
  if (accepted.length > 0) {
    try {
      await deps.tracking.append(behaviourEntry(randomUUID(), actor.tenantId, now, accepted));
    } catch (error) {
      deps.log.warn({ err: describeError(error), events: accepted.length }, "tracking: the behaviour stream refused an append");
      trackedEventsCounter.inc({ outcome: "unavailable" }, accepted.length);
      throw streamUnavailable();
    }
  }
  trackedEventsCounter.inc({ outcome: "accepted" }, accepted.length);
  trackedEventsCounter.inc({ outcome: "refused_consent" }, refused);
  trackedEventsCounter.inc({ outcome: "rejected" }, rejected.length);
  return { accepted: accepted.length, refused, rejected };
}
