import { sql, type Kysely } from "kysely";

/**
 * The match-key rules changed (names folded like the search, ß/æ/ø/ł included; keys by the name's
 * sorted letters; archived customers have none): every customer is marked for the duplicate
 * worker, which derives its keys again from the row and recomputes its pairs. Marked in the past,
 * so the worker's sweep queues them; the keys are not derived here, so this migration does not
 * depend on what the domain code says when it runs.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    INSERT INTO customer_duplicate_dirty (tenant_id, customer_id, version, marked_at)
    SELECT tenant_id, id, version, '2000-01-01 00:00:00.000' FROM customers
    ON DUPLICATE KEY UPDATE marked_at = LEAST(marked_at, VALUES(marked_at))`.execute(db);
}

/** The marks are work to do, not schema: nothing to undo. */
export async function down(): Promise<void> {}
