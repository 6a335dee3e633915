import { ROLES, type Role } from "@clientele/domain/authz";
import { useSyncExternalStore } from "react";

/** Who is signed in, as the token's claims say (the API verifies the token; this only displays it). */
export type Session = { token: string; userId: string; tenantId: string; roles: Role[]; name: string | null; expiresAt: number };

const KEY = "clientele.admin.token";
const listeners = new Set<() => void>();

function decode(token: string): Session | null {
  try {
    const part = token.split(".")[1];
    if (!part) return null;
    const claims = JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, unknown>;
    const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is Role => (ROLES as readonly unknown[]).includes(r)) : [];
    if (typeof claims.sub !== "string" || typeof claims.tid !== "string" || typeof claims.exp !== "number") return null;
    return { token, userId: claims.sub, tenantId: claims.tid, roles, name: typeof claims.name === "string" ? claims.name : null, expiresAt: claims.exp * 1000 };
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

export function signIn(token: string): Session {
  const session = decode(token);
  if (!session) throw new Error("The API returned a token this app cannot read.");
  sessionStorage.setItem(KEY, token);
  listeners.forEach((l) => l());
  return session;
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
  listeners.forEach((l) => l());
}

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

export const useSession = (): Session | null => useSyncExternalStore(subscribe, currentSession);
