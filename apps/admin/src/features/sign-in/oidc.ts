// OpenID Connect sign-in (authorization code + PKCE S256, a public client) through oidc-client-ts.
// Loaded only when the API's runtime config names an issuer, so development builds and the
// customers screen's first load do not carry the library.
import { UserManager, WebStorageStateStore, type User } from "oidc-client-ts";
import { authConfig } from "../../auth-config";
import { signIn, signOut } from "../../session";

const appUrl = (path: string) => `${window.location.origin}${import.meta.env.BASE_URL}${path}`;

/** Where the identity provider sends the browser back (register both at the IdP). */
export const CALLBACK_PATH = "auth/callback";
export const SIGNED_OUT_PATH = "signed-out";

let manager: UserManager | undefined;

function userManager(): UserManager {
  const oidc = authConfig().oidc;
  if (!oidc) throw new Error("This server has no identity provider configured (OIDC_ISSUER).");
  if (manager) return manager;
  const audience = oidc.audienceParam ? { [oidc.audienceParam]: oidc.audience } : {};
  manager = new UserManager({
    authority: oidc.issuer,
    client_id: oidc.clientId,
    redirect_uri: appUrl(CALLBACK_PATH),
    post_logout_redirect_uri: appUrl(SIGNED_OUT_PATH),
    response_type: "code",
    scope: oidc.scope,
    extraQueryParams: audience,
    extraTokenParams: audience,
    // Per tab, like the development session: a second tab signs in on its own (the IdP's session makes that a redirect).
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    // Renewal uses a refresh token when the IdP grants one (below); an iframe would need third-party
    // cookies and a frameable page, so without one an expired token means "sign in again".
    automaticSilentRenew: false,
  });
  manager.events.addAccessTokenExpiring(() => {
    void manager!.getUser().then((user) => (user?.refresh_token ? manager!.signinSilent({ extraTokenParams: audience }) : null)).catch(() => {
      // Renewal refused: the token runs out and the next API call's 401 asks the user to sign in again.
    });
  });
  manager.events.addUserLoaded(adopt);
  return manager;
}

/** The API is called with the access token (audience JWT_AUDIENCE); the ID token only names the user. */
function adopt(user: User): void {
  const name = typeof user.profile.name === "string" ? user.profile.name : undefined;
  signIn(user.access_token, name);
}

/** Only same-app paths: an IdP round trip must not turn into an open redirect. */
export const safeNext = (next: string | undefined): string =>
  next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") && !next.startsWith("/sign-in") && !next.startsWith(`/${CALLBACK_PATH}`) ? next : "/customers";

/** To the identity provider's sign-in; it comes back to the callback with `next` in the library's state. */
export async function startSignIn(next: string | undefined): Promise<void> {
  // state (checked by the library on return) carries where to go; the nonce is checked in the ID token.
  await userManager().signinRedirect({ state: { next: safeNext(next) }, nonce: crypto.randomUUID().replaceAll("-", "") });
}

/** On the callback route: the code for tokens (PKCE verifier, state and nonce checked), then where the user was going. */
export async function completeSignIn(): Promise<string> {
  const user = await userManager().signinRedirectCallback();
  adopt(user);
  const state = user.state as { next?: string } | undefined;
  return safeNext(state?.next);
}

/** Ends the session at the identity provider when it offers an end-session endpoint; false when it does not. */
export async function signOutAtIdp(): Promise<boolean> {
  const um = userManager();
  const user = await um.getUser();
  const metadata = await um.metadataService.getMetadata().catch(() => null);
  if (!metadata?.end_session_endpoint) {
    await um.removeUser();
    signOut(false);
    return false;
  }
  // The page leaves for the IdP: no re-render that would start a new sign-in first.
  signOut(false);
  await um.signoutRedirect(user?.id_token ? { id_token_hint: user.id_token } : {});
  return true;
}

/** After a reload: renew the signed-in user's token before it runs out (refresh token permitting). */
export async function keepRenewed(): Promise<void> {
  await userManager().getUser();
}
