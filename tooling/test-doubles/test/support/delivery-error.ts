import { DeliveryError } from "@clientele/messaging";
import { expect } from "vitest";

/** The DeliveryError a send rejects with (fails the test if it resolves or rejects with anything else). */
export async function deliveryError(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}
