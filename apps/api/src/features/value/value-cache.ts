import { CACHE_TTL, cacheKeys } from "@clientele/cache";
import { findCustomerById } from "@clientele/db";
import type { AppDeps } from "../../deps";
import { TOMBSTONE, toDto } from "../customers/customer.use-cases";

/**
 * After a value change committed (it bumped the customer's version): write the new copy through,
 * as customer writes do, so a reader that loaded the old row cannot put it back over the new one.
 */
export async function refreshCachedCustomer(deps: AppDeps, tenantId: string, customerId: string): Promise<void> {
  const customer = await findCustomerById(deps.db, tenantId, customerId);
  if (!customer) return;
  await Promise.all([
    deps.cache.putVersioned(cacheKeys.customer(tenantId, customerId), customer.version, customer.isDeleted ? TOMBSTONE : JSON.stringify(toDto(customer)), CACHE_TTL.customer),
    deps.cache.bump(cacheKeys.searchGeneration(tenantId)),
  ]);
}
