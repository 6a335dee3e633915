import { sql, type Kysely } from "kysely";

/** One row per tag, so "contacts tagged x" is an index range, not a scan of JSON. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("contact_tags")
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("contact_id", sql`char(36) character set ascii`, (c) => c.notNull().references("contacts.id").onDelete("cascade"))
    .addColumn("tag", sql`varchar(50) character set ascii`, (c) => c.notNull())
    .addPrimaryKeyConstraint("contact_tags_pk", ["contact_id", "tag"])
    .execute();
  await db.schema.createIndex("contact_tags_tenant_tag_ix").on("contact_tags").columns(["tenant_id", "tag", "contact_id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("contact_tags").execute();
}
