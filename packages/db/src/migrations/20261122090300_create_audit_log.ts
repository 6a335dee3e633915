import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("audit_log")
    .addColumn("id", "bigint", (c) => c.primaryKey().autoIncrement())
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("entity_type", "varchar(50)", (c) => c.notNull())
    .addColumn("entity_id", sql`char(36) character set ascii`, (c) => c.notNull())
    .addColumn("action", "varchar(50)", (c) => c.notNull())
    .addColumn("actor_id", "varchar(100)", (c) => c.notNull())
    .addColumn("occurred_at", "datetime(3)", (c) => c.notNull())
    .addColumn("changes", "json", (c) => c.notNull())
    .addColumn("trace_id", sql`varchar(64) character set ascii`)
    .execute();
  await db.schema
    .createIndex("audit_log_entity_ix")
    .on("audit_log")
    .columns(["tenant_id", "entity_type", "entity_id", "id"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("audit_log").execute();
}
