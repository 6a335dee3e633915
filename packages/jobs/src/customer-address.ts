import { isEmailSuppressed } from "@clientele/db";
import type { Customer } from "@clientele/domain";
import type { JobDeps } from "./job-deps";

/** The customer's address, when their preferences allow email and it has not bounced (then `onSuppressed`). */
export async function customerAddress(deps: JobDeps, tenantId: string, customer: Customer, onSuppressed?: () => void) {
  if (customer.isDeleted || !customer.preferences.notifications.email) return null;
  const address = customer.contactInfo.primaryEmail;
  if (await isEmailSuppressed(deps.db, tenantId, address.toLowerCase())) {
    onSuppressed?.();
    return null;
  }
  return { address, name: customer.companyName };
}
