import { sql, type Kysely } from "kysely";

/**
 * Retention cohorts counted as events are stored: customers of signup month `cohort` first seen
 * active in month `period`, added by the ingest worker when it records a customer's month in
 * customer_active_periods, so the cohort analytics read a few rows instead of joining every
 * active month to its customer.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("tenant_cohort_counts")
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("cohort", sql`char(7) character set ascii`, (c) => c.notNull())
    .addColumn("period", sql`char(7) character set ascii`, (c) => c.notNull())
    .addColumn("customers", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("tenant_cohort_counts_pk", ["tenant_id", "cohort", "period"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("tenant_cohort_counts").execute();
}
