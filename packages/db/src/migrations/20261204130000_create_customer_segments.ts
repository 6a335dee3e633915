import { sql, type Kysely } from "kysely";

/**
 * Issue 13 §1: rule-based (dynamic) and hand-kept (static) segments. A deleted segment keeps its
 * row (deleted_at) so its membership history stays readable; its name is free again: the unique
 * key `active_name` is NULL once deleted. The calculation's progress lives on the row.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("customer_segments")
    .addColumn("id", sql`char(36) character set ascii`, (c) => c.primaryKey())
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("name", "varchar(200)", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("rule_id", "varchar(100)")
    .addColumn("kind", sql`varchar(10) character set ascii`, (c) => c.notNull())
    .addColumn("criteria", "json")
    .addColumn("status", sql`varchar(20) character set ascii`, (c) => c.notNull())
    .addColumn("customer_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_calculated_at", "datetime(3)")
    .addColumn("calc_total", "integer")
    .addColumn("calc_done", "integer")
    .addColumn("calc_error", "varchar(500)")
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("created_by", "varchar(100)", (c) => c.notNull())
    .addColumn("created_at", "datetime(3)", (c) => c.notNull())
    .addColumn("updated_by", "varchar(100)")
    .addColumn("updated_at", "datetime(3)")
    .addColumn("deleted_by", "varchar(100)")
    .addColumn("deleted_at", "datetime(3)")
    .modifyEnd(sql`default charset = utf8mb4 collate = utf8mb4_unicode_ci`)
    .execute();
  await sql`alter table customer_segments add column active_name varchar(200) as (if(deleted_at is null, name, null)) stored`.execute(db);
  await db.schema.createIndex("customer_segments_tenant_name_ux").unique().on("customer_segments").columns(["tenant_id", "active_name"]).execute();
  await db.schema.createIndex("customer_segments_tenant_kind_ix").on("customer_segments").columns(["tenant_id", "deleted_at", "kind", "status"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("customer_segments").execute();
}
