import { sql, type Kysely } from "kysely";

/** Every change of a customer's rating (calculated, overridden, override cleared), with the factors that decided it. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("customer_rating_history")
    .addColumn("id", "bigint", (c) => c.autoIncrement().primaryKey())
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("customer_id", sql`char(36) character set ascii`, (c) => c.notNull())
    .addColumn("rating", "varchar(20)", (c) => c.notNull())
    .addColumn("calculated_rating", "varchar(20)", (c) => c.notNull())
    .addColumn("change", "varchar(20)", (c) => c.notNull())
    .addColumn("rule", "varchar(40)")
    .addColumn("factors", "json")
    .addColumn("reason", "varchar(500)")
    .addColumn("changed_by", "varchar(100)", (c) => c.notNull())
    .addColumn("changed_at", "datetime(3)", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("customer_rating_history_customer_ix").on("customer_rating_history").columns(["tenant_id", "customer_id", "id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("customer_rating_history").execute();
}
