import { sql, type Kysely } from "kysely";

/**
 * Event attendance of a customer (issue 12): registered, attended, no-show, from the API or the
 * attendance-events stream. The idempotency key makes a repeat (a retried call, a redelivered
 * event) the same row; totalEvents counts the distinct events attended.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("customer_attendance")
    .addColumn("id", sql`char(36) character set ascii`, (c) => c.primaryKey())
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("customer_id", sql`char(36) character set ascii`, (c) => c.notNull())
    .addColumn("event_ref", "varchar(100)", (c) => c.notNull())
    .addColumn("event_name", "varchar(200)")
    .addColumn("status", "varchar(20)", (c) => c.notNull())
    .addColumn("occurred_at", "datetime(3)", (c) => c.notNull())
    .addColumn("idempotency_key", "varchar(100)", (c) => c.notNull())
    .addColumn("source", "varchar(10)", (c) => c.notNull())
    .addColumn("created_at", "datetime(3)", (c) => c.notNull())
    .addColumn("created_by", "varchar(100)", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("customer_attendance_idempotency_ux").on("customer_attendance").columns(["tenant_id", "idempotency_key"]).unique().execute();
  await db.schema.createIndex("customer_attendance_customer_ix").on("customer_attendance").columns(["tenant_id", "customer_id", "occurred_at"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("customer_attendance").execute();
}
