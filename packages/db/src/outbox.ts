import { randomUUID } from "node:crypto";
import { topicFor, type DomainEvent, type EventEnvelope } from "@clientele/domain";
import type { CompiledQuery } from "kysely";
import { bulkInsertQueries } from "./bulk-insert";
import type { DbOrTrx } from "./connection";
import { parseJson, type DomainEventRow } from "./schema";

export type EventContext = { tenantId: string; actor: string; version: number; occurredAt: Date };

/** The envelopes of events and their outbox rows (one definition for appendEvents and appendEventsQueries). */
function outboxRows(events: (DomainEvent & { version?: number })[], ctx: EventContext) {
  const envelopes: EventEnvelope[] = events.map((e) => ({
    id: randomUUID(),
    type: e.type,
    tenantId: ctx.tenantId,
    aggregateType: e.aggregateType,
    aggregateId: e.aggregateId,
    version: e.version ?? ctx.version,
    occurredAt: ctx.occurredAt.toISOString(),
    actor: ctx.actor,
    data: e.data,
  }));
  const rows = envelopes.map((env) => ({
    id: env.id,
    tenantId: env.tenantId,
    aggregateType: env.aggregateType,
    aggregateId: env.aggregateId,
    aggregateVersion: env.version,
    eventType: env.type,
    topic: topicFor(env.aggregateType),
    // Only the data: the rest of the envelope is in the row's own columns (see toEnvelope).
    payload: JSON.stringify(env.data),
    occurredAt: ctx.occurredAt,
    actor: env.actor,
    publishedAt: null,
  }));
  return { envelopes, rows };
}

/**
 * Appends events to the outbox; call inside the transaction that makes the change.
 * An event may carry the aggregate version it produced; otherwise the context's applies.
 */
export async function appendEvents(trx: DbOrTrx, events: (DomainEvent & { version?: number })[], ctx: EventContext): Promise<EventEnvelope[]> {
  if (events.length === 0) return [];
  const { envelopes, rows } = outboxRows(events, ctx);
  await trx.insertInto("domainEvents").values(rows).execute();
  return envelopes;
}

/** appendEvents as statements built ahead (bulkInsertQueries), for a batch written later in its transaction. */
export function appendEventsQueries(events: (DomainEvent & { version?: number })[], ctx: EventContext): CompiledQuery[] {
  return bulkInsertQueries("domainEvents", outboxRows(events, ctx).rows);
}

export type PendingEvent = { seq: number; topic: string; envelope: EventEnvelope };

/** Oldest unpublished events first: `seq` order is commit-safe per aggregate (see the relay). */
const ENVELOPE_COLUMNS = ["seq", "id", "eventType", "tenantId", "aggregateType", "aggregateId", "aggregateVersion", "occurredAt", "actor", "topic", "payload"] as const;

function toEnvelope(r: Pick<DomainEventRow, (typeof ENVELOPE_COLUMNS)[number]>): EventEnvelope {
  return {
    id: r.id,
    type: r.eventType,
    tenantId: r.tenantId,
    aggregateType: r.aggregateType as EventEnvelope["aggregateType"],
    aggregateId: r.aggregateId,
    version: r.aggregateVersion,
    occurredAt: r.occurredAt.toISOString(),
    actor: r.actor,
    data: parseJson<Record<string, unknown>>(r.payload as string),
  };
}

export async function fetchUnpublished(db: DbOrTrx, limit: number): Promise<PendingEvent[]> {
  const rows = await db
    .selectFrom("domainEvents")
    .select(ENVELOPE_COLUMNS)
    .where("publishedAt", "is", null)
    .orderBy("seq")
    .limit(limit)
    .execute();
  return rows.map((r) => ({ seq: Number(r.seq), topic: r.topic, envelope: toEnvelope(r) }));
}

export async function markPublished(db: DbOrTrx, seqs: number[], at: Date): Promise<void> {
  if (seqs.length === 0) return;
  await db.updateTable("domainEvents").set({ publishedAt: at }).where("seq", "in", seqs).execute();
}

export async function listEventsForAggregate(db: DbOrTrx, tenantId: string, aggregateId: string) {
  const rows = await db
    .selectFrom("domainEvents")
    .select([...ENVELOPE_COLUMNS, "publishedAt"])
    .where("tenantId", "=", tenantId)
    .where("aggregateId", "=", aggregateId)
    .orderBy("seq")
    .execute();
  return rows.map((r) => ({ envelope: toEnvelope(r), publishedAt: r.publishedAt }));
}

/** When the oldest event still waiting for the relay happened, or null when none waits (outbox lag). */
export async function oldestUnpublishedAt(db: DbOrTrx): Promise<Date | null> {
  const row = await db.selectFrom("domainEvents").select("occurredAt").where("publishedAt", "is", null).orderBy("seq").limit(1).executeTakeFirst();
  return row?.occurredAt ?? null;
}
