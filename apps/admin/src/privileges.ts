import { can, type Privilege, type Role } from "@clientele/domain/authz";

/** Null when the roles grant the privilege, else why the action is unavailable (shown beside it). */
export function missing(roles: readonly Role[], privilege: Privilege): string | null {
  if (can(roles, privilege)) return null;
  return `Your role${roles.length === 1 ? "" : "s"} (${roles.join(", ") || "none"}) ${roles.length === 1 ? "does" : "do"} not grant ${privilege}.`;
}
