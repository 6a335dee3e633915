import type { Kysely } from "kysely";

/**
 * The loyalty run sums each chunk's trailing 12 months of Paid payments and refunds: with the
 * window's column before the amounts, that sum reads this index alone, never the ledger's rows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex("customer_transactions_loyalty_ix")
    .on("customer_transactions")
    .columns(["tenant_id", "customer_id", "status", "occurred_at", "kind", "base_amount"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("customer_transactions_loyalty_ix").on("customer_transactions").execute();
}
