import { sql, type Kysely } from "kysely";

/**
 * Active customers per day and per month, counted as events are stored: "distinct customers with
 * activity" over the rollups is a COUNT(DISTINCT) over every row of the range (seconds at a million
 * customers); here the worker records each customer once per period (INSERT IGNORE) and adds what it
 * inserted to the period's counter, in the ingest transaction, so the analytics read a few rows.
 * period: 'YYYY-MM-DD' (a UTC day) or 'YYYY-MM' (a month).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("customer_active_periods")
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("period", sql`varchar(10) character set ascii`, (c) => c.notNull())
    .addColumn("customer_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addPrimaryKeyConstraint("customer_active_periods_pk", ["tenant_id", "period", "customer_id"])
    .execute();
  await db.schema
    .createTable("tenant_active_counts")
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("period", sql`varchar(10) character set ascii`, (c) => c.notNull())
    .addColumn("customers", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("tenant_active_counts_pk", ["tenant_id", "period"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("tenant_active_counts").execute();
  await db.schema.dropTable("customer_active_periods").execute();
}
