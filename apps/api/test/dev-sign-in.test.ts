import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newTenant, rest, startTestServer, type TestServer } from "./harness";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

describe("development sign-in (POST /api/v1/dev/sign-in)", () => {
  it("mints a token for the chosen tenant, user and roles that the API accepts", async () => {
    const tenantId = newTenant();
    const res = await rest(server.url).post("/dev/sign-in", { tenantId, userId: "u-dev", roles: ["SalesRep"], name: "Dev User" });
    expect(res.status).toBe(200);
    expect(Date.parse(res.body.expiresAt)).toBeGreaterThan(Date.now());
    const claims = JSON.parse(Buffer.from(res.body.token.split(".")[1], "base64url").toString());
    expect(claims).toMatchObject({ sub: "u-dev", tid: tenantId, roles: ["SalesRep"], name: "Dev User" });
    // The roles are the token's: a SalesRep may create, and may not delete.
    const api = rest(server.url, res.body.token);
    const created = await api.post("/customers", { companyName: "Dev Co", type: "SmallBusiness", primaryEmail: `dev.${tenantId}@dev-co.com`, primaryPhone: "+44 20 7946 0958", billingAddress: { street: "1 High Street", city: "London", state: "Greater London", zipCode: "SW1A 1AA", country: "GB" } });
    expect(created.status).toBe(201);
    expect((await api.del(`/customers/${created.body.id}?reason=test`)).status).toBe(403);
  });

  it("offers the roles and the demo tenant's staff to pick from", async () => {
    const res = await rest(server.url).get("/dev/sign-in");
    expect(res.status).toBe(200);
    expect(res.body.roles).toContain("Viewer");
    expect(res.body.tenants).toEqual(["demo"]);
    expect(res.body.users).toContainEqual(expect.objectContaining({ id: "u-alex-morgan", roles: ["Admin"] }));
  });

  it("refuses an unknown role, no role and a malformed tenant with field messages", async () => {
    const res = await rest(server.url).post("/dev/sign-in", { tenantId: "bad tenant!", userId: "u", roles: ["Wizard"] });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.errors).sort()).toEqual(["roles.0", "tenantId"]);
    const none = await rest(server.url).post("/dev/sign-in", { tenantId: "t1", userId: "u", roles: [] });
    expect(none.status).toBe(400);
    expect(none.body.errors.roles).toEqual(["pick at least one role"]);
  });
});

describe("in production", () => {
  it("the route does not exist", async () => {
    const prod = await startTestServer({
      NODE_ENV: "production",
      JWT_SECRET: "a-production-secret-of-at-least-32-characters",
      DOWNLOAD_URL_SECRET: "a-production-download-secret-of-32-characters",
    });
    try {
      expect((await rest(prod.url).post("/dev/sign-in", { tenantId: "t1", userId: "u", roles: ["Admin"] })).status).toBe(404);
      expect((await rest(prod.url).get("/dev/sign-in")).status).toBe(404);
    } finally {
      await prod.close();
    }
  });
});

describe("outside production with a secret of the deployment's own", () => {
  it("the route does not exist (a forgotten NODE_ENV must not open it)", async () => {
    const own = await startTestServer({ NODE_ENV: "development", JWT_SECRET: "a-deployment-secret-of-at-least-32-characters" });
    try {
      expect((await rest(own.url).post("/dev/sign-in", { tenantId: "t1", userId: "u", roles: ["Admin"] })).status).toBe(404);
      expect((await rest(own.url).get("/dev/sign-in")).status).toBe(404);
    } finally {
      await own.close();
    }
  });
});
