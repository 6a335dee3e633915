import { sql, type Kysely } from "kysely";

/**
 * Tracked events counted per customer, day (UTC), type and CUSTOM name ('' otherwise), maintained
 * by the ingest worker in the insert's transaction; segments (issue 13 contract) and analytics read
 * these, never the raw events. The (tenant, day) index answers "active customers" per day or month.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("customer_event_rollups")
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("customer_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("day", "date", (c) => c.notNull())
    .addColumn("event_type", sql`varchar(40) character set ascii`, (c) => c.notNull())
    .addColumn("name", "varchar(100)", (c) => c.notNull().defaultTo(""))
    .addColumn("count", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("customer_event_rollups_pk", ["tenant_id", "customer_id", "day", "event_type", "name"])
    .execute();
  await db.schema.createIndex("customer_event_rollups_day_ix").on("customer_event_rollups").columns(["tenant_id", "day", "customer_id"]).execute();
  // Last seen per customer (analytics): one row each, moved forward only (GREATEST) by the worker.
  await db.schema
    .createTable("customer_last_seen")
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("customer_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("last_seen_at", "datetime(3)", (c) => c.notNull())
    .addPrimaryKeyConstraint("customer_last_seen_pk", ["tenant_id", "customer_id"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("customer_last_seen").execute();
  await db.schema.dropTable("customer_event_rollups").execute();
}
