import { sql, type Kysely } from "kysely";

/**
 * One row per customer merge (issue 10 §4): the source's pointer to its target, the options, and
 * every record moved with the version it had once moved, so an undo can tell whether it changed
 * since. `moved` can list thousands of communications, hence mediumtext rather than a table per
 * kind: it is written once, read whole by an undo, and never queried into.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("customer_merges")
    .addColumn("id", sql`char(36) character set ascii`, (c) => c.primaryKey())
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("source_customer_id", sql`char(36) character set ascii`, (c) => c.notNull().references("customers.id").onDelete("cascade"))
    .addColumn("target_customer_id", sql`char(36) character set ascii`, (c) => c.notNull().references("customers.id").onDelete("cascade"))
    .addColumn("options", "json", (c) => c.notNull())
    .addColumn("field_choices", "json", (c) => c.notNull())
    .addColumn("moved", sql`mediumtext`, (c) => c.notNull())
    .addColumn("dropped_contacts", "json", (c) => c.notNull())
    .addColumn("tags_added", "json", (c) => c.notNull())
    .addColumn("target_fields", "json", (c) => c.notNull())
    .addColumn("source_before", "json", (c) => c.notNull())
    .addColumn("source_version", "integer", (c) => c.notNull())
    .addColumn("merged_at", "datetime(3)", (c) => c.notNull())
    .addColumn("merged_by", "varchar(100)", (c) => c.notNull())
    .addColumn("undone_at", "datetime(3)")
    .addColumn("undone_by", "varchar(100)")
    .modifyEnd(sql`default charset = utf8mb4 collate = utf8mb4_unicode_ci`)
    .execute();
  // "Where did this customer go?" (a read of a merged source) and "what was merged into it?".
  await db.schema.createIndex("customer_merges_source_ix").on("customer_merges").columns(["tenant_id", "source_customer_id", "merged_at"]).execute();
  await db.schema.createIndex("customer_merges_target_ix").on("customer_merges").columns(["tenant_id", "target_customer_id", "merged_at"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("customer_merges").execute();
}
