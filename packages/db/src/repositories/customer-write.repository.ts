import { staleVersion, type Actor, type Decision } from "@clientele/domain";
import type { CompiledQuery } from "kysely";
import type { Trx } from "../connection";
import { appendAudit, appendAuditQueries } from "../audit";
import { bulkInsertQueries } from "../bulk-insert";
import { appendEvents, appendEventsQueries } from "../outbox";
import { findCustomerById, insertCustomer, newCustomerIndexInserts, replaceCustomerTags, replaceSearchTerms, toRow, updateCustomer } from "./customer.repository";

/**
 * The one write path of a customer decision, shared by the API's use cases and the worker's
 * imports and bulk jobs: the new state (insert, or compare-and-set on the version read), its
 * search terms, its audit row and its events, inside the caller's transaction.
 */
export async function writeCustomerDecision(trx: Trx, actor: Actor, decision: Decision, readVersion: number | null, action: string, traceId: string | null) {
  const { customer, events, changes } = decision;
  if (events.length === 0) return;
  if (readVersion === null) {
    await insertCustomer(trx, customer);
  } else if (!(await updateCustomer(trx, customer, readVersion))) {
    const current = await findCustomerById(trx, actor.tenantId, customer.id);
    throw staleVersion(readVersion, current?.version ?? readVersion);
  }
  await replaceSearchTerms(trx, customer, readVersion === null);
  if (readVersion === null ? customer.tags.length > 0 : "tags" in changes) await replaceCustomerTags(trx, customer, readVersion === null);
  await appendAudit(trx, [
    {
      tenantId: actor.tenantId,
      entityType: "Customer",
      entityId: customer.id,
      action,
      actorId: actor.userId,
      occurredAt: customer.lastModifiedAt ?? customer.createdAt,
      changes,
      traceId,
    },
  ]);
  await appendEvents(trx, events, {
    tenantId: actor.tenantId,
    actor: actor.userId,
    version: customer.version,
    occurredAt: customer.lastModifiedAt ?? customer.createdAt,
  });
}

export type CustomerWrite = { decision: Decision; readVersion: number | null; action: string };

/** New customers' statements, rendered before their transaction (prepareNewCustomerWrites). */
export type PreparedCustomerInserts = { rows: CompiledQuery[]; indexes: CompiledQuery[]; audit: CompiledQuery[]; events: CompiledQuery[] };

const at = (w: CustomerWrite) => w.decision.customer.lastModifiedAt ?? w.decision.customer.createdAt;
const auditOf = (actor: Actor, w: CustomerWrite, traceId: string | null) => ({
  tenantId: actor.tenantId,
  entityType: "Customer",
  entityId: w.decision.customer.id,
  action: w.action,
  actorId: actor.userId,
  occurredAt: at(w),
  changes: w.decision.changes,
  traceId,
});
const eventsOf = (writes: CustomerWrite[]) => writes.flatMap((w) => w.decision.events.map((e) => ({ ...e, version: w.decision.customer.version })));

/**
 * Everything writeCustomerDecisions writes for new customers (their rows, tags, derived index
 * rows, audit rows and events), rendered as multi-row inserts without a connection: an import
 * builds a chunk's while the previous chunk's statements run (yielding to I/O between steps via
 * `pause`, so a long synchronous build does not hold up their replies).
 */
export async function prepareNewCustomerWrites(actor: Actor, creates: CustomerWrite[], traceId: string | null, pause?: () => Promise<unknown>): Promise<PreparedCustomerInserts> {
  const effective = creates.filter((w) => w.decision.events.length > 0);
  if (effective.length === 0) return { rows: [], indexes: [], audit: [], events: [] };
  const customers = effective.map((w) => w.decision.customer);
  const tags = customers.flatMap((c) => c.tags.map((tag) => ({ tenantId: c.tenantId, customerId: c.id, tag })));
  const rows = [
    ...bulkInsertQueries("customers", customers.map(toRow), { orderBy: (r) => r.id }),
    ...bulkInsertQueries("customerTags", tags, { orderBy: (r) => `${r.tenantId}\0${r.customerId}\0${r.tag}` }),
  ];
  const indexes = await newCustomerIndexInserts(customers, pause);
  if (pause) await pause();
  const audit = appendAuditQueries(effective.map((w) => auditOf(actor, w, traceId)));
  const events = appendEventsQueries(eventsOf(effective), { tenantId: actor.tenantId, actor: actor.userId, version: 1, occurredAt: at(effective[0]!) });
  return { rows, indexes, audit, events };
}

/**
 * Many decisions taken at one instant (an import chunk) written like writeCustomerDecision: the
 * new customers by multi-row inserts (`prepared`, when they were rendered ahead by
 * prepareNewCustomerWrites from exactly these writes' creates), the updates one by one, then one
 * insert of audit rows and one of events for each kind.
 */
export async function writeCustomerDecisions(trx: Trx, actor: Actor, writes: CustomerWrite[], traceId: string | null, prepared?: PreparedCustomerInserts) {
  const effective = writes.filter((w) => w.decision.events.length > 0);
  if (effective.length === 0) return;
  const updates = effective.filter((w) => w.readVersion !== null);
  const created = prepared ?? (await prepareNewCustomerWrites(actor, effective.filter((w) => w.readVersion === null), traceId));
  const run = async (queries: CompiledQuery[]) => {
    for (const q of queries) await trx.executeQuery(q);
  };
  await run(created.rows);
  for (const w of updates) {
    const { customer } = w.decision;
    if (!(await updateCustomer(trx, customer, w.readVersion!))) {
      const current = await findCustomerById(trx, actor.tenantId, customer.id);
      throw staleVersion(w.readVersion!, current?.version ?? w.readVersion!);
    }
    if ("tags" in w.decision.changes) await replaceCustomerTags(trx, customer, false);
    await replaceSearchTerms(trx, customer, false);
  }
  await run(created.indexes);
  if (updates.length) {
    await appendAudit(trx, updates.map((w) => auditOf(actor, w, traceId)));
    await appendEvents(trx, eventsOf(updates), { tenantId: actor.tenantId, actor: actor.userId, version: 1, occurredAt: at(updates[0]!) });
  }
  await run(created.audit);
  await run(created.events);
}
