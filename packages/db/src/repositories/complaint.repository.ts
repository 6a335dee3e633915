import { ESCALATABLE, OPEN_COMPLAINT_STATUSES, RESOLVED_COMPLAINT_STATUSES, escalationCutoff } from "@clientele/domain";
import { sql, type Selectable, type SqlBool, type Expression } from "kysely";
import type { DbOrTrx, Trx } from "../connection";
import { parseJson, type ComplaintsTable } from "../schema";
import type { Attachment } from "./communication.repository";

type Row = Selectable<ComplaintsTable>;
export type Complaint = Omit<Row, "attachments" | "customerSatisfied"> & { attachments: Attachment[]; customerSatisfied: boolean | null };

export const toComplaint = (r: Row): Complaint => ({
  ...r,
  attachments: r.attachments == null ? [] : parseJson<Attachment[]>(r.attachments as string),
  customerSatisfied: r.customerSatisfied === null ? null : Boolean(r.customerSatisfied),
});

export async function insertComplaint(db: DbOrTrx, c: Complaint) {
  await db
    .insertInto("complaints")
    .values({ ...c, attachments: JSON.stringify(c.attachments), customerSatisfied: c.customerSatisfied === null ? null : c.customerSatisfied ? 1 : 0 })
    .execute();
}

export async function findComplaint(db: DbOrTrx, tenantId: string, id: string): Promise<Complaint | undefined> {
  const row = await db.selectFrom("complaints").selectAll().where("tenantId", "=", tenantId).where("id", "=", id).executeTakeFirst();
  return row && toComplaint(row);
}

/** Locks the complaint row for the rest of the transaction: concurrent changes take turns. */
export async function lockComplaint(trx: Trx, tenantId: string, id: string): Promise<Complaint | undefined> {
  const row = await trx.selectFrom("complaints").selectAll().where("tenantId", "=", tenantId).where("id", "=", id).forUpdate().executeTakeFirst();
  return row && toComplaint(row);
}

/** Compare-and-set on the version read. */
export async function updateComplaint(db: DbOrTrx, c: Complaint, readVersion: number): Promise<boolean> {
  const { id, tenantId, createdAt: _a, createdBy: _b, complaintNumber: _n, attachments: _t, ...rest } = c;
  const r = await db
    .updateTable("complaints")
    .set({ ...rest, customerSatisfied: rest.customerSatisfied === null ? null : rest.customerSatisfied ? 1 : 0 })
    .where("tenantId", "=", tenantId)
    .where("id", "=", id)
    .where("version", "=", readVersion)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export type StatusChange = { complaintId: string; tenantId: string; fromStatus: string | null; toStatus: string; notes: string; changedBy: string; changedAt: Date };

/** Returns the id of the first row written (MySQL numbers a multi-row insert consecutively). */
export async function insertStatusHistory(db: DbOrTrx, rows: StatusChange[]): Promise<number | null> {
  if (rows.length === 0) return null;
  const r = await db.insertInto("complaintStatusHistory").values(rows).executeTakeFirst();
  return Number(r.insertId);
}

export async function listStatusHistory(db: DbOrTrx, complaintId: string) {
  return db.selectFrom("complaintStatusHistory").selectAll().where("complaintId", "=", complaintId).orderBy("id").execute();
}

export type ComplaintFilters = {
  customerId?: string | undefined;
  statuses?: string[] | undefined;
  priorities?: string[] | undefined;
  assignedTo?: string | undefined;
  category?: string | undefined;
  page: number;
  pageSize: number;
};

export async function listComplaints(db: DbOrTrx, tenantId: string, f: ComplaintFilters) {
  let q = db.selectFrom("complaints").where("tenantId", "=", tenantId);
  if (f.customerId) q = q.where("customerId", "=", f.customerId);
  if (f.statuses?.length) q = q.where("status", "in", f.statuses);
  if (f.priorities?.length) q = q.where("priority", "in", f.priorities);
  if (f.assignedTo) q = q.where("assignedTo", "=", f.assignedTo);
  if (f.category) q = q.where("category", "=", f.category);
  const [rows, count] = await Promise.all([
    q.selectAll().orderBy("createdAt", "desc").orderBy("id").limit(f.pageSize).offset((f.page - 1) * f.pageSize).execute(),
    q.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toComplaint), totalCount: Number(count.n) };
}

/** Complaints due for escalation under these thresholds (hours per priority). */
function dueCondition(now: Date, hours: Record<string, number>): Expression<SqlBool> {
  const parts = Object.entries(hours).map(
    ([priority, h]) => sql<SqlBool>`(priority = ${priority} AND created_at <= ${escalationCutoff(now, h)})`,
  );
  return sql<SqlBool>`(${sql.join(parts, sql` OR `)})`;
}

export async function complaintDashboard(db: DbOrTrx, tenantId: string, userId: string, now: Date, hours: Record<string, number>) {
  const [byPriority, overdue, mine] = await Promise.all([
    db
      .selectFrom("complaints")
      .select(["priority", (eb) => eb.fn.countAll<number>().as("n")])
      .where("tenantId", "=", tenantId)
      .where("status", "in", [...OPEN_COMPLAINT_STATUSES])
      .groupBy("priority")
      .execute(),
    db.selectFrom("complaints").selectAll().where("tenantId", "=", tenantId).where("status", "in", [...ESCALATABLE]).where(dueCondition(now, hours)).orderBy("createdAt").limit(100).execute(),
    db.selectFrom("complaints").selectAll().where("tenantId", "=", tenantId).where("assignedTo", "=", userId).where("status", "in", [...OPEN_COMPLAINT_STATUSES]).orderBy("createdAt").limit(100).execute(),
  ]);
  return {
    openByPriority: Object.fromEntries(byPriority.map((r) => [r.priority, Number(r.n)])),
    overdueForEscalation: overdue.map(toComplaint),
    mine: mine.map(toComplaint),
  };
}

/**
 * Resolutions as a knowledge base: resolved and closed complaints by category and by words of the
 * subject and resolution (complaints_kb_ft), best match first. Any word may match (OR, prefix), so
 * a whole complaint subject finds its neighbours; MATCH's relevance ranks those sharing more and
 * rarer words first. Only the columns the answer shows are read: nothing names the customer.
 */
export async function searchResolutions(
  db: DbOrTrx,
  tenantId: string,
  o: { category?: string | undefined; words: string[]; page: number; pageSize: number },
) {
  const against = o.words.map((w) => `${w}*`).join(" ");
  const match = sql<number>`MATCH(subject, resolution) AGAINST (${against} IN BOOLEAN MODE)`;
  let q = db.selectFrom("complaints").where("tenantId", "=", tenantId).where("status", "in", [...RESOLVED_COMPLAINT_STATUSES]);
  if (o.category) q = q.where("category", "=", o.category);
  if (o.words.length) q = q.where(sql<SqlBool>`${match}`);
  const [rows, count] = await Promise.all([
    q
      .select(["id", "complaintNumber", "category", "subject", "resolution", "compensationOffered", "resolvedAt", "customerSatisfied"])
      .select((o.words.length ? match : sql<number>`0`).as("relevance"))
      .orderBy("relevance", "desc")
      .orderBy("resolvedAt", "desc")
      .orderBy("id")
      .limit(o.pageSize)
      .offset((o.page - 1) * o.pageSize)
      .execute(),
    q.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return {
    items: rows.map((r) => ({ ...r, resolution: r.resolution ?? "", customerSatisfied: r.customerSatisfied === null ? null : Boolean(r.customerSatisfied) })),
    totalCount: Number(count.n),
  };
}

/** Where a sweep of one (status, priority) range of the escalation index has got to. */
export type EscalationCursor = { createdAt: Date; id: string };

/**
 * Escalates up to `limit` complaints of one status and priority opened at or before `cutoff`, in
 * index order after `after`, with their status history, audit rows and events. The rows are
 * locked and re-read as committed, so a concurrent sweep waits and then finds them escalated.
 * Not SKIP LOCKED: the cursor moves past a skipped row, and a neighbouring range's scan briefly
 * locks the first row of this one. The cursor matters for speed: escalating moves a row out of
 * this range, but its old index entry lingers until purge, and rescanning would wade through them.
 * History, audit and events are written by INSERT … SELECT from the batch: at 100,000 complaints,
 * building them as bound parameters in Node cost more than the database's own work.
 */
export async function escalateDueBatch(
  trx: DbOrTrx,
  o: {
    now: Date;
    status: string;
    priority: string;
    hours: number;
    limit: number;
    topic: string;
    after?: EscalationCursor;
    tenantId?: string;
    excludeTenants?: string[];
  },
): Promise<{ perTenant: Map<string, number>; last?: EscalationCursor }> {
  const cutoff = escalationCutoff(o.now, o.hours);
  const conditions = [sql`status = ${o.status}`, sql`priority = ${o.priority}`, sql`created_at <= ${cutoff}`];
  if (o.after) conditions.push(sql`(created_at > ${o.after.createdAt} OR (created_at = ${o.after.createdAt} AND id > ${o.after.id}))`);
  if (o.tenantId) conditions.push(sql`tenant_id = ${o.tenantId}`);
  if (o.excludeTenants?.length) conditions.push(sql`tenant_id NOT IN (${sql.join(o.excludeTenants)})`);
  // Forced: when most rows are due the optimizer prefers a table scan, which rereads escalated rows.
  const { rows } = await sql<{ id: string; tenantId: string; createdAt: Date }>`
    SELECT id, tenant_id, created_at FROM complaints FORCE INDEX (complaints_escalation_ix)
    WHERE ${sql.join(conditions, sql` AND `)}
    ORDER BY created_at, id LIMIT ${o.limit} FOR UPDATE`.execute(trx);
  const perTenant = new Map<string, number>();
  if (rows.length === 0) return { perTenant };
  const ids = rows.map((r) => r.id);
  await trx
    .updateTable("complaints")
    .set((eb) => ({
      previousStatus: eb.ref("status"),
      status: "Escalated",
      escalatedAt: o.now,
      escalatedBy: "system",
      lastModifiedAt: o.now,
      lastModifiedBy: "system",
      version: eb("version", "+", 1),
    }))
    .where("id", "in", ids)
    .where("status", "in", [...ESCALATABLE])
    .execute();
  const batch = sql`FROM complaints WHERE id IN (${sql.join(ids)}) AND escalated_at = ${o.now} AND escalated_by = 'system'`;
  await sql`
    INSERT INTO complaint_status_history (complaint_id, tenant_id, from_status, to_status, notes, changed_by, changed_at)
    SELECT id, tenant_id, previous_status, 'Escalated', ${`Escalated automatically: open longer than ${o.hours} h (${o.priority})`}, 'system', ${o.now}
    ${batch}`.execute(trx);
  // The same row appendAudit writes for a manual change, with the system as the actor.
  await sql`
    INSERT INTO audit_log (tenant_id, entity_type, entity_id, action, actor_id, occurred_at, changes, trace_id)
    SELECT tenant_id, 'Complaint', id, 'CustomerComplaintEscalated', 'system', ${o.now},
           JSON_OBJECT('status', JSON_OBJECT('from', previous_status, 'to', 'Escalated')), NULL
    ${batch}`.execute(trx);
  // The same event appendEvents would write: the envelope is rebuilt from these columns.
  await sql`
    INSERT INTO domain_events (id, tenant_id, aggregate_type, aggregate_id, aggregate_version, event_type, topic, payload, occurred_at, actor, published_at)
    SELECT UUID(), tenant_id, 'Complaint', id, version, 'CustomerComplaintEscalated', ${o.topic},
           JSON_OBJECT('complaintId', id, 'customerId', customer_id, 'complaintNumber', complaint_number, 'priority', priority,
                       'fromStatus', previous_status, 'automatic', TRUE,
                       'openHours', ROUND(TIMESTAMPDIFF(SECOND, created_at, ${o.now}) / 3600), 'escalatedAt', ${o.now.toISOString()}),
           ${o.now}, 'system', NULL
    ${batch}`.execute(trx);
  for (const r of rows) perTenant.set(r.tenantId, (perTenant.get(r.tenantId) ?? 0) + 1);
  const last = rows[rows.length - 1]!;
  return { perTenant, last: { createdAt: last.createdAt, id: last.id } };
}

/** Takes the tenant's escalated-but-unannounced complaints for one digest email. */
export async function claimEscalationDigest(db: DbOrTrx, tenantId: string, now: Date, limit = 1000) {
  const rows = await db
    .selectFrom("complaints")
    .select(["id", "complaintNumber", "priority", "subject", "createdAt", "escalatedAt"])
    .where("tenantId", "=", tenantId)
    .where("status", "=", "Escalated")
    .where("escalationNotifiedAt", "is", null)
    .orderBy("createdAt")
    .limit(limit)
    .forUpdate()
    .execute();
  if (rows.length) {
    await db.updateTable("complaints").set({ escalationNotifiedAt: now }).where("id", "in", rows.map((r) => r.id)).execute();
  }
  return rows;
}

export async function unclaimEscalationDigest(db: DbOrTrx, ids: string[]) {
  if (ids.length) await db.updateTable("complaints").set({ escalationNotifiedAt: null }).where("id", "in", ids).execute();
}
