import { generateKeyPairSync } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import Provider, { errors, type Configuration } from "oidc-provider";

/** Claim names this IdP uses, unlike ours (tid, roles): the API and the app read them through JWT_*_CLAIM. */
export const TENANT_CLAIM = "https://clientele.example/tenant";
export const ROLES_CLAIM = "realm_access.roles";
export const CLIENT_ID = "clientele-admin";
/** The resource (audience) of the Clientele API, and another API's, whose tokens ours must refuse. */
export const AUDIENCE = "https://api.clientele.example";
export const OTHER_AUDIENCE = "https://reports.example";
/** Scope the API's access tokens carry (a resource server's scopes must be asked for). */
export const API_SCOPE = "clientele";
/** Short enough that the app renews its token (refresh token) within the test: the library renews 60 s before expiry. */
const ACCESS_TOKEN_TTL = 75;

export type TestAccount = { id: string; name: string; email: string; tenantId: string; roles: string[] };

export type IdentityProvider = {
  issuer: string;
  provider: Provider;
  /** A token this IdP signs for another API (another audience), as its token endpoint would issue it. */
  tokenForOtherAudience: (accountId: string) => Promise<string>;
  close: () => Promise<void>;
};

/**
 * A local OpenID Connect provider (oidc-provider, its development login form): RS256 keys of its
 * own, the admin app as a public client (PKCE required, as for every public client), JWT access
 * tokens for the API's resource carrying tenant and roles in claims named its own way, refresh
 * tokens, RP-initiated logout. It listens first (the API is configured with the issuer), then
 * `serve` configures it with the app's URL once the API listens.
 */
export async function startIdentityProvider(accounts: TestAccount[]): Promise<{ issuer: string; serve: (appUrl: string) => IdentityProvider }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const byId = new Map(accounts.map((a) => [a.id, a]));
  const serve = (appUrl: string): IdentityProvider => {
    const resourceServer = (audience: string) => ({ audience, scope: API_SCOPE, accessTokenTTL: ACCESS_TOKEN_TTL, accessTokenFormat: "jwt" as const, jwt: { sign: { alg: "RS256" as const } } });

    const configuration: Configuration = {
      clients: [
        {
          client_id: CLIENT_ID,
          token_endpoint_auth_method: "none",
          grant_types: ["authorization_code", "refresh_token"],
          response_types: ["code"],
          redirect_uris: [`${appUrl}/admin/auth/callback`],
          post_logout_redirect_uris: [`${appUrl}/admin/signed-out`],
        },
      ],
      jwks: { keys: [{ ...(privateKey.export({ format: "jwk" }) as object), kid: "test-key-1", alg: "RS256", use: "sig" }] },
      cookies: { keys: ["clientele-e2e-cookie-key"] },
      scopes: ["openid", "profile", "email", "offline_access"],
      claims: { openid: ["sub"], profile: ["name"], email: ["email"] },
      features: {
        devInteractions: { enabled: true },
        rpInitiatedLogout: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => AUDIENCE,
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx, resource) => {
            if (resource === AUDIENCE || resource === OTHER_AUDIENCE) return resourceServer(resource);
            throw new errors.InvalidTarget();
          },
        },
      },
      findAccount: (_ctx, id) => {
        const account = byId.get(id);
        return account ? { accountId: id, claims: () => ({ sub: id, name: account.name, email: account.email }) } : undefined;
      },
      // Tenant and roles go into the API's access token, as an IdP's claim mapper would put them.
      extraTokenClaims: (_ctx, token) => {
        const account = "accountId" in token ? byId.get(token.accountId) : undefined;
        return account ? { [TENANT_CLAIM]: account.tenantId, realm_access: { roles: ["offline_access", ...account.roles] } } : undefined;
      },
      issueRefreshToken: (_ctx, client) => client.grantTypeAllowed("refresh_token"),
      // A first-party client: consent is implied, so the grant is made at login (no consent screen).
      loadExistingGrant: async (ctx) => {
        const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(ctx.oidc.client!.clientId);
        if (grantId) return ctx.oidc.provider.Grant.find(grantId);
        if (!ctx.oidc.session?.accountId) return undefined;
        const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session.accountId });
        grant.addOIDCScope("openid profile email offline_access");
        grant.addResourceScope(AUDIENCE, API_SCOPE);
        await grant.save();
        return grant;
      },
      // Lifetimes and CORS stated, as a deployment would (the library warns about each default left in place).
      ttl: { AccessToken: ACCESS_TOKEN_TTL, IdToken: 3600, RefreshToken: 3600, Session: 3600, Grant: 3600, Interaction: 600 },
      clientBasedCORS: (_ctx, origin) => origin === new URL(appUrl).origin,
    };
    const provider = new Provider(issuer, configuration);
    server.on("request", provider.callback());

    return {
      issuer,
      provider,
      tokenForOtherAudience: async (accountId) => {
        const client = await provider.Client.find(CLIENT_ID);
        if (!client) throw new Error(`no client ${CLIENT_ID}`);
        const grant = new provider.Grant({ clientId: CLIENT_ID, accountId });
        grant.addResourceScope(OTHER_AUDIENCE, API_SCOPE);
        const grantId = await grant.save();
        const token = new provider.AccessToken({ accountId, client, grantId, gty: "authorization_code", scope: API_SCOPE, resourceServer: new provider.ResourceServer(OTHER_AUDIENCE, resourceServer(OTHER_AUDIENCE)) });
        return token.save();
      },
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  };
  return { issuer, serve };
}
