import { sql, type Kysely } from "kysely";

/** Per-tenant counters (customer numbers now, complaint numbers later), bumped atomically. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("sequences")
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("name", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("last_value", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("sequences_pk", ["tenant_id", "name"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("sequences").execute();
}
