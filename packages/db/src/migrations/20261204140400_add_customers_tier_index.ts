import type { Kysely } from "kysely";

/** The tier distribution (tenant analytics) counts customers per segment from this index alone, not from the rows. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex("customers_tenant_tier_ix").on("customers").columns(["tenant_id", "is_deleted", "segment"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("customers_tenant_tier_ix").on("customers").execute();
}
