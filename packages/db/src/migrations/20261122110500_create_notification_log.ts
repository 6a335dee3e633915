import { sql, type Kysely } from "kysely";

/**
 * One row per notification email (invite, reminder, assignment notice…), keyed by what it is
 * about, claimed before sending: a retried or duplicated job finds the row and sends nothing.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("notification_log")
    .addColumn("key", sql`varchar(200) character set ascii`, (c) => c.primaryKey())
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("kind", "varchar(50)", (c) => c.notNull())
    .addColumn("status", "varchar(20)", (c) => c.notNull())
    .addColumn("recipients", "integer", (c) => c.notNull())
    .addColumn("claimed_at", "datetime(3)", (c) => c.notNull())
    .addColumn("sent_at", "datetime(3)")
    .addColumn("failure_reason", "varchar(500)")
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("notification_log").execute();
}
