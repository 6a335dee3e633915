import { describe, expect, it } from "vitest";
import { assertCan, can, DomainError, PRIVILEGES, ROLES, type Privilege, type Role } from "../src/index";

// REQ-CUS-036, with MarketingManager for testimonial approval and export for full-access roles.
const expected: Record<Role, Privilege[]> = {
  CustomerManager: [
    "customer:create",
    "customer:read",
    "customer:update",
    "customer:delete",
    "customer:merge",
    "complaint:manage",
    "data:export",
    "communication:send",
    "template:manage",
    "settings:manage",
    "value:read",
    "transaction:record",
    "segment:override",
    "rating:override",
    "attendance:record",
    "tracking:write",
    "analytics:read",
    "analytics:tenant",
    "segments:manage",
  ],
  SalesRep: ["customer:create", "customer:read", "customer:update", "communication:send", "value:read", "transaction:record", "attendance:record", "tracking:write", "analytics:read"],
  SupportAgent: ["customer:read", "complaint:manage", "communication:send", "value:read", "analytics:read"],
  Admin: [...PRIVILEGES],
  Viewer: ["customer:read", "value:read", "analytics:read"],
  MarketingManager: ["customer:read", "testimonial:approve", "communication:send", "template:manage", "value:read", "analytics:read", "analytics:tenant", "segments:manage"],
};

describe("privilege matrix", () => {
  for (const role of ROLES) {
    for (const privilege of PRIVILEGES) {
      const allowed = expected[role].includes(privilege);
      it(`${role} ${allowed ? "may" : "may not"} ${privilege}`, () => {
        expect(can([role], privilege)).toBe(allowed);
      });
    }
  }

  it("grants the union of several roles", () => {
    expect(can(["Viewer", "SupportAgent"], "complaint:manage")).toBe(true);
    expect(can([], "customer:read")).toBe(false);
  });

  it("throws a forbidden domain error", () => {
    expect(() => assertCan({ userId: "u", tenantId: "t", roles: ["Viewer"] }, "customer:delete")).toThrow(DomainError);
  });
});
