import { DomainError } from "./errors";

export const ROLES = [
  "CustomerManager",
  "SalesRep",
  "SupportAgent",
  "Admin",
  "Viewer",
  "MarketingManager",
] as const;
export type Role = (typeof ROLES)[number];

export const PRIVILEGES = [
  "customer:create",
  "customer:read",
  "customer:update",
  "customer:delete",
  "customer:merge",
  /** Suspending and unsuspending a customer (001 §3.3 "admin only"): in no role but Admin. */
  "customer:suspend",
  "complaint:manage",
  "testimonial:approve",
  "data:export",
  "communication:send",
  "template:manage",
  "settings:manage",
  "ops:queues",
] as const;
export type Privilege = (typeof PRIVILEGES)[number];

/**
 * REQ-CUS-036 matrix, plus MarketingManager (testimonial approval, DESIGN.md) and data export,
 * which REQ-CUS-037 reserves for roles with full customer access. Sending messages belongs to
 * everyone who talks to customers (support included, for complaint updates); templates to the
 * managers and marketing. The queue dashboard (ops:queues) shows every tenant's jobs: Admins only.
 */
export const PRIVILEGE_MATRIX: Record<Role, readonly Privilege[]> = {
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
  ],
  SalesRep: ["customer:create", "customer:read", "customer:update", "communication:send"],
  SupportAgent: ["customer:read", "complaint:manage", "communication:send"],
  Admin: PRIVILEGES,
  Viewer: ["customer:read"],
  MarketingManager: ["customer:read", "testimonial:approve", "communication:send", "template:manage"],
};

export type Actor = { userId: string; tenantId: string; roles: readonly Role[]; name?: string; email?: string };

export function can(roles: readonly Role[], privilege: Privilege): boolean {
  return roles.some((role) => PRIVILEGE_MATRIX[role].includes(privilege));
}

export function assertCan(actor: Actor, privilege: Privilege): void {
  if (!can(actor.roles, privilege)) {
    throw new DomainError("AUTH-002", "forbidden", `Your roles do not grant ${privilege}.`);
  }
}
