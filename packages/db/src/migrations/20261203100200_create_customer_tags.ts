import { sql, type Kysely } from "kysely";

/** Customer-level tags, one row per tag (as contact_tags), so "customers tagged x" is an index range. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("customer_tags")
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("customer_id", sql`char(36) character set ascii`, (c) => c.notNull())
    .addColumn("tag", sql`varchar(50) character set ascii`, (c) => c.notNull())
    .addPrimaryKeyConstraint("customer_tags_pk", ["tenant_id", "customer_id", "tag"])
    .execute();
  await db.schema.createIndex("customer_tags_tenant_tag_ix").on("customer_tags").columns(["tenant_id", "tag", "customer_id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("customer_tags").execute();
}
