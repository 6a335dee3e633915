import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("contact_imports")
    .addColumn("id", sql`char(36) character set ascii`, (c) => c.primaryKey())
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("status", "varchar(20)", (c) => c.notNull())
    .addColumn("format", "varchar(10)", (c) => c.notNull())
    .addColumn("mode", "varchar(10)", (c) => c.notNull())
    .addColumn("dry_run", "boolean", (c) => c.notNull())
    .addColumn("options", "json", (c) => c.notNull())
    .addColumn("file_key", sql`varchar(255) character set ascii`, (c) => c.notNull())
    .addColumn("file_name", "varchar(255)")
    .addColumn("total_rows", "integer", (c) => c.notNull())
    // The checkpoint: rows before it are committed together with their contacts and errors.
    .addColumn("processed_rows", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("imported_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("updated_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("failed_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("failure_reason", "varchar(500)")
    .addColumn("created_by", "varchar(100)", (c) => c.notNull())
    .addColumn("created_at", "datetime(3)", (c) => c.notNull())
    .addColumn("started_at", "datetime(3)")
    .addColumn("completed_at", "datetime(3)")
    .execute();
  await db.schema.createIndex("contact_imports_tenant_ix").on("contact_imports").columns(["tenant_id", "created_at"]).execute();
  await db.schema
    .createTable("contact_import_errors")
    .addColumn("id", "bigint", (c) => c.primaryKey().autoIncrement())
    .addColumn("import_id", sql`char(36) character set ascii`, (c) => c.notNull().references("contact_imports.id").onDelete("cascade"))
    .addColumn("row_number", "integer", (c) => c.notNull())
    .addColumn("field", "varchar(100)", (c) => c.notNull())
    .addColumn("reason", "varchar(500)", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("contact_import_errors_import_ix").on("contact_import_errors").columns(["import_id", "row_number"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("contact_import_errors").execute();
  await db.schema.dropTable("contact_imports").execute();
}
