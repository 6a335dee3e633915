import { sql, type Kysely } from "kysely";

/**
 * Inactivity flags (003 BR-6), a row per flagged customer: the daily job writes them and every
 * new activity deletes its customer's row (touchCustomerActivity), so an interaction never locks
 * the customers row. The (tenant, flag, since) index serves the paged review list.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("customer_inactivity")
    .addColumn("customer_id", sql`char(36) character set ascii`, (c) => c.primaryKey())
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("flag", "varchar(20)", (c) => c.notNull())
    .addColumn("since", "datetime(3)", (c) => c.notNull())
    .addColumn("last_activity_at", "datetime(3)", (c) => c.notNull())
    .addColumn("had_activity", "boolean", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("customer_inactivity_list_ix").on("customer_inactivity").columns(["tenant_id", "flag", "last_activity_at", "customer_id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("customer_inactivity").execute();
}
