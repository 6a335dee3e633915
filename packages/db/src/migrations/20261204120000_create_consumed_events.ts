import { sql, type Kysely } from "kysely";

/**
 * Which events each stream consumer group has applied: the row is inserted in the handler's own
 * transaction, so an event delivered again (at-least-once streams) is skipped, not applied twice.
 * Rows only need to outlive redelivery; the consumer deletes them after a retention period, by
 * consumed_at.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("consumed_events")
    .addColumn("consumer_group", sql`varchar(100) character set ascii`, (c) => c.notNull())
    .addColumn("event_id", sql`varchar(100) character set ascii`, (c) => c.notNull())
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("consumed_at", "datetime(3)", (c) => c.notNull())
    .addPrimaryKeyConstraint("consumed_events_pk", ["consumer_group", "event_id"])
    .execute();
  await db.schema.createIndex("consumed_events_consumed_at_ix").on("consumed_events").column("consumed_at").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("consumed_events").execute();
}
