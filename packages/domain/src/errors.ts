/**
 * Domain errors carry the spec's codes (Appendix B plus our validation codes). They know nothing
 * of HTTP or tRPC; the API maps `kind` to a status in one place.
 */
export type DomainErrorKind =
  | "validation"
  | "not_found"
  | "conflict"
  | "business_rule"
  | "forbidden"
  | "unauthorized"
  | "too_large"
  | "unsupported"
  | "rate_limited"
  /** A dependency the operation cannot do without is down (503): retrying later is safe. */
  | "unavailable";

export type FieldErrors = Record<string, string[]>;

export type DomainErrorCode =
  | "VALIDATION"
  | "AUTH-001"
  | "AUTH-002"
  | "CONCURRENCY"
  | "CUST-001"
  | "CUST-002"
  | "CUST-003"
  | "CUST-004"
  | "CUST-005"
  | "CUST-006"
  | "CONT-001"
  | "CONT-002"
  | "CONT-003"
  | "CONT-004"
  | "CONT-005"
  | "FILE-001"
  | "FILE-002"
  | "IMPORT-001"
  | "EXPORT-001"
  // Customer bulk operations (issue 10 §3): a bulk job not found.
  | "BULK-001"
  | "COMM-001"
  | "COMM-002"
  | "COMM-003"
  | "COMM-004"
  | "COMM-005"
  | "COMM-006"
  | "COMM-007"
  | "COMM-008"
  | "COMM-010"
  | "COMM-011"
  | "TMPL-001"
  | "FUP-001"
  | "RATE-001"
  | "COMP-001"
  | "COMP-002"
  | "COMP-003"
  | "TEST-001"
  | "TEST-002"
  // Duplicate detection (issue 10 §5): a customer paired with itself, a duplicate scan not found.
  | "DUP-001"
  | "DUP-002"
  // Customer merge (issue 10 §4): same pair, a party not mergeable, merge not found, undo refused.
  | "MERGE-001"
  | "MERGE-002"
  | "MERGE-003"
  | "MERGE-004"
  | "MERGE-005"
  | "MERGE-006"
  // Customer value (issue 12): an idempotency key reused with other content; a base-currency change once transactions exist.
  | "TXN-001"
  | "TXN-002"
  // Customer value (issue 12, RATING): an attendance idempotency key reused with other content; a loyalty run not found.
  | "ATT-001"
  | "LOYALTY-001"
  // Segments (issue 13): not found, duplicate name, hand-kept members only in a static segment.
  | "SEG-001"
  | "SEG-002"
  | "SEG-003"
  // Behaviour tracking (issue 13): the event stream is unreachable, nothing was accepted.
  | "TRACK-001";

/** RFC 7807 extension members a domain error adds to its problem body. */
export type ProblemExtensions = {
  /** A merged customer answers 404 with the id of the customer it was merged into. */
  mergedInto?: string;
};

export class DomainError extends Error {
  override readonly name = "DomainError";
  constructor(
    readonly code: DomainErrorCode,
    readonly kind: DomainErrorKind,
    message: string,
    readonly fieldErrors: FieldErrors = {},
    readonly extensions: ProblemExtensions = {},
  ) {
    super(message);
  }
}

export const validationError = (fieldErrors: FieldErrors, message = "One or more fields are invalid.") =>
  new DomainError("VALIDATION", "validation", message, fieldErrors);

export const customerNotFound = () => new DomainError("CUST-001", "not_found", "Customer not found.");

/** Appendix B CUST-002: the email is held by another customer of the tenant that is not deactivated or archived. */
export const duplicateCustomerEmail = () =>
  new DomainError("CUST-002", "conflict", "Another customer of this tenant already has this email.", {
    primaryEmail: ["is already used by another customer"],
  });

export const staleVersion = (expected: number, actual: number, what = "customer") =>
  new DomainError(
    "CONCURRENCY",
    "conflict",
    `The ${what} was changed by someone else (you sent version ${expected}, current is ${actual}). Reload and retry.`,
    { version: [`expected ${actual}`] },
  );

/** Optimistic concurrency: throws `staleVersion` when a version was sent and it is not the current one. */
export function assertVersion(expected: number | undefined, actual: number, what = "customer"): void {
  if (expected !== undefined && expected !== actual) throw staleVersion(expected, actual, what);
}

export const contactNotFound = () => new DomainError("CONT-001", "not_found", "Contact not found.");

/** COMM-002 and COMM-003 (Appendix B) mean a failed delivery; a missing record has a code of its own. */
export const communicationNotFound = (what = "Communication") => new DomainError("COMM-007", "not_found", `${what} not found.`);
export const meetingCancelled = () => new DomainError("COMM-008", "business_rule", "The meeting is cancelled.");

/** Collects field errors so a request reports every problem at once, not the first one. */
export class FieldErrorCollector {
  readonly errors: FieldErrors = {};
  add(field: string, message: string): void {
    (this.errors[field] ??= []).push(message);
  }
  merge(prefix: string, errors: FieldErrors): void {
    for (const [field, messages] of Object.entries(errors)) {
      for (const message of messages) this.add(`${prefix}.${field}`, message);
    }
  }
  get empty(): boolean {
    return Object.keys(this.errors).length === 0;
  }
  throwIfAny(): void {
    if (!this.empty) throw validationError(this.errors);
  }
}
