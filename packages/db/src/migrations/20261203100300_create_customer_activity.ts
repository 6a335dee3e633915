import { sql, type Kysely } from "kysely";

/**
 * A customer's last interaction, in a row of its own: every communication, call, meeting,
 * complaint and testimonial moves it forward, and keeping it off the customers row means those
 * writes never contend with the customer's own updates (nor bump its version).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("customer_activity")
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("customer_id", sql`char(36) character set ascii`, (c) => c.primaryKey())
    .addColumn("last_activity_at", "datetime(3)", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("customer_activity_tenant_at_ix").on("customer_activity").columns(["tenant_id", "last_activity_at"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("customer_activity").execute();
}
