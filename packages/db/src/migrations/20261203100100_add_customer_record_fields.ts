import type { Kysely } from "kysely";

/** Issue 10 §1: the rest of the customer record (notes, source, personal data, links, verification flags). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("customers")
    .addColumn("notes", "text")
    .addColumn("source", "varchar(100)")
    .addColumn("date_of_birth", "date")
    .addColumn("gender", "varchar(20)")
    .addColumn("social_media_links", "json")
    .addColumn("email_verified", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("phone_verified", "boolean", (c) => c.notNull().defaultTo(false))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("customers")
    .dropColumn("notes")
    .dropColumn("source")
    .dropColumn("date_of_birth")
    .dropColumn("gender")
    .dropColumn("social_media_links")
    .dropColumn("email_verified")
    .dropColumn("phone_verified")
    .execute();
}
