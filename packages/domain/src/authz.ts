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
  /** Customer value (issue 12): reading the ledger and LTV history, recording transactions, overriding the segment. */
  "value:read",
  "transaction:record",
  "segment:override",
  /** The tenant's value settings (thresholds, base currency, rates, loyalty tiers): Admins only. */
  "value-settings:manage",
  /** Rating (REQ-CUS-018 "manual rating override is allowed by managers"), attendance, loyalty runs (003 BR-8 on demand: Admins only). */
  "rating:override",
  "attendance:record",
  "loyalty:recalculate",
  /** Issue 13: sending tracked behaviour (services and the roles that write customers), a customer's analytics, the tenant's analytics (managers). */
  "tracking:write",
  "analytics:read",
  "analytics:tenant",
  /** Issue 13: defining, calculating, importing segments and keeping static members (reading them follows customer:read). */
  "segments:manage",
] as const;
export type Privilege = (typeof PRIVILEGES)[number];

/**
 * REQ-CUS-036 matrix, plus MarketingManager (testimonial approval, DESIGN.md) and data export,
 * which REQ-CUS-037 reserves for roles with full customer access. Sending messages belongs to
 * everyone who talks to customers (support included, for complaint updates); templates to the
 * managers and marketing. The queue dashboard (ops:queues) shows every tenant's jobs: Admins only.
 * Customer value: whoever reads customers reads their value; recording money follows update
 * (CustomerManager, SalesRep); a segment override is a manager's call (REQ-CUS-017 "authorized users").
 * Rule-based segments (issue 13) are the managers' and marketing's: they decide who is targeted.
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
  Admin: PRIVILEGES,
  Viewer: ["customer:read", "value:read", "analytics:read"],
  MarketingManager: ["customer:read", "testimonial:approve", "communication:send", "template:manage", "value:read", "analytics:read", "analytics:tenant", "segments:manage"],
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

/**
 * Which claims of a bearer token name the actor. Identity providers differ (a tenant in a
 * namespaced claim, roles under realm_access.roles), so the API reads the names from its
 * configuration (JWT_*_CLAIM) and hands them to the admin app, which reads the same token.
 */
export type ClaimNames = { userId: string; tenantId: string; roles: string; name: string; email: string };
export const DEFAULT_CLAIM_NAMES: ClaimNames = { userId: "sub", tenantId: "tid", roles: "roles", name: "name", email: "email" };

/** A claim by its exact name (URL-style names contain dots), else by a dotted path into nested objects. */
export function claimValue(claims: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(claims, name)) return claims[name];
  let value: unknown = claims;
  for (const part of name.split(".")) {
    if (typeof value !== "object" || value === null || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * The roles of ours in a roles claim: an array, or a space- or comma-separated string (some IdPs
 * send groups that way). Other values (an IdP's own groups) are dropped: they grant nothing here.
 */
export function rolesFromClaim(value: unknown): Role[] {
  const names = Array.isArray(value) ? value : typeof value === "string" ? value.split(/[\s,]+/) : [];
  return names.filter((r): r is Role => (ROLES as readonly unknown[]).includes(r));
}
