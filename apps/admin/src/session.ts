import { claimValue, rolesFromClaim, type Role } from "@clientele/domain/authz";
import { useSyncExternalStore } from "react";
import { authConfig } from "./auth-config";

/** Who is signed in, as the token's claims say (the API verifies the token; this only displays it). */
export type Session = { token: string; userId: string; tenantId: string; roles: Role[]; name: string | null; expiresAt: number };

const KEY = "clientele.admin.token";
const NAME_KEY = "clientele.admin.name";
const listeners = new Set<() => void>();
/** Set when the API refused the token (401): the sign-in page says so and returns to where the user was. */
let expired = false;

// The claims the API reads (its JWT_*_CLAIM names, from the runtime config), so both agree on who this is.
function decode(token: string): Session | null {
  try {
    const part = token.split(".")[1];
    if (!part) return null;
    const claims = JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, unknown>;
    const names = authConfig().claims;
    const [userId, tenantId, name] = [claimValue(claims, names.userId), claimValue(claims, names.tenantId), claimValue(claims, names.name)];
    if (typeof userId !== "string" || typeof tenantId !== "string" || typeof claims.exp !== "number") return null;
    const fallbackName = sessionStorage.getItem(NAME_KEY);
    return { token, userId, tenantId, roles: rolesFromClaim(claimValue(claims, names.roles)), name: typeof name === "string" ? name : fallbackName, expiresAt: claims.exp * 1000 };
  } catch {
    return null;
  }
}

let cached: { token: string | null; session: Session | null } = { token: null, session: null };

/** The session in this tab (sessionStorage: a second tab signs in on its own), or null once it expired. */
export function currentSession(): Session | null {
  const token = sessionStorage.getItem(KEY);
  if (token !== cached.token) cached = { token, session: token ? decode(token) : null };
  const s = cached.session;
  return s && s.expiresAt > Date.now() ? s : null;
}

/** `name` is shown when the token carries none (an IdP's access token often does not; its ID token does). */
export function signIn(token: string, name?: string): Session {
  if (name) sessionStorage.setItem(NAME_KEY, name);
  else sessionStorage.removeItem(NAME_KEY);
  const session = decode(token);
  if (!session) throw new Error("The API returned a token this app cannot read.");
  sessionStorage.setItem(KEY, token);
  expired = false;
  listeners.forEach((l) => l());
  return session;
}

/** `notify: false` when the page is about to leave anyway (to the identity provider's sign-out). */
export function signOut(notify = true): void {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(NAME_KEY);
  expired = false;
  if (notify) listeners.forEach((l) => l());
}

/** The API refused the token (expired or revoked): sign in again, then back to where the user was. */
export function expireSession(): void {
  if (!sessionStorage.getItem(KEY)) return;
  sessionStorage.removeItem(KEY);
  expired = true;
  listeners.forEach((l) => l());
}

export const sessionExpired = (): boolean => expired;

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

export const useSession = (): Session | null => useSyncExternalStore(subscribe, currentSession);
