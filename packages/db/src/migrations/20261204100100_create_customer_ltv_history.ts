import { sql, type Kysely } from "kysely";

/** Issue 12: every change of a customer's lifetime value (the trend chart's points), with the transaction that made it. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("customer_ltv_history")
    .addColumn("id", "bigint", (c) => c.primaryKey().autoIncrement())
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("customer_id", sql`char(36) character set ascii`, (c) => c.notNull())
    .addColumn("at", "datetime(3)", (c) => c.notNull())
    .addColumn("lifetime_value", "decimal(18, 2)", (c) => c.notNull())
    .addColumn("delta", "decimal(18, 2)", (c) => c.notNull())
    .addColumn("transaction_id", sql`char(36) character set ascii`)
    .execute();
  await db.schema
    .createIndex("customer_ltv_history_customer_ix")
    .on("customer_ltv_history")
    .columns(["tenant_id", "customer_id", "at", "id"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("customer_ltv_history").execute();
}
