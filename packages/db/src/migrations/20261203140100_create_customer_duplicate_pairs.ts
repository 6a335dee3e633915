import { sql, type Kysely } from "kysely";

/**
 * The review queue of possible duplicates (a pair once, customer_a < customer_b), and the pairs a
 * user dismissed as "not a duplicate", which never come back.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("customer_duplicate_pairs")
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("customer_a", sql`char(36) character set ascii`, (c) => c.notNull())
    .addColumn("customer_b", sql`char(36) character set ascii`, (c) => c.notNull())
    .addColumn("score", sql`tinyint unsigned`, (c) => c.notNull())
    .addColumn("reasons", sql`varchar(255) character set ascii`, (c) => c.notNull())
    .addColumn("detected_at", "datetime(3)", (c) => c.notNull())
    .addColumn("checked_at", "datetime(3)", (c) => c.notNull())
    .addPrimaryKeyConstraint("customer_duplicate_pairs_pk", ["tenant_id", "customer_a", "customer_b"])
    .execute();
  await db.schema.createIndex("customer_duplicate_pairs_b_ix").on("customer_duplicate_pairs").columns(["tenant_id", "customer_b"]).execute();
  // The queue's order (highest score first) read straight off an index.
  await sql`CREATE INDEX customer_duplicate_pairs_score_ix ON customer_duplicate_pairs (tenant_id, score DESC, customer_a, customer_b)`.execute(db);

  await db.schema
    .createTable("customer_duplicate_dismissals")
    .addColumn("tenant_id", sql`varchar(64) character set ascii`, (c) => c.notNull())
    .addColumn("customer_a", sql`char(36) character set ascii`, (c) => c.notNull())
    .addColumn("customer_b", sql`char(36) character set ascii`, (c) => c.notNull())
    .addColumn("dismissed_by", "varchar(100)", (c) => c.notNull())
    .addColumn("dismissed_at", "datetime(3)", (c) => c.notNull())
    .addPrimaryKeyConstraint("customer_duplicate_dismissals_pk", ["tenant_id", "customer_a", "customer_b"])
    .execute();
  await db.schema.createIndex("customer_duplicate_dismissals_b_ix").on("customer_duplicate_dismissals").columns(["tenant_id", "customer_b"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("customer_duplicate_dismissals").execute();
  await db.schema.dropTable("customer_duplicate_pairs").execute();
}
