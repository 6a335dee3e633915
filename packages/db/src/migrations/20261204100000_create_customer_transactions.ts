import { sql, type Kysely } from "kysely";

/**
 * Issue 12: the ledger of a customer's financial transactions. Lifetime value is derived from it
 * (Paid Payments minus Paid Refunds, in the tenant's base currency), so each row keeps its original
 * amount and currency beside the rate it was converted with and the converted amount.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("customer_transactions")
    .addColumn("id", sql`char(36) character set ascii`, (c) => c.primaryKey())
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("customer_id", sql`char(36) character set ascii`, (c) => c.notNull())
    .addColumn("kind", sql`varchar(10) character set ascii`, (c) => c.notNull())
    .addColumn("category", sql`varchar(20) character set ascii`, (c) => c.notNull())
    .addColumn("status", sql`varchar(10) character set ascii`, (c) => c.notNull())
    .addColumn("amount", "decimal(18, 2)", (c) => c.notNull())
    .addColumn("currency", sql`char(3) character set ascii`, (c) => c.notNull())
    .addColumn("exchange_rate", "decimal(18, 8)", (c) => c.notNull())
    .addColumn("base_amount", "decimal(18, 2)", (c) => c.notNull())
    .addColumn("occurred_at", "datetime(3)", (c) => c.notNull())
    .addColumn("due_at", "datetime(3)")
    .addColumn("late", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("external_reference", "varchar(100)")
    .addColumn("idempotency_key", "varchar(100)", (c) => c.notNull())
    // SHA-256 of the request's content: a repeated key with other content is a conflict, not a replay.
    .addColumn("content_hash", sql`char(64) character set ascii`, (c) => c.notNull())
    .addColumn("source", sql`varchar(10) character set ascii`, (c) => c.notNull())
    .addColumn("created_at", "datetime(3)", (c) => c.notNull())
    .addColumn("created_by", "varchar(100)", (c) => c.notNull())
    .addUniqueConstraint("customer_transactions_idem_uq", ["tenant_id", "idempotency_key"])
    .modifyEnd(sql`default charset = utf8mb4 collate = utf8mb4_unicode_ci`)
    .execute();
  // A customer's transactions, newest first (the list endpoint's order).
  await db.schema
    .createIndex("customer_transactions_customer_ix")
    .on("customer_transactions")
    .columns(["tenant_id", "customer_id", "occurred_at", "id"])
    .execute();
  // Covers the nightly LTV check's GROUP BY customer_id over ranges of customer ids.
  await db.schema
    .createIndex("customer_transactions_ltv_ix")
    .on("customer_transactions")
    .columns(["customer_id", "status", "kind", "base_amount"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("customer_transactions").execute();
}
