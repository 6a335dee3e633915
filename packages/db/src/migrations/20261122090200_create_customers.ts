import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("customers")
    .addColumn("id", sql`char(36) character set ascii`, (c) => c.primaryKey())
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("customer_number", sql`varchar(20) character set ascii`, (c) => c.notNull())
    .addColumn("type", "varchar(20)", (c) => c.notNull())
    .addColumn("company_name", "varchar(200)", (c) => c.notNull())
    .addColumn("first_name", "varchar(100)")
    .addColumn("last_name", "varchar(100)")
    .addColumn("industry", "varchar(100)")
    .addColumn("website", "varchar(255)")
    .addColumn("segment", "varchar(20)", (c) => c.notNull().defaultTo("Standard"))
    .addColumn("lifetime_value", "decimal(18, 2)", (c) => c.notNull().defaultTo(0))
    .addColumn("total_events", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("rating", "varchar(20)", (c) => c.notNull().defaultTo("Unrated"))
    .addColumn("status", "varchar(20)", (c) => c.notNull().defaultTo("Active"))
    .addColumn("primary_email", "varchar(255)", (c) => c.notNull())
    .addColumn("secondary_email", "varchar(255)")
    .addColumn("primary_phone", "varchar(20)", (c) => c.notNull())
    .addColumn("secondary_phone", "varchar(20)")
    .addColumn("billing_street", "varchar(255)", (c) => c.notNull())
    .addColumn("billing_city", "varchar(100)", (c) => c.notNull())
    .addColumn("billing_state", "varchar(100)", (c) => c.notNull())
    .addColumn("billing_zip_code", "varchar(20)", (c) => c.notNull())
    .addColumn("billing_country", sql`char(2) character set ascii`, (c) => c.notNull())
    .addColumn("shipping_street", "varchar(255)")
    .addColumn("shipping_city", "varchar(100)")
    .addColumn("shipping_state", "varchar(100)")
    .addColumn("shipping_zip_code", "varchar(20)")
    .addColumn("shipping_country", sql`char(2) character set ascii`)
    .addColumn("preferences", "json", (c) => c.notNull())
    .addColumn("is_deleted", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("deleted_at", "datetime(3)")
    .addColumn("deleted_by", "varchar(100)")
    .addColumn("status_reason", "varchar(500)")
    .addColumn("created_at", "datetime(3)", (c) => c.notNull())
    .addColumn("created_by", "varchar(100)", (c) => c.notNull())
    .addColumn("last_modified_at", "datetime(3)")
    .addColumn("last_modified_by", "varchar(100)")
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .addUniqueConstraint("customers_tenant_number_uq", ["tenant_id", "customer_number"])
    .modifyEnd(sql`default charset = utf8mb4 collate = utf8mb4_unicode_ci`)
    .execute();

  // REQ-CUS-046 indexes, each led by tenant_id since every query is tenant-scoped.
  await db.schema
    .createIndex("customers_tenant_status_type_ix")
    .on("customers")
    .columns(["tenant_id", "is_deleted", "status", "type"])
    .execute();
  await db.schema.createIndex("customers_tenant_email_ix").on("customers").columns(["tenant_id", "primary_email"]).execute();
  await db.schema
    .createIndex("customers_tenant_name_ix")
    .on("customers")
    .columns(["tenant_id", "is_deleted", "company_name"])
    .execute();
  await db.schema
    .createIndex("customers_tenant_created_ix")
    .on("customers")
    .columns(["tenant_id", "is_deleted", "created_at"])
    .execute();

  // Word search over name and email. Stopwords are off so "com", "the" or "will" stay findable;
  // the setting is read when the index is built, so it must run on the same connection.
  await db.connection().execute(async (conn) => {
    await sql`SET SESSION innodb_ft_enable_stopword = OFF`.execute(conn);
    await sql`CREATE FULLTEXT INDEX customers_search_ft ON customers (company_name, primary_email)`.execute(conn);
  });
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("customers").execute();
}
