import type { Kysely } from "kysely";

/** Issue 12: a manual segment override (REQ-CUS-017) holds until cleared; who set it, when and why. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("customers")
    .addColumn("segment_override", "varchar(20)")
    .addColumn("segment_override_reason", "varchar(500)")
    .addColumn("segment_override_by", "varchar(100)")
    .addColumn("segment_override_at", "datetime(3)")
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("customers")
    .dropColumn("segment_override")
    .dropColumn("segment_override_reason")
    .dropColumn("segment_override_by")
    .dropColumn("segment_override_at")
    .execute();
}
