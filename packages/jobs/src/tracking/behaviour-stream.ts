import { appendEventsQueries, claimClientEventIds, storeCustomerEvents, type NewCustomerEvent } from "@clientele/db";
import { TRACKED_EVENT_TYPES, timeOrderedUuid, type DomainEvent } from "@clientele/domain";
import { z } from "zod";
import { DeadLetterError, type StreamBatchContext, type StreamHandler } from "../streams/stream-consumer";
import type { StreamEnvelope } from "../streams/stream-envelope";

/**
 * Tracked behaviour (issue 13 §2): the API appends one entry per accepted request to this stream
 * (STREAM_PREFIX added) and answers 202; the worker stores it in bulk. The entry is the platform's
 * envelope (its id is the consumer's dedupe key), type BEHAVIOUR_TRACKED, data `{ events }`.
 */
export const BEHAVIOUR_STREAM = "customer-behaviour";
export const BEHAVIOUR_TRACKED = "BehaviourTracked";
export const BEHAVIOUR_GROUP = "tracking-ingest";
/** The change notice SEG's incremental recalculation consumes: one per customer per stored batch, on customer-events (outbox). */
export const CUSTOMER_BEHAVIOUR_TRACKED = "CustomerBehaviourTracked";

export const ZBehaviourEvent = z.object({
  customerId: z.string().min(1).max(64),
  type: z.enum(TRACKED_EVENT_TYPES),
  /** '' for every type but CUSTOM. */
  name: z.string().max(100),
  data: z.record(z.string(), z.unknown()).nullable(),
  sessionId: z.string().max(100).nullable(),
  deviceInfo: z.record(z.string(), z.unknown()).nullable(),
  clientEventId: z.string().max(100).nullable(),
  occurredAt: z.iso.datetime({ offset: true }),
});
export type BehaviourEvent = z.infer<typeof ZBehaviourEvent>;
export const ZBehaviourData = z.object({ events: z.array(ZBehaviourEvent).min(1) });

/** The stream entry's fields for one accepted request (XADD … event <json>). */
export function behaviourEntry(id: string, tenantId: string, receivedAt: Date, events: BehaviourEvent[]): ["event", string] {
  const envelope: StreamEnvelope = { id, type: BEHAVIOUR_TRACKED, tenantId, occurredAt: receivedAt.toISOString(), data: { events } };
  return ["event", JSON.stringify(envelope)];
}

/**
 * Stores a batch of entries in the consumer's transaction: client event ids claimed per tenant
 * (a replay, even across entries of this batch, is dropped), rows and rollups written in bulk, and
 * one CustomerBehaviourTracked outbox event per customer touched (the change notice for segments).
 * An entry whose data is not a valid batch cannot come from our API: it is dead-lettered.
 */
async function storeBatch(envelopes: StreamEnvelope[], ctx: StreamBatchContext): Promise<void> {
  const byTenant = new Map<string, { receivedAt: Date; e: BehaviourEvent }[]>();
  for (const env of envelopes) {
    const parsed = ZBehaviourData.safeParse(env.data);
    if (!parsed.success) {
      throw new DeadLetterError(`invalid ${BEHAVIOUR_TRACKED} data: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(data)"}: ${i.message}`).join("; ")}`, env.id);
    }
    const list = byTenant.get(env.tenantId) ?? [];
    for (const e of parsed.data.events) list.push({ receivedAt: new Date(env.occurredAt), e });
    byTenant.set(env.tenantId, list);
  }
  const now = new Date();
  for (const [tenantId, list] of byTenant) {
    const keyed = list.flatMap((l) => (l.e.clientEventId ? [l.e.clientEventId] : []));
    const fresh = await claimClientEventIds(ctx.trx, tenantId, keyed, now);
    const rows: NewCustomerEvent[] = [];
    for (const { receivedAt, e } of list) {
      if (e.clientEventId) {
        // The first event holding an id takes it; the rest are replays.
        if (!fresh.delete(e.clientEventId)) continue;
      }
      rows.push({
        id: timeOrderedUuid(),
        tenantId,
        customerId: e.customerId,
        eventType: e.type,
        name: e.name,
        eventData: e.data ? JSON.stringify(e.data) : null,
        sessionId: e.sessionId,
        deviceInfo: e.deviceInfo ? JSON.stringify(e.deviceInfo) : null,
        clientEventId: e.clientEventId,
        occurredAt: new Date(e.occurredAt),
        receivedAt,
      });
    }
    await storeCustomerEvents(ctx.trx, rows);
    const perCustomer = new Map<string, { types: Set<string>; count: number; last: Date }>();
    for (const r of rows) {
      const p = perCustomer.get(r.customerId) ?? { types: new Set<string>(), count: 0, last: r.occurredAt };
      p.types.add(r.eventType);
      p.count++;
      if (r.occurredAt > p.last) p.last = r.occurredAt;
      perCustomer.set(r.customerId, p);
    }
    const notices: (DomainEvent & { version: number })[] = [...perCustomer].map(([customerId, p]) => ({
      type: CUSTOMER_BEHAVIOUR_TRACKED,
      aggregateType: "Customer",
      aggregateId: customerId,
      // Not a change of the customer record: no record version to carry.
      version: 0,
      data: { customerId, eventTypes: [...p.types].sort(), count: p.count, lastOccurredAt: p.last.toISOString() },
    }));
    for (const q of appendEventsQueries(notices, { tenantId, actor: `stream:${BEHAVIOUR_STREAM}`, version: 0, occurredAt: now })) await ctx.trx.executeQuery(q);
  }
}

/** The ingest handler, registered in the worker (apps/worker/src/stream-consumers.ts). */
export function trackingStreamHandlers(): StreamHandler[] {
  return [{ stream: BEHAVIOUR_STREAM, group: BEHAVIOUR_GROUP, types: [BEHAVIOUR_TRACKED], trimAcknowledged: true, handleBatch: storeBatch }];
}
