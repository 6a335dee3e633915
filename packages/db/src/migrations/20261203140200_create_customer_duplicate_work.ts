import { randomUUID } from "node:crypto";
import { sql, type Kysely } from "kysely";

/**
 * The worker's duplicate-detection work: customers whose keys changed and whose pairs are not yet
 * recomputed (written in the customer's own transaction, so a job lost with Redis is found by the
 * worker's sweep), and full scans of a tenant with their progress.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("customer_duplicate_dirty")
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("customer_id", sql`char(36) character set ascii`, (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("marked_at", "datetime(3)", (c) => c.notNull())
    .addPrimaryKeyConstraint("customer_duplicate_dirty_pk", ["tenant_id", "customer_id"])
    .execute();
  await db.schema.createIndex("customer_duplicate_dirty_marked_ix").on("customer_duplicate_dirty").columns(["marked_at"]).execute();

  await db.schema
    .createTable("customer_duplicate_scans")
    .addColumn("id", sql`char(36) character set ascii`, (c) => c.primaryKey())
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("status", "varchar(20)", (c) => c.notNull())
    .addColumn("total_keys", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("processed_keys", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("pairs_found", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("failure_reason", "varchar(500)")
    .addColumn("created_by", "varchar(100)", (c) => c.notNull())
    .addColumn("created_at", "datetime(3)", (c) => c.notNull())
    .addColumn("started_at", "datetime(3)")
    .addColumn("completed_at", "datetime(3)")
    .execute();
  await db.schema.createIndex("customer_duplicate_scans_tenant_ix").on("customer_duplicate_scans").columns(["tenant_id", "created_at"]).execute();
  await db.schema.createIndex("customer_duplicate_scans_status_ix").on("customer_duplicate_scans").columns(["status", "created_at"]).execute();

  // Existing customers got their keys in the migration before; their pairs come from one queued
  // scan per tenant, which the worker's sweep picks up.
  const { rows } = await sql<{ tenant_id: string }>`SELECT DISTINCT tenant_id FROM customers`.execute(db);
  for (const r of rows) {
    await sql`INSERT INTO customer_duplicate_scans (id, tenant_id, status, created_by, created_at) VALUES (${randomUUID()}, ${r.tenant_id}, 'Queued', 'migration', UTC_TIMESTAMP(3))`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("customer_duplicate_scans").execute();
  await db.schema.dropTable("customer_duplicate_dirty").execute();
}
