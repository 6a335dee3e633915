import { sql, type Kysely } from "kysely";

/**
 * Issue 13 §1: the current members of each segment (one row per segment and customer) and every
 * membership period (joined, left, why), kept after the segment is deleted, for audit.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("customer_segment_membership")
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("segment_id", sql`char(36) character set ascii`, (c) => c.notNull())
    .addColumn("customer_id", sql`char(36) character set ascii`, (c) => c.notNull())
    .addColumn("joined_at", "datetime(3)", (c) => c.notNull())
    .addColumn("reason", sql`varchar(20) character set ascii`, (c) => c.notNull())
    .addPrimaryKeyConstraint("customer_segment_membership_pk", ["tenant_id", "segment_id", "customer_id"])
    .execute();
  // "A customer's segments" reads by customer.
  await db.schema.createIndex("customer_segment_membership_customer_ix").on("customer_segment_membership").columns(["tenant_id", "customer_id", "segment_id"]).execute();
  await db.schema
    .createTable("customer_segment_membership_history")
    .addColumn("id", "bigint", (c) => c.primaryKey().autoIncrement())
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("segment_id", sql`char(36) character set ascii`, (c) => c.notNull())
    .addColumn("customer_id", sql`char(36) character set ascii`, (c) => c.notNull())
    .addColumn("joined_at", "datetime(3)", (c) => c.notNull())
    .addColumn("join_reason", sql`varchar(20) character set ascii`, (c) => c.notNull())
    .addColumn("left_at", "datetime(3)")
    .addColumn("leave_reason", sql`varchar(20) character set ascii`)
    .execute();
  await db.schema.createIndex("customer_segment_history_segment_ix").on("customer_segment_membership_history").columns(["tenant_id", "segment_id", "customer_id", "left_at"]).execute();
  await db.schema.createIndex("customer_segment_history_customer_ix").on("customer_segment_membership_history").columns(["tenant_id", "customer_id", "joined_at"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("customer_segment_membership_history").execute();
  await db.schema.dropTable("customer_segment_membership").execute();
}
