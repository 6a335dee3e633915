import { queryTerms, type Customer } from "@clientele/domain";
import { sql } from "kysely";
import type { DbOrTrx, Trx } from "../connection";
import { parseJson } from "../schema";
import { toCustomer, withTagsAndActivity } from "./customer.repository";
import { filterConditions, type AdvancedSearchFilters } from "./customer-search.repository";

/** What an import row may match: an active customer of the tenant, by email or by number. */
export type CustomerMatch = { id: string; customerNumber: string; email: string | null };

/** Visible customers holding any of these (case-folded) emails or numbers; deactivated ones free their email. */
export async function findCustomerMatches(db: DbOrTrx, tenantId: string, emails: string[], numbers: string[]): Promise<CustomerMatch[]> {
  const out: CustomerMatch[] = [];
  // Batches keep each IN list a reasonable size for 100,000-row files.
  for (let i = 0; i < emails.length; i += 5000) {
    const rows = await db
      .selectFrom("customers")
      .select(["id", "customerNumber", "activeEmail"])
      .where("tenantId", "=", tenantId)
      .where("activeEmail", "in", emails.slice(i, i + 5000))
      .execute();
    out.push(...rows.map((r) => ({ id: r.id, customerNumber: r.customerNumber, email: r.activeEmail })));
  }
  for (let i = 0; i < numbers.length; i += 5000) {
    const rows = await db
      .selectFrom("customers")
      .select(["id", "customerNumber", "activeEmail"])
      .where("tenantId", "=", tenantId)
      .where("customerNumber", "in", numbers.slice(i, i + 5000))
      .where("isDeleted", "=", 0)
      .execute();
    out.push(...rows.map((r) => ({ id: r.id, customerNumber: r.customerNumber, email: r.activeEmail })));
  }
  return out;
}

/** Locks these customers (SELECT … FOR UPDATE, in id order) and loads them with their tags. */
export async function lockCustomersByIds(trx: Trx, tenantId: string, ids: string[]): Promise<Customer[]> {
  if (ids.length === 0) return [];
  const rows = await trx.selectFrom("customers").selectAll().where("tenantId", "=", tenantId).where("id", "in", ids).orderBy("id").forUpdate().execute();
  return withTagsAndActivity(trx, tenantId, rows.map(toCustomer));
}

/**
 * The customer filters an export or a bulk job selects by: the advanced search's filters (dates as
 * ISO strings, since jobs keep the selection as JSON), plus ids and the list's word query.
 */
export type CustomerSelection = Omit<AdvancedSearchFilters, "createdFrom" | "createdTo" | "lastActivityFrom" | "lastActivityTo"> & {
  ids?: string[];
  query?: string;
  createdFrom?: string;
  createdTo?: string;
};

/**
 * Customers of the tenant matching the selection, by the search's own conditions (filterConditions:
 * every tag, Archived and deactivated left out unless asked for, both date bounds inclusive), so a
 * bulk job or an export selects exactly what POST /customers/search lists for the same filter;
 * every word of `query` must match (like GET /customers).
 */
export function customerSelectionQuery(db: DbOrTrx, tenantId: string, s: CustomerSelection) {
  const { ids, query: words, createdFrom, createdTo, ...filters } = s;
  const f: AdvancedSearchFilters = { ...filters, ...(createdFrom ? { createdFrom: new Date(createdFrom) } : {}), ...(createdTo ? { createdTo: new Date(createdTo) } : {}) };
  let q = db.selectFrom("customers as c").where((eb) => filterConditions(eb, tenantId, f));
  if (ids?.length) q = q.where("c.id", "in", ids);
  const query = words?.trim();
  if (query) {
    const terms = queryTerms(query);
    if (terms.length === 0 || query.includes("@") || /^(cus-?)?\d+$/i.test(query)) {
      const escaped = query.replace(/[\\%_]/g, (m) => `\\${m}`);
      q = q.where((eb) => eb.or([eb("c.customerNumber", "=", query.toUpperCase()), eb("c.primaryEmail", "like", `${escaped}%`), eb("c.companyName", "like", `${escaped}%`)]));
    } else {
      for (const term of terms) {
        q = q.where("c.id", "in", (eb) =>
          eb.selectFrom("customerSearchTerms as u").select("u.customerId").where("u.tenantId", "=", tenantId).where("u.term", "like", `${term}%`),
        );
      }
    }
  }
  return q;
}

export async function countCustomerSelection(db: DbOrTrx, tenantId: string, s: CustomerSelection): Promise<number> {
  const row = await customerSelectionQuery(db, tenantId, s).select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The selected customers' ids in customer-number order, streamed (a bulk job freezes them). */
export function streamCustomerSelectionIds(db: DbOrTrx, tenantId: string, s: CustomerSelection) {
  return customerSelectionQuery(db, tenantId, s).select("c.id").orderBy("c.customerNumber").stream(5000);
}

/** Export rows, streamed in customer-number order: the row's columns and its tags joined by ';'. */
export function streamCustomerExportRows(db: DbOrTrx, tenantId: string, s: CustomerSelection) {
  return customerSelectionQuery(db, tenantId, s)
    .selectAll("c")
    .select(sql<string | null>`(SELECT GROUP_CONCAT(t.tag ORDER BY t.tag SEPARATOR ';') FROM customer_tags t WHERE t.tenant_id = c.tenant_id AND t.customer_id = c.id)`.as("tagList"))
    .orderBy("c.customerNumber")
    .stream(1000);
}

export type BulkStatus = "Queued" | "Processing" | "Completed" | "Failed";
export type BulkJob<O = unknown> = {
  id: string;
  tenantId: string;
  operation: string;
  status: BulkStatus;
  options: O;
  total: number;
  processed: number;
  succeeded: number;
  failed: number;
  failureReason: string | null;
  createdBy: string;
  createdAt: Date;
  completedAt: Date | null;
};

/** The job and its frozen list of customers, in one transaction, so a job never exists half-listed. */
export async function insertBulkJob(trx: Trx, job: Pick<BulkJob, "id" | "tenantId" | "operation" | "options" | "createdBy" | "createdAt">, ids: AsyncIterable<string> | string[]) {
  await trx.insertInto("customerBulkJobs").values({ ...job, status: "Queued", options: JSON.stringify(job.options), total: 0 }).execute();
  let position = 0;
  let batch: { jobId: string; position: number; customerId: string }[] = [];
  const flush = async () => {
    if (batch.length) await trx.insertInto("customerBulkItems").values(batch).execute();
    batch = [];
  };
  for await (const customerId of ids) {
    batch.push({ jobId: job.id, position: position++, customerId });
    if (batch.length === 2000) await flush();
  }
  await flush();
  await trx.updateTable("customerBulkJobs").set({ total: position }).where("id", "=", job.id).execute();
  return position;
}

export async function findBulkJob<O>(db: DbOrTrx, tenantId: string, id: string): Promise<BulkJob<O> | undefined> {
  const row = await db.selectFrom("customerBulkJobs").selectAll().where("tenantId", "=", tenantId).where("id", "=", id).executeTakeFirst();
  return row && { ...row, status: row.status as BulkStatus, options: parseJson(row.options as O) };
}

export async function listBulkItems(db: DbOrTrx, jobId: string, from: number, limit: number) {
  return db.selectFrom("customerBulkItems").select(["position", "customerId", "outcome", "message"]).where("jobId", "=", jobId).where("position", ">=", from).orderBy("position").limit(limit).execute();
}

export async function markBulkStarted(db: DbOrTrx, id: string) {
  await db.updateTable("customerBulkJobs").set({ status: "Processing" }).where("id", "=", id).where("status", "in", ["Queued", "Processing"]).execute();
}

/**
 * Records item `position`'s outcome and moves the checkpoint past it, in the item's own
 * transaction. False when another run already did: the caller must roll back.
 */
export async function settleBulkItem(trx: Trx, jobId: string, position: number, outcome: string, message: string | null) {
  const moved = await trx
    .updateTable("customerBulkJobs")
    .set((eb) => ({
      processed: position + 1,
      succeeded: eb("succeeded", "+", outcome === "ok" ? 1 : 0),
      failed: eb("failed", "+", outcome === "ok" ? 0 : 1),
    }))
    .where("id", "=", jobId)
    .where("processed", "=", position)
    .executeTakeFirst();
  if (Number(moved.numUpdatedRows) !== 1) return false;
  await trx.updateTable("customerBulkItems").set({ outcome, message: message?.slice(0, 500) ?? null }).where("jobId", "=", jobId).where("position", "=", position).execute();
  return true;
}

export async function finishBulkJob(db: DbOrTrx, id: string, status: "Completed" | "Failed", at: Date, failureReason: string | null = null) {
  await db.updateTable("customerBulkJobs").set({ status, completedAt: at, failureReason }).where("id", "=", id).execute();
}

/** Bulk jobs left Queued or Processing (Redis was down when submitted, or the worker died). */
export async function findStrandedBulkJobs(db: DbOrTrx, olderThan: Date) {
  return db.selectFrom("customerBulkJobs").select(["id", "tenantId"]).where("status", "in", ["Queued", "Processing"]).where("createdAt", "<", olderThan).limit(100).execute();
}
