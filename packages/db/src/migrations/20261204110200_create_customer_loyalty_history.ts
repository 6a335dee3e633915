import { sql, type Kysely } from "kysely";

/** Every change of a customer's loyalty tier, with the trailing spend that decided it and the run that made it. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("customer_loyalty_history")
    .addColumn("id", "bigint", (c) => c.autoIncrement().primaryKey())
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("customer_id", sql`char(36) character set ascii`, (c) => c.notNull())
    .addColumn("from_tier", "varchar(30)")
    .addColumn("to_tier", "varchar(30)", (c) => c.notNull())
    .addColumn("spend", "decimal(18, 2)", (c) => c.notNull())
    .addColumn("run_id", sql`char(36) character set ascii`, (c) => c.notNull())
    .addColumn("changed_at", "datetime(3)", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("customer_loyalty_history_customer_ix").on("customer_loyalty_history").columns(["tenant_id", "customer_id", "id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("customer_loyalty_history").execute();
}
