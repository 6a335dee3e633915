import { sql, type RawBuilder } from "kysely";
import type { Db, DbOrTrx } from "./connection";

export type NamedLockResult<T> = { acquired: true; value: T } | { acquired: false };

/**
 * Runs `fn` holding a MySQL named lock on one connection of its own, waiting up to
 * `timeoutSeconds` for it (0: only if free now). If the process dies the server releases the lock
 * with the connection, so whoever waits takes over. `name` is a string or an SQL expression.
 */
export async function withNamedLock<T>(db: Db, name: string | RawBuilder<string>, timeoutSeconds: number, fn: (conn: DbOrTrx) => Promise<T>): Promise<NamedLockResult<T>> {
  return db.connection().execute(async (conn) => {
    const { rows } = await sql<{ got: number | null }>`SELECT GET_LOCK(${name}, ${timeoutSeconds}) AS got`.execute(conn);
    if (rows[0]?.got !== 1) return { acquired: false };
    try {
      return { acquired: true, value: await fn(conn) };
    } finally {
      await sql`SELECT RELEASE_LOCK(${name})`.execute(conn);
    }
  });
}

/**
 * The lock a demo seed of this tenant holds, per database (the MySQL server is shared). Takes a
 * tenant id or a tenant-id column, so a query can leave alone what a running seed is writing.
 */
export const demoSeedLockName = (tenantId: string | RawBuilder<string>): RawBuilder<string> =>
  sql<string>`CONCAT('clientele-seed:', SHA1(CONCAT(DATABASE(), ':', ${tenantId})))`;
