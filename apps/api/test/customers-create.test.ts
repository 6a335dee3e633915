import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBody, newTenant, rest, startTestServer, type Api, type TestServer } from "./harness";

let server: TestServer;
let tenant: string;
let admin: Api;

beforeAll(async () => {
  server = await startTestServer();
  tenant = newTenant();
  admin = rest(server.url, await server.token("Admin", tenant));
});
afterAll(() => server.close());

describe("POST /api/v1/customers", () => {
  it("creates an Active customer with a sequential number and answers 201", async () => {
    const first = await admin.post("/customers", customerBody({ companyName: "Globex Ltd" }));
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ companyName: "Globex Ltd", status: "Active", version: 1, warnings: [] });
    expect(first.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.body.customerNumber).toMatch(/^CUS-\d{6}$/);
    const second = await admin.post("/customers", customerBody());
    const n = (s: string) => Number(s.slice(4));
    expect(n(second.body.customerNumber)).toBe(n(first.body.customerNumber) + 1);

    const got = await admin.get(`/customers/${first.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body.contactInfo.primaryPhone).toBe("+442079460958");
    expect(got.body.profile).toMatchObject({ segment: "Standard", rating: "Unrated", lifetimeValue: 0, type: "SmallBusiness" });
    // REQ-CUS-016 defaults.
    expect(got.body.preferences).toMatchObject({
      preferredLanguage: "en",
      timeZone: "UTC",
      notifications: { email: true, sms: false, push: true },
      marketingConsent: false,
      dataProcessingConsent: true,
    });
  });

  it("derives an Individual's display name and puts Enterprises in Corporate", async () => {
    const person = await admin.post("/customers", customerBody({ type: "Individual", companyName: undefined, firstName: "Ada", lastName: "Lovelace" }));
    expect(person.status).toBe(201);
    expect(person.body.companyName).toBe("Ada Lovelace");
    const ent = await admin.post("/customers", customerBody({ type: "Enterprise" }));
    expect((await admin.get(`/customers/${ent.body.id}`)).body.profile.segment).toBe("Corporate");
  });

  it("normalizes the phone with the billing country and accepts the spec's valid examples", async () => {
    const national = await admin.post(
      "/customers",
      customerBody({ primaryPhone: "(415) 555-2671", billingAddress: { street: "1 Market St", city: "San Francisco", state: "CA", zipCode: "94105", country: "US" } }),
    );
    expect(national.status).toBe(201);
    expect((await admin.get(`/customers/${national.body.id}`)).body.contactInfo.primaryPhone).toBe("+14155552671");
    for (const phone of ["+1-555-123-4567", "+44 20 7946 0958", "+91 98765 43210"]) {
      expect((await admin.post("/customers", customerBody({ primaryPhone: phone }))).status).toBe(201);
    }
  });

  it("rejects the spec's invalid phones without a country code", async () => {
    for (const phone of ["555-1234", "(555) 123-4567"]) {
      const res = await admin.post(
        "/customers",
        customerBody({ primaryPhone: phone, billingAddress: { street: "x st 1", city: "Nowhere", state: "NA", zipCode: "12345", country: "AQ" } }),
      );
      expect(res.status).toBe(400);
      expect(res.body.errors.primaryPhone).toBeDefined();
    }
  });

  it("answers 400 with every field error at once, as problem+json", async () => {
    const res = await admin.post("/customers", {
      ...customerBody(),
      companyName: "A",
      primaryEmail: "not-an-email",
      primaryPhone: "12",
      billingAddress: { street: "", city: "London", state: "L", zipCode: "SW1A 1AA", country: "XX" },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(res.body).toMatchObject({ type: "ValidationError", status: 400, instance: "/api/v1/customers", code: "VALIDATION" });
    expect(res.body.traceId).toBeTruthy();
    expect(Object.keys(res.body.errors).sort()).toEqual(
      ["billingAddress.country", "billingAddress.street", "companyName", "primaryEmail", "primaryPhone"].sort(),
    );
  });

  it("rejects disposable email domains and over-long emails with specific messages", async () => {
    const disposable = await admin.post("/customers", customerBody({ primaryEmail: "someone@mailinator.com" }));
    expect(disposable.status).toBe(400);
    expect(disposable.body.errors.primaryEmail[0]).toMatch(/disposable/);
    const long = await admin.post("/customers", customerBody({ primaryEmail: `${"a".repeat(250)}@example.com` }));
    expect(long.status).toBe(400);
  });

  it("reports missing and mistyped fields from the schema", async () => {
    const res = await admin.post("/customers", { type: "Spaceship" });
    expect(res.status).toBe(400);
    expect(res.body.errors.primaryEmail).toEqual(["is required"]);
    expect(res.body.errors.billingAddress).toEqual(["is required"]);
    expect(res.body.errors.type[0]).toMatch(/Individual/);
  });

  it("keeps an unverifiable postal code as a warning, not an error", async () => {
    const res = await admin.post(
      "/customers",
      customerBody({ billingAddress: { street: "Unter den Linden 1", city: "Berlin", state: "Berlin", zipCode: "ABC", country: "DE" } }),
    );
    expect(res.status).toBe(201);
    expect(res.body.warnings).toHaveLength(1);
    expect(res.body.warnings[0]).toMatch(/billingAddress.*DE/);
  });

  it("requires a complete shipping address when one is given, or copies billing", async () => {
    const partial = await admin.post("/customers", customerBody({ shippingAddress: { street: "2 Low St", city: "", state: "", zipCode: "", country: "GB" } }));
    expect(partial.status).toBe(400);
    expect(Object.keys(partial.body.errors)).toContain("shippingAddress.city");
    const same = await admin.post("/customers", customerBody({ shippingSameAsBilling: true }));
    expect(same.status).toBe(201);
    const got = await admin.get(`/customers/${same.body.id}`);
    expect(got.body.contactInfo.shippingAddress).toEqual(got.body.contactInfo.billingAddress);
  });

  it("rejects malformed JSON with 400, not 500", async () => {
    const res = await admin.post("/customers", "{not json");
    expect(res.status).toBe(400);
    expect(res.body.errors.body).toBeDefined();
  });

  it("gives 50 parallel creates 50 distinct, gap-free numbers", async () => {
    const t = newTenant();
    const api = rest(server.url, await server.token("SalesRep", t));
    const results = await Promise.all(Array.from({ length: 50 }, () => api.post("/customers", customerBody())));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    const numbers = results.map((r) => Number(r.body.customerNumber.slice(4))).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });
});

describe("authentication and authorization", () => {
  const secret = new TextEncoder().encode("clientele-development-secret-change-me-0123456789");
  const sign = (claims: Record<string, unknown>, opts: { iss?: string; aud?: string; exp?: string | number; alg?: string } = {}) =>
    new SignJWT({ tid: tenant, roles: ["Admin"], ...claims })
      .setProtectedHeader({ alg: opts.alg ?? "HS256" })
      .setSubject("user-x")
      .setIssuer(opts.iss ?? "clientele")
      .setAudience(opts.aud ?? "clientele-api")
      .setIssuedAt()
      .setExpirationTime(opts.exp ?? "60m")
      .sign(secret);

  it("answers 401 without a token, with a malformed header, or with a bad signature", async () => {
    expect((await rest(server.url).post("/customers", customerBody())).status).toBe(401);
    const malformed = await rest(server.url).get("/customers/search", { authorization: "Token abc" });
    expect(malformed.status).toBe(401);
    const forged = (await sign({})).slice(0, -4) + "AAAA";
    expect((await rest(server.url, forged).get("/customers/search")).status).toBe(401);
  });

  it("answers 401 for an expired token, a wrong issuer or audience, missing claims, or another algorithm", async () => {
    const expired = await sign({}, { exp: Math.floor(Date.now() / 1000) - 60 });
    const res = await rest(server.url, expired).get("/customers/search");
    expect(res.status).toBe(401);
    expect(res.body.detail).toMatch(/expired/);
    expect((await rest(server.url, await sign({}, { iss: "someone-else" })).get("/customers/search")).status).toBe(401);
    expect((await rest(server.url, await sign({}, { aud: "other-api" })).get("/customers/search")).status).toBe(401);
    expect((await rest(server.url, await sign({ roles: [] })).get("/customers/search")).status).toBe(401);
    expect((await rest(server.url, await sign({ roles: ["Superuser"] })).get("/customers/search")).status).toBe(401);
    expect((await rest(server.url, await sign({}, { alg: "HS512" })).get("/customers/search")).status).toBe(401);
  });

  it.each([
    ["Viewer", 403],
    ["SupportAgent", 403],
    ["MarketingManager", 403],
    ["SalesRep", 201],
    ["CustomerManager", 201],
  ] as const)("create as %s answers %i", async (role, status) => {
    const res = await rest(server.url, await server.token(role, tenant)).post("/customers", customerBody());
    expect(res.status).toBe(status);
    if (status === 403) expect(res.body).toMatchObject({ type: "ForbiddenError", code: "AUTH-002" });
  });

  it("provisions a tenant the first time it is seen", async () => {
    const fresh = newTenant();
    await rest(server.url, await server.token("Viewer", fresh)).get("/customers/search");
    const row = await server.deps.db.selectFrom("tenants").selectAll().where("id", "=", fresh).executeTakeFirst();
    expect(row?.id).toBe(fresh);
  });
});
