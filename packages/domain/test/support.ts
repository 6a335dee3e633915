import { DomainError } from "../src/index";

/** The DomainError `fn` throws, or "none"; any other error propagates. */
export function outcomeOf(fn: () => unknown): DomainError | "none" {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  return "none";
}

function domainError(fn: () => unknown): DomainError {
  const outcome = outcomeOf(fn);
  if (outcome === "none") throw new Error("expected a DomainError");
  return outcome;
}

export const fieldErrors = (fn: () => unknown) => domainError(fn).fieldErrors;
export const codeOf = (fn: () => unknown) => domainError(fn).code;
