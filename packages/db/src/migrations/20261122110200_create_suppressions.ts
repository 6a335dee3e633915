import { sql, type Kysely } from "kysely";

/** Addresses that hard-bounced (per tenant) and numbers that texted STOP (per sending number). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("email_suppressions")
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("email", "varchar(255)", (c) => c.notNull())
    .addColumn("reason", "varchar(500)", (c) => c.notNull())
    .addColumn("communication_id", sql`char(36) character set ascii`)
    .addColumn("created_at", "datetime(3)", (c) => c.notNull())
    .addPrimaryKeyConstraint("email_suppressions_pk", ["tenant_id", "email"])
    .modifyEnd(sql`default charset = utf8mb4 collate = utf8mb4_unicode_ci`)
    .execute();
  await db.schema
    .createTable("sms_opt_outs")
    .addColumn("phone", sql`varchar(20) character set ascii`, (c) => c.primaryKey())
    .addColumn("keyword", "varchar(20)", (c) => c.notNull())
    .addColumn("opted_out_at", "datetime(3)", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("sms_opt_outs").execute();
  await db.schema.dropTable("email_suppressions").execute();
}
