import { sql, type Kysely } from "kysely";

/** Issue 12: every segment change with its reason (auto, override, cleared); the daily digest reads a day of them. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("customer_segment_history")
    .addColumn("id", "bigint", (c) => c.primaryKey().autoIncrement())
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("customer_id", sql`char(36) character set ascii`, (c) => c.notNull())
    .addColumn("from_segment", "varchar(20)", (c) => c.notNull())
    .addColumn("to_segment", "varchar(20)", (c) => c.notNull())
    .addColumn("reason", sql`varchar(10) character set ascii`, (c) => c.notNull())
    .addColumn("note", "varchar(500)")
    .addColumn("changed_by", "varchar(100)", (c) => c.notNull())
    .addColumn("changed_at", "datetime(3)", (c) => c.notNull())
    .modifyEnd(sql`default charset = utf8mb4 collate = utf8mb4_unicode_ci`)
    .execute();
  await db.schema
    .createIndex("customer_segment_history_customer_ix")
    .on("customer_segment_history")
    .columns(["tenant_id", "customer_id", "changed_at"])
    .execute();
  await db.schema.createIndex("customer_segment_history_day_ix").on("customer_segment_history").columns(["tenant_id", "changed_at"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("customer_segment_history").execute();
}
