import { staleVersion, type Actor, type Customer, type Decision } from "@clientele/domain";
import {
  CamelCasePlugin,
  CompiledQuery,
  Kysely,
  MysqlAdapter,
  MysqlIntrospector,
  MysqlQueryCompiler,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
} from "kysely";
import type { Trx } from "../connection";
import type { Database } from "../schema";
import { appendAudit } from "../audit";
import { appendEvents } from "../outbox";
import { findCustomerById, insertCustomer, replaceCustomerTags, replaceSearchTerms, toRow, updateCustomer } from "./customer.repository";

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
  await writeNewCustomerIndexes(trx, created, indexes ?? (await prepareNewCustomerIndexes(created)));
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

/** Records statements instead of running them: what replaceSearchTerms would send for a new customer. */
function recordingDb(into: CompiledQuery[]): Kysely<Database> {
  const connection: DatabaseConnection = {
    executeQuery: async <R>(q: CompiledQuery): Promise<QueryResult<R>> => {
      into.push(q);
      return { rows: [] };
    },
    streamQuery: () => {
      throw new Error("not supported while recording");
    },
  };
  const driver: Driver = {
    init: async () => undefined,
    acquireConnection: async () => connection,
    beginTransaction: async () => undefined,
    commitTransaction: async () => undefined,
    rollbackTransaction: async () => undefined,
    releaseConnection: async () => undefined,
    destroy: async () => undefined,
  };
  // The same plugins as the real connection (connection.ts), so the recorded SQL is what it would run.
  return new Kysely<Database>({
    dialect: {
      createAdapter: () => new MysqlAdapter(),
      createDriver: () => driver,
      createIntrospector: (db) => new MysqlIntrospector(db),
      createQueryCompiler: () => new MysqlQueryCompiler(),
    },
    plugins: [new CamelCasePlugin()],
  });
}

const INSERT = /^(insert (?:ignore )?into `[^`]+` \([^)]*\) values )(.*?)((?: on duplicate key update .*)?)$/s;
/** MySQL allows 65,535 placeholders per statement. */
const MAX_PARAMETERS = 60_000;

/** The index statements of a batch of new customers (prepareNewCustomerIndexes); null: write them one by one. */
export type NewCustomerIndexes = CompiledQuery[] | null;

/**
 * The search, fuzzy and duplicate-detection rows of many new customers as a few multi-row
 * inserts: replaceSearchTerms (with every index its owners hook into it) runs for each customer
 * against a recorder, and its single-row inserts are merged by statement shape. Whatever
 * replaceSearchTerms does for a new customer is done, so the indexes keep one definition; should
 * it ever send anything but inserts, the answer is null and each customer is written the
 * ordinary way. Built without a transaction (and yielding to I/O now and then), so an import can
 * prepare one chunk while the previous one commits.
 */
export async function prepareNewCustomerIndexes(customers: Customer[]): Promise<NewCustomerIndexes> {
  const recorded: CompiledQuery[] = [];
  const recorder = recordingDb(recorded);
  for (const [i, c] of customers.entries()) {
    if (i % 50 === 49) await new Promise((r) => setImmediate(r));
    await replaceSearchTerms(recorder, c, true);
  }
  const groups = new Map<string, { head: string; tail: string; tuples: string[]; parameters: unknown[] }[]>();
  for (const q of recorded) {
    const m = INSERT.exec(q.sql);
    if (!m) return null;
    const [, head, tuples, tail] = m as unknown as [string, string, string, string];
    const list = groups.get(head + tail) ?? [];
    let last = list[list.length - 1];
    if (!last || last.parameters.length + q.parameters.length > MAX_PARAMETERS) {
      last = { head, tail, tuples: [], parameters: [] };
      list.push(last);
      groups.set(head + tail, list);
    }
    last.tuples.push(tuples);
    last.parameters.push(...q.parameters);
  }
  return [...groups.values()].flat().map((g) => CompiledQuery.raw(`${g.head}${g.tuples.join(", ")}${g.tail}`, g.parameters));
}

async function writeNewCustomerIndexes(trx: Trx, customers: Customer[], indexes: NewCustomerIndexes) {
  if (indexes === null) {
    for (const c of customers) await replaceSearchTerms(trx, c, true);
    return;
  }
  for (const q of indexes) await trx.executeQuery(q);
}
