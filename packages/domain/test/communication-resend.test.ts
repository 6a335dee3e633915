import { describe, expect, it } from "vitest";
import { assertResendable, DELIVERY_STATUSES, DomainError, RESENDABLE_STATUSES } from "../src/index";

const codeOf = (fn: () => void) => {
  try {
    fn();
  } catch (error) {
    return error instanceof DomainError ? `${error.code}/${error.kind}` : String(error);
  }
  return "ok";
};

describe("assertResendable", () => {
  it("lets a failed, bounced or undelivered email or SMS be resent once", () => {
    for (const type of ["Email", "SMS"]) for (const status of RESENDABLE_STATUSES) expect(codeOf(() => assertResendable({ type, status }, null))).toBe("ok");
  });

  it("refuses a message on its way or delivered (COMM-010): resending it would send it twice", () => {
    for (const status of DELIVERY_STATUSES.filter((s) => !(RESENDABLE_STATUSES as readonly string[]).includes(s))) {
      expect(codeOf(() => assertResendable({ type: "Email", status }, null))).toBe("COMM-010/business_rule");
    }
  });

  it("refuses calls and meetings (COMM-010) and a second resend of the same message (COMM-011, conflict)", () => {
    expect(codeOf(() => assertResendable({ type: "Meeting", status: "Failed" }, null))).toBe("COMM-010/business_rule");
    expect(codeOf(() => assertResendable({ type: "PhoneCall", status: "Completed" }, null))).toBe("COMM-010/business_rule");
    expect(codeOf(() => assertResendable({ type: "SMS", status: "Undelivered" }, "0f0c2a4e-0000-4000-8000-000000000001"))).toBe("COMM-011/conflict");
  });
});
