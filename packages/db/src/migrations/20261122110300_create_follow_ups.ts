import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("follow_ups")
    .addColumn("id", sql`char(36) character set ascii`, (c) => c.primaryKey())
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("customer_id", sql`char(36) character set ascii`, (c) => c.notNull().references("customers.id").onDelete("cascade"))
    .addColumn("subject", "varchar(500)", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("due_date", "datetime(3)", (c) => c.notNull())
    .addColumn("priority", "varchar(10)", (c) => c.notNull())
    .addColumn("status", "varchar(20)", (c) => c.notNull())
    .addColumn("assigned_to", "varchar(100)")
    .addColumn("completed_at", "datetime(3)")
    .addColumn("completed_by", "varchar(100)")
    .addColumn("created_at", "datetime(3)", (c) => c.notNull())
    .addColumn("created_by", "varchar(100)", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .modifyEnd(sql`default charset = utf8mb4 collate = utf8mb4_unicode_ci`)
    .execute();
  await db.schema.createIndex("follow_ups_assignee_ix").on("follow_ups").columns(["tenant_id", "assigned_to", "status", "due_date"]).execute();
  await db.schema.createIndex("follow_ups_customer_ix").on("follow_ups").columns(["tenant_id", "customer_id", "due_date"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("follow_ups").execute();
}
