import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("contact_exports")
    .addColumn("id", sql`char(36) character set ascii`, (c) => c.primaryKey())
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("status", "varchar(20)", (c) => c.notNull())
    .addColumn("format", "varchar(10)", (c) => c.notNull())
    .addColumn("options", "json", (c) => c.notNull())
    .addColumn("record_count", "integer")
    .addColumn("file_key", sql`varchar(255) character set ascii`)
    .addColumn("failure_reason", "varchar(500)")
    .addColumn("created_by", "varchar(100)", (c) => c.notNull())
    .addColumn("created_at", "datetime(3)", (c) => c.notNull())
    .addColumn("completed_at", "datetime(3)")
    .execute();
  await db.schema.createIndex("contact_exports_tenant_ix").on("contact_exports").columns(["tenant_id", "created_at"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("contact_exports").execute();
}
