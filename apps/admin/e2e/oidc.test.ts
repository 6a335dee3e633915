import { newTenant, rest, startTestServer, type TestServer } from "@clientele/api/test/harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkScreen, launchBrowser, type Page } from "./browser";
import { API_SCOPE, AUDIENCE, CLIENT_ID, OTHER_AUDIENCE, ROLES_CLAIM, TENANT_CLAIM, startIdentityProvider, type IdentityProvider } from "./identity-provider";

// Production sign-in end to end: the API in production mode verifying the IdP's RS256 tokens
// through its JWKS, the built app signing in at a local oidc-provider (authorization code + PKCE).

const tenant = newTenant();
const account = { id: "sam.okafor", name: "Sam Okafor", email: "sam.okafor@example.com", tenantId: tenant, roles: ["SupportAgent"] };

let idp: IdentityProvider;
let server: TestServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

beforeAll(async () => {
  // The issuer's port is known before the API starts; the IdP learns the app's URL once the API listens.
  const listening = await startIdentityProvider([account]);
  server = await startTestServer({
    NODE_ENV: "production",
    DOWNLOAD_URL_SECRET: "a-production-download-secret-of-32-characters",
    JWT_JWKS_URL: `${listening.issuer}/jwks`,
    JWT_ISSUER: listening.issuer,
    JWT_AUDIENCE: AUDIENCE,
    JWT_TENANT_CLAIM: TENANT_CLAIM,
    JWT_ROLES_CLAIM: ROLES_CLAIM,
    OIDC_ISSUER: listening.issuer,
    OIDC_CLIENT_ID: CLIENT_ID,
    OIDC_SCOPE: `openid profile email offline_access ${API_SCOPE}`,
  });
  idp = listening.serve(server.url);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await idp?.close();
});

const storedToken = (page: Page) => page.evaluate(() => sessionStorage.getItem("clientele.admin.token"));
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;
const headerOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[0]!, "base64url").toString()) as Record<string, unknown>;

async function logInAtIdp(page: Page): Promise<void> {
  await page.locator('input[name="login"]').fill(account.id);
  await page.locator('input[name="password"]').fill("any password");
  await page.getByRole("button", { name: "Sign-in" }).click();
}

describe("sign-in through the identity provider (OpenID Connect, code + PKCE)", () => {
  it("signs in at the IdP, calls the API with its token, renews it, asks again after a 401, signs out at the IdP, and refuses a forged callback", async () => {
    const page = await browser.browser.newPage();

    const authorizations: URL[] = [];
    page.on("request", (request) => {
      if (request.url().startsWith(`${idp.issuer}/auth?`)) authorizations.push(new URL(request.url()));
    });

    // Visiting the app without a session goes to the IdP's login, with PKCE S256, state, nonce and the API as resource.
    await page.goto(`${server.url}/admin/customers?q=acme`);
    await page.locator('input[name="login"]').waitFor();
    expect(authorizations).toHaveLength(1);
    const params = Object.fromEntries(authorizations[0]!.searchParams);
    expect(params).toMatchObject({ response_type: "code", client_id: CLIENT_ID, redirect_uri: `${server.url}/admin/auth/callback`, code_challenge_method: "S256", resource: AUDIENCE });
    expect(params.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.state).toBeTruthy();
    expect(params.nonce).toBeTruthy();
    await logInAtIdp(page);

    // Back in the app where the visit began, signed in as the IdP's user with the role its claims carry.
    await page.getByTestId("signed-in-user").waitFor();
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe("/admin/customers?q=acme");
    expect(await page.getByTestId("signed-in-user").textContent()).toBe(account.name);
    expect(await page.getByTestId("signed-in-role").allTextContents()).toEqual(["SupportAgent"]);
    await page.getByText(`tenant ${tenant}`).waitFor();
    await page.getByRole("heading", { name: "Customers" }).waitFor();

    // The token is the IdP's (RS256, its issuer, the API's audience), and the API accepts it.
    const token = (await storedToken(page))!;
    expect(headerOf(token)).toMatchObject({ alg: "RS256", kid: "test-key-1" });
    expect(claimsOf(token)).toMatchObject({ iss: idp.issuer, aud: AUDIENCE, sub: account.id, [TENANT_CLAIM]: tenant });
    const list = await rest(server.url, token).get("/customers");
    expect(list.status).toBe(200);
    // A SupportAgent reads but does not create: the role came from the IdP's claim.
    expect((await rest(server.url, token).post("/customers", {})).status).toBe(403);

    // The same IdP's token for another API is refused.
    const other = await idp.tokenForOtherAudience(account.id);
    expect(claimsOf(other)).toMatchObject({ iss: idp.issuer, aud: OTHER_AUDIENCE, sub: account.id });
    const refused = await rest(server.url, other).get("/customers");
    expect(refused.status).toBe(401);
    expect(refused.body.detail).toMatch(/aud/);

    // A token the API refuses (here: its signature broken) sends the user to sign in, then back where they were.
    await page.evaluate(() => {
      const t = sessionStorage.getItem("clientele.admin.token")!;
      sessionStorage.setItem("clientele.admin.token", `${t.slice(0, -4)}${t.endsWith("AAAA") ? "BBBB" : "AAAA"}`);
    });
    await page.goto(`${server.url}/admin/tasks`);
    await page.getByText("Your session has expired").waitFor();
    expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({ next: "/tasks", reason: "expired" });
    await checkScreen(page, "oidc-session-expired");
    await page.getByRole("button", { name: "Sign in again" }).click();
    // The IdP's session is still alive: no login form, straight back to the page the 401 came from.
    await page.getByRole("heading", { name: "My tasks" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/admin/tasks");
    const again = (await storedToken(page))!;
    expect((await rest(server.url, again).get("/customers")).status).toBe(200);

    // Before it expires the app renews the access token with the refresh token; the new one works too.
    await expect.poll(() => storedToken(page), { timeout: 40_000, interval: 500 }).not.toBe(again);
    const renewed = (await storedToken(page))!;
    expect(Number(claimsOf(renewed).exp)).toBeGreaterThan(Number(claimsOf(again).exp));
    expect((await rest(server.url, renewed).get("/customers")).status).toBe(200);
    await page.getByTestId("signed-in-user").waitFor();

    // Signing out ends the IdP's session too (its end-session endpoint), then says so in the app.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((url) => url.href.startsWith(`${idp.issuer}/`));
    await page.getByRole("button", { name: "Yes, sign me out" }).click();
    await page.getByText("You are signed out.").waitFor();
    expect(new URL(page.url()).pathname).toBe("/admin/sign-in");
    expect(await storedToken(page)).toBeNull();
    await checkScreen(page, "oidc-signed-out");
    // Signing in again needs the IdP's login: its session has ended.
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator('input[name="login"]').waitFor();

    // A callback this tab did not start (forged or replayed state) is refused by the library, with a way to try again.
    await page.goto(`${server.url}/admin/auth/callback?code=forged-code&state=forged-state&iss=${encodeURIComponent(idp.issuer)}`);
    await page.getByText("Sign-in failed").waitFor();
    await page.getByText(/state/i).first().waitFor();
    expect(await storedToken(page)).toBeNull();
    await checkScreen(page, "oidc-callback-refused");
    await page.getByRole("button", { name: "Try again" }).click();
    await page.locator('input[name="login"]').waitFor();
    await page.close();
  }, 120_000);
});
