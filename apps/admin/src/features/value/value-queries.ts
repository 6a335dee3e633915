import type { QueryClient } from "@tanstack/react-query";
import type { useTRPC } from "../../trpc";

type Trpc = ReturnType<typeof useTRPC>;

/**
 * After a value change (a transaction, an override): everything that shows a customer's value is
 * read again, by query filter: the value view, rating, loyalty, attendance, the review list and the
 * customer record itself (its segment and rating are in the DTO).
 */
export const invalidateCustomerValue = (queryClient: QueryClient, trpc: Trpc) =>
  Promise.all([
    queryClient.invalidateQueries(trpc.transactions.pathFilter()),
    queryClient.invalidateQueries(trpc.rating.pathFilter()),
    queryClient.invalidateQueries(trpc.loyalty.pathFilter()),
    queryClient.invalidateQueries(trpc.attendance.pathFilter()),
    queryClient.invalidateQueries(trpc.inactivity.pathFilter()),
    queryClient.invalidateQueries(trpc.customers.pathFilter()),
  ]);

/**
 * A fresh idempotency key: one per dialog opening, so a double click or a retried submit records
 * once. From getRandomValues, which (unlike randomUUID) works outside secure contexts too.
 */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `admin-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
