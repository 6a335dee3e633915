import { staleVersion, type Actor, type Customer, type Decision } from "@clientele/domain";
import { CamelCasePlugin, DummyDriver, Kysely, MysqlAdapter, MysqlIntrospector, MysqlQueryCompiler, type CompiledQuery } from "kysely";
import type { Trx } from "../connection";
import type { Database } from "../schema";
import { appendAudit } from "../audit";
import { appendEvents } from "../outbox";
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

/**
 * Many decisions taken at one instant (an import chunk) written like writeCustomerDecision, with
 * one multi-row insert for the new customers, one for the audit rows and one for the events.
 */
export async function writeCustomerDecisions(trx: Trx, actor: Actor, writes: CustomerWrite[], traceId: string | null, indexes?: NewCustomerIndexes) {
  const effective = writes.filter((w) => w.decision.events.length > 0);
  if (effective.length === 0) return;
  const created = effective.filter((w) => w.readVersion === null).map((w) => w.decision.customer);
  if (created.length) {
    await trx.insertInto("customers").values(created.map(toRow)).execute();
    const tags = created.flatMap((c) => c.tags.map((tag) => ({ tenantId: c.tenantId, customerId: c.id, tag })));
    if (tags.length) await trx.insertInto("customerTags").values(tags).execute();
  }
  for (const w of effective) {
    const { customer } = w.decision;
    if (w.readVersion !== null && !(await updateCustomer(trx, customer, w.readVersion))) {
      const current = await findCustomerById(trx, actor.tenantId, customer.id);
      throw staleVersion(w.readVersion, current?.version ?? w.readVersion);
    }
    if (w.readVersion !== null && "tags" in w.decision.changes) await replaceCustomerTags(trx, customer, false);
    if (w.readVersion !== null) await replaceSearchTerms(trx, customer, false);
  }
  await writeNewCustomerIndexes(trx, indexes ?? (await newCustomerIndexInserts(trx, created)));
  const at = (w: CustomerWrite) => w.decision.customer.lastModifiedAt ?? w.decision.customer.createdAt;
  await appendAudit(
    trx,
    effective.map((w) => ({
      tenantId: actor.tenantId,
      entityType: "Customer",
      entityId: w.decision.customer.id,
      action: w.action,
      actorId: actor.userId,
      occurredAt: at(w),
      changes: w.decision.changes,
      traceId,
    })),
  );
  await appendEvents(
    trx,
    effective.flatMap((w) => w.decision.events.map((e) => ({ ...e, version: w.decision.customer.version }))),
    { tenantId: actor.tenantId, actor: actor.userId, version: 1, occurredAt: at(effective[0]!) },
  );
}

/** The index statements of a batch of new customers (prepareNewCustomerIndexes). */
export type NewCustomerIndexes = CompiledQuery[];

/** Compiles statements only (no connection): what a chunk's index inserts are built with before its transaction. */
const compiler = new Kysely<Database>({
  dialect: {
    createAdapter: () => new MysqlAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new MysqlIntrospector(db),
    createQueryCompiler: () => new MysqlQueryCompiler(),
  },
  // The same plugins as the real connection (connection.ts), so the compiled SQL is what it would run.
  plugins: [new CamelCasePlugin()],
});

/**
 * The search, fuzzy and duplicate-detection rows of many new customers as a few multi-row
 * inserts (newCustomerIndexInserts, the same definition a single create writes). Built without a
 * transaction and yielding to I/O between steps, so an import prepares one chunk while the
 * previous one's statements run (a long synchronous build would hold up their replies).
 */
export function prepareNewCustomerIndexes(customers: Customer[]): Promise<NewCustomerIndexes> {
  return newCustomerIndexInserts(compiler, customers, () => new Promise((r) => setImmediate(r)));
}

async function writeNewCustomerIndexes(trx: Trx, indexes: NewCustomerIndexes) {
  for (const q of indexes) await trx.executeQuery(q);
}
