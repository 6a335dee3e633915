import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEVELOPMENT_JWT_SECRET, loadEnv } from "../src/env";
import { newTenant, rest, startTestServer, type TestServer } from "./harness";

// Production sign-in's API side: the admin app's runtime config, and tokens whose identity
// provider names tenant and roles its own way (JWT_*_CLAIM). The browser flow is apps/admin/e2e/oidc.test.ts.

const TENANT_CLAIM = "https://clientele.example/tenant";
const ROLES_CLAIM = "realm_access.roles";

const sign = (claims: Record<string, unknown>, sub = "idp-user-1") =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(sub)
    .setIssuer("clientele")
    .setAudience("clientele-api")
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(new TextEncoder().encode(DEVELOPMENT_JWT_SECRET));

describe("the admin app's runtime config (GET /admin/config.json)", () => {
  it("names no identity provider by default (the development sign-in page), and our claim names", async () => {
    const server = await startTestServer();
    try {
      const res = await fetch(`${server.url}/admin/config.json`);
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(await res.json()).toEqual({ oidc: null, claims: { userId: "sub", tenantId: "tid", roles: "roles", name: "name", email: "email" }, links: { queues: "/ops/queues" } });
    } finally {
      await server.close();
    }
  });

  it("names the issuer, client, audience and claims the API is configured with, and lets the page fetch from the issuer", async () => {
    const server = await startTestServer({ OIDC_ISSUER: "https://login.example.com/realms/acme", OIDC_CLIENT_ID: "clientele-admin", JWT_AUDIENCE: "acme-crm", JWT_TENANT_CLAIM: TENANT_CLAIM });
    try {
      const res = await fetch(`${server.url}/admin/config.json`);
      expect(await res.json()).toEqual({
        oidc: { issuer: "https://login.example.com/realms/acme", clientId: "clientele-admin", audience: "acme-crm", audienceParam: "resource", scope: "openid profile email" },
        claims: { userId: "sub", tenantId: TENANT_CLAIM, roles: "roles", name: "name", email: "email" },
        links: { queues: "/ops/queues" },
      });
      expect(res.headers.get("content-security-policy")).toMatch(/connect-src 'self' https:\/\/login\.example\.com(;|$)/);
    } finally {
      await server.close();
    }
  });

  it("refuses an issuer without a client id, and an unknown audience parameter", () => {
    expect(() => loadEnv({ OIDC_ISSUER: "https://login.example.com" })).toThrow(/OIDC_CLIENT_ID: is required with OIDC_ISSUER/);
    expect(() => loadEnv({ OIDC_ISSUER: "https://login.example.com", OIDC_CLIENT_ID: "c", OIDC_AUDIENCE_PARAM: "aud" })).toThrow(/OIDC_AUDIENCE_PARAM/);
  });
});

describe("claim mapping (JWT_TENANT_CLAIM, JWT_ROLES_CLAIM, ...)", () => {
  let server: TestServer;
  const tenant = newTenant();
  beforeAll(async () => {
    server = await startTestServer({ JWT_TENANT_CLAIM: TENANT_CLAIM, JWT_ROLES_CLAIM: ROLES_CLAIM, JWT_NAME_CLAIM: "preferred_username" });
  });
  afterAll(() => server?.close());

  it("reads tenant and roles from the configured claims (exact name, dotted path), dropping the IdP's own groups", async () => {
    const token = await sign({ [TENANT_CLAIM]: tenant, realm_access: { roles: ["offline_access", "SalesRep"] }, preferred_username: "sam" });
    const api = rest(server.url, token);
    expect((await api.get("/customers")).status).toBe(200);
    // SalesRep may create, not delete: the role came from realm_access.roles.
    const created = await api.post("/customers", { companyName: "Mapped Co", type: "SmallBusiness", primaryEmail: `m.${tenant}@mapped-co.com`, primaryPhone: "+44 20 7946 0958", billingAddress: { street: "1 High Street", city: "London", state: "Greater London", zipCode: "SW1A 1AA", country: "GB" } });
    expect(created.status).toBe(201);
    expect((await api.del(`/customers/${created.body.id}?reason=test`)).status).toBe(403);
    // The tenant is the mapped claim's: another tenant's Admin does not see the record.
    const admin = async (t: string) => rest(server.url, await sign({ [TENANT_CLAIM]: t, realm_access: { roles: ["Admin"] } }, "idp-admin"));
    expect((await (await admin(newTenant())).get(`/customers/${created.body.id}`)).status).toBe(404);
    expect((await (await admin(tenant)).get(`/customers/${created.body.id}`)).status).toBe(200);
  });

  it("accepts roles as a space-separated string", async () => {
    const token = await sign({ [TENANT_CLAIM]: tenant, realm_access: { roles: "Viewer uma_authorization" } });
    const api = rest(server.url, token);
    expect((await api.get("/customers")).status).toBe(200);
    expect((await api.post("/customers", {})).status).toBe(403);
  });

  it("refuses (401) a token without the configured tenant claim, or with none of our roles, naming the claim", async () => {
    const ours = await sign({ tid: tenant, roles: ["Admin"] });
    const noTenant = await rest(server.url, ours).get("/customers");
    expect(noTenant.status).toBe(401);
    expect(noTenant.body.detail).toContain(TENANT_CLAIM);
    const noRole = await rest(server.url, await sign({ [TENANT_CLAIM]: tenant, realm_access: { roles: ["offline_access"] } })).get("/customers");
    expect(noRole.status).toBe(401);
    expect(noRole.body.detail).toContain(`${ROLES_CLAIM} names none of the roles`);
  });
});
