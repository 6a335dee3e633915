import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("message_templates")
    .addColumn("id", sql`char(36) character set ascii`, (c) => c.primaryKey())
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("name", "varchar(200)", (c) => c.notNull())
    .addColumn("channel", "varchar(10)", (c) => c.notNull())
    .addColumn("purpose", "varchar(20)", (c) => c.notNull())
    .addColumn("subject", "varchar(500)")
    .addColumn("body_text", sql`mediumtext`)
    .addColumn("body_html", sql`mediumtext`)
    .addColumn("status", "varchar(20)", (c) => c.notNull())
    .addColumn("created_at", "datetime(3)", (c) => c.notNull())
    .addColumn("created_by", "varchar(100)", (c) => c.notNull())
    .addColumn("last_modified_at", "datetime(3)")
    .addColumn("last_modified_by", "varchar(100)")
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .modifyEnd(sql`default charset = utf8mb4 collate = utf8mb4_unicode_ci`)
    .execute();
  await db.schema.createIndex("message_templates_tenant_ix").on("message_templates").columns(["tenant_id", "status", "name"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("message_templates").execute();
}
