import { sql, type Kysely } from "kysely";

/**
 * A resend is a new message linked to the one that failed. Unique: a message is resent at most
 * once (a failed resend is resent in turn), so two concurrent resends cannot both insert.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("communications").addColumn("resent_from_id", sql`char(36) character set ascii`).execute();
  await db.schema.createIndex("communications_resent_from_ux").unique().on("communications").column("resent_from_id").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("communications_resent_from_ux").on("communications").execute();
  await db.schema.alterTable("communications").dropColumn("resent_from_id").execute();
}
