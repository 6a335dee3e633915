import { sql, type Kysely } from "kysely";

/**
 * Users as their tokens describe them (we keep no passwords): who can be assigned work and where
 * to email them. Files: uploads (e.g. email attachments) kept in the storage port.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("users")
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("id", "varchar(100)", (c) => c.notNull())
    .addColumn("name", "varchar(200)")
    .addColumn("email", "varchar(255)")
    .addColumn("roles", "json", (c) => c.notNull())
    .addColumn("last_seen_at", "datetime(3)", (c) => c.notNull())
    .addPrimaryKeyConstraint("users_pk", ["tenant_id", "id"])
    .modifyEnd(sql`default charset = utf8mb4 collate = utf8mb4_unicode_ci`)
    .execute();
  await db.schema
    .createTable("files")
    .addColumn("id", sql`char(36) character set ascii`, (c) => c.primaryKey())
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("storage_key", sql`varchar(255) character set ascii`, (c) => c.notNull())
    .addColumn("file_name", "varchar(255)", (c) => c.notNull())
    .addColumn("content_type", "varchar(150)", (c) => c.notNull())
    .addColumn("size", "integer", (c) => c.notNull())
    .addColumn("purpose", "varchar(50)", (c) => c.notNull())
    .addColumn("created_at", "datetime(3)", (c) => c.notNull())
    .addColumn("created_by", "varchar(100)", (c) => c.notNull())
    .modifyEnd(sql`default charset = utf8mb4 collate = utf8mb4_unicode_ci`)
    .execute();
  await db.schema.createIndex("files_tenant_ix").on("files").columns(["tenant_id", "created_at"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("files").execute();
  await db.schema.dropTable("users").execute();
}
