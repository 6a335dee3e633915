import { sql, type Kysely } from "kysely";

/** REQ-CUS-030/031: testimonials with their approval decision; content is stored already masked. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("testimonials")
    .addColumn("id", sql`char(36) character set ascii`, (c) => c.primaryKey())
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("customer_id", sql`char(36) character set ascii`, (c) => c.notNull().references("customers.id").onDelete("cascade"))
    .addColumn("content", "text", (c) => c.notNull())
    .addColumn("rating", sql`tinyint`, (c) => c.notNull().check(sql`rating between 1 and 5`))
    .addColumn("related_event_id", sql`char(36) character set ascii`)
    .addColumn("is_public", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("status", "varchar(20)", (c) => c.notNull())
    .addColumn("contains_profanity", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("author_name", "varchar(200)", (c) => c.notNull())
    .addColumn("approved_by", "varchar(100)")
    .addColumn("approved_at", "datetime(3)")
    .addColumn("rejected_by", "varchar(100)")
    .addColumn("rejected_at", "datetime(3)")
    .addColumn("rejection_reason", "varchar(500)")
    .addColumn("created_at", "datetime(3)", (c) => c.notNull())
    .addColumn("created_by", "varchar(100)", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .modifyEnd(sql`default charset = utf8mb4 collate = utf8mb4_unicode_ci`)
    .execute();
  await db.schema.createIndex("testimonials_customer_ix").on("testimonials").columns(["tenant_id", "customer_id", "created_at"]).execute();
  // The public website list: a tenant's approved, public testimonials, newest approval first.
  await db.schema.createIndex("testimonials_public_ix").on("testimonials").columns(["tenant_id", "status", "is_public", "approved_at"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("testimonials").execute();
}
