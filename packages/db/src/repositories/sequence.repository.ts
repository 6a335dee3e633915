import { sql } from "kysely";
import type { DbOrTrx } from "../connection";

/**
 * Atomically bumps a per-tenant counter and returns the new value. `LAST_INSERT_ID(expr)` makes
 * the bump and the read one statement, so concurrent callers never see the same value. Run it
 * outside the business transaction: the row lock is then held for one statement, not the whole
 * change (a rolled-back create leaves a gap, never a duplicate).
 */
export async function nextSequenceValue(db: DbOrTrx, tenantId: string, name: string): Promise<number> {
  const result = await sql`
    INSERT INTO sequences (tenant_id, name, last_value) VALUES (${tenantId}, ${name}, LAST_INSERT_ID(1))
    ON DUPLICATE KEY UPDATE last_value = LAST_INSERT_ID(last_value + 1)`.execute(db);
  return Number(result.insertId);
}

/** Reserves `count` consecutive values in one statement (an import's chunk); returns the first. */
export async function reserveSequenceValues(db: DbOrTrx, tenantId: string, name: string, count: number): Promise<number> {
  const result = await sql`
    INSERT INTO sequences (tenant_id, name, last_value) VALUES (${tenantId}, ${name}, LAST_INSERT_ID(${count}))
    ON DUPLICATE KEY UPDATE last_value = LAST_INSERT_ID(last_value + ${count})`.execute(db);
  return Number(result.insertId) - count + 1;
}
