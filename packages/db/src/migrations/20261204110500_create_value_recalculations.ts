import { sql, type Kysely } from "kysely";

/**
 * A loyalty recalculation run of one tenant (monthly, or on demand by an Admin). It walks the
 * tenant's customers in id order a chunk per transaction; `last_customer_id` (the last one done) commits with
 * each chunk, so a crashed run resumes after it. A monthly run is unique per tenant and month (an on-demand run's period is its own id).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("value_recalculations")
    .addColumn("id", sql`char(36) character set ascii`, (c) => c.primaryKey())
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("kind", "varchar(20)", (c) => c.notNull())
    .addColumn("period", "varchar(64)", (c) => c.notNull())
    .addColumn("status", "varchar(20)", (c) => c.notNull())
    .addColumn("as_of", "datetime(3)", (c) => c.notNull())
    .addColumn("last_customer_id", sql`char(36) character set ascii`)
    .addColumn("total", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("processed", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("changed", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("failure_reason", "varchar(500)")
    .addColumn("created_by", "varchar(100)", (c) => c.notNull())
    .addColumn("created_at", "datetime(3)", (c) => c.notNull())
    .addColumn("started_at", "datetime(3)")
    .addColumn("completed_at", "datetime(3)")
    .execute();
  await db.schema.createIndex("value_recalculations_period_ux").on("value_recalculations").columns(["tenant_id", "kind", "period"]).unique().execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("value_recalculations").execute();
}
