import { sql, type Kysely } from "kysely";

/** The outbox and the event store in one: rows are written with the change, relayed, then kept. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("domain_events")
    .addColumn("seq", "bigint", (c) => c.primaryKey().autoIncrement())
    // Not indexed: nothing looks an event up by id (consumers dedupe on it), and a random-UUID
    // index would cost every batch of events a random B-tree insert per row.
    .addColumn("id", sql`char(36) character set ascii`, (c) => c.notNull())
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("aggregate_type", "varchar(50)", (c) => c.notNull())
    .addColumn("aggregate_id", sql`char(36) character set ascii`, (c) => c.notNull())
    .addColumn("aggregate_version", "integer", (c) => c.notNull())
    .addColumn("event_type", "varchar(100)", (c) => c.notNull())
    .addColumn("topic", "varchar(50)", (c) => c.notNull())
    // Text, not JSON: we write the envelope ourselves, and MariaDB's JSON is a text column with a
    // json_valid() check that re-parses every event on insert.
    .addColumn("payload", sql`mediumtext`, (c) => c.notNull())
    .addColumn("occurred_at", "datetime(3)", (c) => c.notNull())
    .addColumn("actor", "varchar(100)", (c) => c.notNull())
    .addColumn("published_at", "datetime(3)")
    .execute();
  await db.schema.createIndex("domain_events_unpublished_ix").on("domain_events").columns(["published_at", "seq"]).execute();
  await db.schema
    .createIndex("domain_events_aggregate_ix")
    .on("domain_events")
    .columns(["tenant_id", "aggregate_id", "seq"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("domain_events").execute();
}
