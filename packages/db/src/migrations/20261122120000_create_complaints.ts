import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("complaints")
    .addColumn("id", sql`char(36) character set ascii`, (c) => c.primaryKey())
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("customer_id", sql`char(36) character set ascii`, (c) => c.notNull().references("customers.id").onDelete("cascade"))
    .addColumn("complaint_number", sql`varchar(30) character set ascii`, (c) => c.notNull())
    .addColumn("subject", "varchar(500)", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("category", "varchar(100)")
    .addColumn("priority", "varchar(10)", (c) => c.notNull())
    .addColumn("status", "varchar(20)", (c) => c.notNull())
    .addColumn("previous_status", "varchar(20)")
    .addColumn("related_event_id", sql`char(36) character set ascii`)
    .addColumn("assigned_to", "varchar(100)")
    .addColumn("attachments", "json")
    .addColumn("resolution", "text")
    .addColumn("resolved_by", "varchar(100)")
    .addColumn("resolved_at", "datetime(3)")
    .addColumn("resolution_time_hours", "integer")
    .addColumn("compensation_offered", "text")
    .addColumn("customer_satisfied", "boolean")
    .addColumn("escalated_at", "datetime(3)")
    .addColumn("escalated_by", "varchar(100)")
    .addColumn("escalation_notified_at", "datetime(3)")
    .addColumn("created_at", "datetime(3)", (c) => c.notNull())
    .addColumn("created_by", "varchar(100)", (c) => c.notNull())
    .addColumn("last_modified_at", "datetime(3)")
    .addColumn("last_modified_by", "varchar(100)")
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .addUniqueConstraint("complaints_tenant_number_uq", ["tenant_id", "complaint_number"])
    .modifyEnd(sql`default charset = utf8mb4 collate = utf8mb4_unicode_ci`)
    .execute();
  // The escalation sweep's range scan: open complaints by priority, oldest first.
  await db.schema.createIndex("complaints_escalation_ix").on("complaints").columns(["status", "priority", "created_at"]).execute();
  await db.schema.createIndex("complaints_customer_ix").on("complaints").columns(["tenant_id", "customer_id", "created_at"]).execute();
  await db.schema.createIndex("complaints_tenant_status_ix").on("complaints").columns(["tenant_id", "status", "priority"]).execute();
  // Without status: an escalation sweep changes status, and each index holding it costs every row.
  await db.schema.createIndex("complaints_assignee_ix").on("complaints").columns(["tenant_id", "assigned_to", "created_at"]).execute();
  await db.connection().execute(async (conn) => {
    await sql`SET SESSION innodb_ft_enable_stopword = OFF`.execute(conn);
    await sql`CREATE FULLTEXT INDEX complaints_kb_ft ON complaints (subject, resolution)`.execute(conn);
  });

  await db.schema
    .createTable("complaint_status_history")
    .addColumn("id", "bigint", (c) => c.primaryKey().autoIncrement())
    .addColumn("complaint_id", sql`char(36) character set ascii`, (c) => c.notNull().references("complaints.id").onDelete("cascade"))
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("from_status", "varchar(20)")
    .addColumn("to_status", "varchar(20)", (c) => c.notNull())
    .addColumn("notes", "text", (c) => c.notNull())
    .addColumn("changed_by", "varchar(100)", (c) => c.notNull())
    .addColumn("changed_at", "datetime(3)", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("complaint_history_ix").on("complaint_status_history").columns(["complaint_id", "id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("complaint_status_history").execute();
  await db.schema.dropTable("complaints").execute();
}
