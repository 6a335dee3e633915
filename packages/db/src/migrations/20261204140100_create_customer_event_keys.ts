import { sql, type Kysely } from "kysely";

/**
 * The client event ids already stored, per tenant: a client replaying an event (a retry after a
 * timeout) stores it once, whatever occurred_at it sends. Kept as long as the events (retention job).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("customer_event_keys")
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("client_event_id", sql`varchar(100)`, (c) => c.notNull())
    .addColumn("received_at", "datetime(3)", (c) => c.notNull())
    .addPrimaryKeyConstraint("customer_event_keys_pk", ["tenant_id", "client_event_id"])
    .execute();
  await db.schema.createIndex("customer_event_keys_received_ix").on("customer_event_keys").column("received_at").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("customer_event_keys").execute();
}
