import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("contacts")
    .addColumn("id", sql`char(36) character set ascii`, (c) => c.primaryKey())
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("customer_id", sql`char(36) character set ascii`, (c) => c.notNull().references("customers.id").onDelete("cascade"))
    .addColumn("first_name", "varchar(100)", (c) => c.notNull())
    .addColumn("last_name", "varchar(100)", (c) => c.notNull())
    .addColumn("email", "varchar(255)", (c) => c.notNull())
    .addColumn("phone", "varchar(20)")
    .addColumn("position", "varchar(100)")
    .addColumn("is_primary", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("status", "varchar(20)", (c) => c.notNull().defaultTo("Active"))
    .addColumn("removed_at", "datetime(3)")
    .addColumn("removed_by", "varchar(100)")
    .addColumn("removal_reason", "varchar(500)")
    .addColumn("created_at", "datetime(3)", (c) => c.notNull())
    .addColumn("created_by", "varchar(100)", (c) => c.notNull())
    .addColumn("last_modified_at", "datetime(3)")
    .addColumn("last_modified_by", "varchar(100)")
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    // NULL for removed contacts, so the unique key below only binds active ones.
    .addColumn("active_email", "varchar(255)", (c) => c.generatedAlwaysAs(sql`IF(status = 'Active', email, NULL)`).stored())
    .addUniqueConstraint("contacts_customer_active_email_uq", ["customer_id", "active_email"])
    .modifyEnd(sql`default charset = utf8mb4 collate = utf8mb4_unicode_ci`)
    .execute();
  await db.schema.createIndex("contacts_tenant_customer_ix").on("contacts").columns(["tenant_id", "customer_id", "status"]).execute();
  await db.schema.createIndex("contacts_tenant_email_ix").on("contacts").columns(["tenant_id", "email"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("contacts").execute();
}
