import { sql, type Kysely } from "kysely";

/** One row per interaction (email, SMS, call, meeting): the communication history of REQ-CUS-025. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("communications")
    .addColumn("id", sql`char(36) character set ascii`, (c) => c.primaryKey())
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("customer_id", sql`char(36) character set ascii`, (c) => c.notNull().references("customers.id").onDelete("cascade"))
    .addColumn("type", "varchar(20)", (c) => c.notNull())
    .addColumn("purpose", "varchar(20)", (c) => c.notNull())
    .addColumn("direction", "varchar(10)", (c) => c.notNull())
    .addColumn("status", "varchar(20)", (c) => c.notNull())
    .addColumn("subject", "varchar(500)")
    .addColumn("body_text", sql`mediumtext`)
    .addColumn("body_html", sql`mediumtext`)
    .addColumn("recipient_email", "varchar(255)")
    .addColumn("recipient_phone", "varchar(20)")
    .addColumn("template_id", sql`char(36) character set ascii`)
    .addColumn("attachments", "json")
    .addColumn("segments", "integer")
    .addColumn("encoding", "varchar(10)")
    .addColumn("provider_message_id", sql`varchar(255) character set ascii`)
    .addColumn("failure_reason", "varchar(500)")
    .addColumn("duration_seconds", "integer")
    .addColumn("scheduled_start", "datetime(3)")
    .addColumn("scheduled_end", "datetime(3)")
    .addColumn("location", "varchar(255)")
    .addColumn("meeting_link", "varchar(500)")
    .addColumn("is_virtual", "boolean")
    .addColumn("attendees", "json")
    .addColumn("reminder_minutes", "json")
    .addColumn("sequence", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("notes", "text")
    .addColumn("occurred_at", "datetime(3)", (c) => c.notNull())
    .addColumn("created_at", "datetime(3)", (c) => c.notNull())
    .addColumn("created_by", "varchar(100)", (c) => c.notNull())
    .addColumn("sending_started_at", "datetime(3)")
    .addColumn("sent_at", "datetime(3)")
    .addColumn("delivered_at", "datetime(3)")
    .addColumn("status_changed_at", "datetime(3)")
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .modifyEnd(sql`default charset = utf8mb4 collate = utf8mb4_unicode_ci`)
    .execute();
  await db.schema.createIndex("communications_history_ix").on("communications").columns(["tenant_id", "customer_id", "occurred_at"]).execute();
  await db.schema.createIndex("communications_type_ix").on("communications").columns(["tenant_id", "customer_id", "type", "occurred_at"]).execute();
  await db.schema.createIndex("communications_provider_ix").on("communications").columns(["provider_message_id"]).execute();
  await db.schema.createIndex("communications_status_ix").on("communications").columns(["status", "created_at"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("communications").execute();
}
