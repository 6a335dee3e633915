import { DEFAULT_CLAIM_NAMES, type ClaimNames } from "@clientele/domain/authz";

/** What the API serves at /admin/config.json (apps/api/src/http/admin-app.ts): one build fits every deployment. */
export type AuthConfig = {
  /** Sign in at this OpenID Connect issuer; null: the development sign-in page. */
  oidc: { issuer: string; clientId: string; audience: string; audienceParam: "resource" | "audience" | null; scope: string } | null;
  claims: ClaimNames;
  /** Tools the header links, each only when it runs: the local inboxes, the queue dashboard's path. */
  links: { mailInbox?: string; smsInbox?: string; queues?: string };
};

let config: AuthConfig = { oidc: null, claims: DEFAULT_CLAIM_NAMES, links: {} };

/** Read once before the app renders. Unreachable: development sign-in, whose page then says what is wrong. */
export async function loadAuthConfig(): Promise<void> {
  try {
    const res = await fetch(`${import.meta.env.BASE_URL}config.json`, { headers: { accept: "application/json" } });
    if (res.ok) config = { links: {}, ...((await res.json()) as Partial<AuthConfig>) } as AuthConfig;
  } catch {
    // Keep the development default: the sign-in page reports the API it cannot reach.
  }
}

export const authConfig = (): AuthConfig => config;
