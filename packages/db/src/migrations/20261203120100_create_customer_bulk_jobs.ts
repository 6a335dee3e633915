import { sql, type Kysely } from "kysely";

/**
 * A bulk operation over many customers, run by the worker: its selection is frozen into
 * `customer_bulk_items` when submitted, so the checkpoint (`processed`) is an index into a list
 * that never moves; each item's result is written in the item's own transaction.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("customer_bulk_jobs")
    .addColumn("id", sql`char(36) character set ascii`, (c) => c.primaryKey())
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("operation", "varchar(20)", (c) => c.notNull())
    .addColumn("status", "varchar(20)", (c) => c.notNull())
    .addColumn("options", "json", (c) => c.notNull())
    .addColumn("total", "integer", (c) => c.notNull())
    .addColumn("processed", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("succeeded", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("failed", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("failure_reason", "varchar(500)")
    .addColumn("created_by", "varchar(100)", (c) => c.notNull())
    .addColumn("created_at", "datetime(3)", (c) => c.notNull())
    .addColumn("completed_at", "datetime(3)")
    .execute();
  await db.schema.createIndex("customer_bulk_jobs_tenant_ix").on("customer_bulk_jobs").columns(["tenant_id", "created_at"]).execute();
  await db.schema
    .createTable("customer_bulk_items")
    .addColumn("job_id", sql`char(36) character set ascii`, (c) => c.notNull().references("customer_bulk_jobs.id").onDelete("cascade"))
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("customer_id", sql`char(36) character set ascii`, (c) => c.notNull())
    // NULL until processed; then "ok" or the error code, with its message.
    .addColumn("outcome", "varchar(20)")
    .addColumn("message", "varchar(500)")
    .addPrimaryKeyConstraint("customer_bulk_items_pk", ["job_id", "position"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("customer_bulk_items").execute();
  await db.schema.dropTable("customer_bulk_jobs").execute();
}
