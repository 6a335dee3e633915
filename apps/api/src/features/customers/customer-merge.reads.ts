import { customerNotFound, mergedCustomer, type DomainError } from "@clientele/domain";
import { findMergedInto, type DbOrTrx } from "@clientele/db";

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
