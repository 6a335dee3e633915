import { assertModifiable, customerNotFound, mergedCustomer, type DomainError } from "@clientele/domain";
import { findMergedInto, shareLockCustomers, type DbOrTrx, type Trx } from "@clientele/db";

// How reads of customers see merges (customer.use-cases.ts calls these for deactivated or missing
// customers only, so reads of visible customers never pay for the lookup).

/** The 404 of a customer that is not visible: with `mergedInto` when it was merged (and not undone). */
export async function notVisibleError(db: DbOrTrx, tenantId: string, customerId: string): Promise<DomainError> {
  const target = await findMergedInto(db, tenantId, customerId);
  return target ? mergedCustomer(target) : customerNotFound();
}

/** A merged customer answers 404 with `mergedInto`, to its readers and to its sub-resources alike. */
export async function assertNotMerged(db: DbOrTrx, tenantId: string, customerId: string): Promise<void> {
  const target = await findMergedInto(db, tenantId, customerId);
  if (target) throw mergedCustomer(target);
}

/**
 * Call first inside a transaction that adds records (communications, complaints, testimonials,
 * follow-ups) to customers: re-reads them under a shared lock and re-checks what loadModifiable
 * checked before the transaction, so a merge committing in between cannot leave the new record on
 * its deactivated source. A merge waits for this transaction and moves the record, or this one
 * waits for the merge and answers 404 with `mergedInto` (400 CUST-004 for a plain deactivation).
 */
export async function lockModifiableCustomers(trx: Trx, tenantId: string, ids: readonly string[]): Promise<void> {
  const found = new Map((await shareLockCustomers(trx, tenantId, ids)).map((c) => [c.id, c]));
  for (const id of new Set(ids)) {
    const customer = found.get(id);
    if (!customer) throw customerNotFound();
    if (customer.isDeleted) await assertNotMerged(trx, tenantId, id);
    assertModifiable(customer, undefined);
  }
}
