import type { Kysely } from "kysely";

/** The marketing team's moderation queue: a tenant's pending testimonials, oldest first, paged. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex("testimonials_moderation_ix").on("testimonials").columns(["tenant_id", "status", "created_at", "id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("testimonials_moderation_ix").on("testimonials").execute();
}
