import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("tenants")
    .addColumn("id", sql`varchar(64) character set ascii`, (c) => c.primaryKey())
    .addColumn("name", "varchar(200)")
    .addColumn("settings", "json", (c) => c.notNull())
    .addColumn("created_at", "datetime(3)", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("tenants").execute();
}
