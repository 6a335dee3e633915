import type { Db, Trx } from "./connection";

// InnoDB's deadlock victim (1213) and lock wait timeout (1205) may simply be run again.
const RETRYABLE = new Set([1213, 1205]);

export type TransactionOptions = {
  /** "read committed" takes record locks only (no gap locks): for batch work that re-checks what it locks. */
  isolation?: "read committed";
};

/** Runs `fn` in a transaction, retrying a deadlock victim twice; `fn` must do nothing but database work. */
export async function inTransaction<T>(db: Db, fn: (trx: Trx) => Promise<T>, o: TransactionOptions = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      const builder = o.isolation ? db.transaction().setIsolationLevel(o.isolation) : db.transaction();
      return await builder.execute(fn);
    } catch (error) {
      const errno = (error as { errno?: number }).errno;
      if (attempt >= 3 || errno === undefined || !RETRYABLE.has(errno)) throw error;
      await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 10));
    }
  }
}
