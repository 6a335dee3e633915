import { randomUUID } from "node:crypto";
import { listAudit, listEventsForAggregate } from "@clientele/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBody, newTenant, startTestServer, type Api, type TestServer } from "./harness";

let server: TestServer;
let tenant: string;
let admin: Api;

const ADMIN_ID = "admin-42";
const BILLING = { street: "1 High Street", city: "London", state: "Greater London", zipCode: "SW1A 1AA", country: "GB" };
const DEFAULT_PREFERENCES = {
  communication: { channels: ["Email"], frequency: null },
  preferredEventTypes: [],
  interests: [],
  preferredLanguage: "en",
  timeZone: "UTC",
  notifications: { email: true, sms: false, push: true },
  marketingConsent: false,
  dataProcessingConsent: true,
  analyticsTracking: true,
};

beforeAll(async () => {
  server = await startTestServer();
  tenant = newTenant();
  admin = await server.as("Admin", tenant, ADMIN_ID);
});
afterAll(() => server.close());

/** Creates a customer in the main tenant and returns its id. */
async function create(overrides: Record<string, unknown> = {}, api: Api = admin): Promise<string> {
  const res = await api.post("/customers", customerBody(overrides));
  expect(res.status).toBe(201);
  return res.body.id as string;
}

const events = async (id: string, t = tenant) =>
  (await listEventsForAggregate(server.deps.db, t, id)).map((e) => e.envelope);
const eventsOf = async (id: string, type: string, t = tenant) => (await events(id, t)).filter((e) => e.type === type);
const audit = (id: string, t = tenant) => listAudit(server.deps.db, t, "Customer", id);

async function current(id: string, api: Api = admin) {
  const res = await api.get(`/customers/${id}`);
  expect(res.status).toBe(200);
  return res.body;
}

describe("PUT /customers/{id}/profile", () => {
  it("updates companyName, industry and website and answers the full customer with a new version and ETag", async () => {
    const id = await create({ companyName: "Globex Ltd", industry: "Manufacturing" });
    const before = await current(id);
    expect(before.lastModifiedAt).toBeNull();

    const res = await admin.put(`/customers/${id}/profile`, {
      companyName: "Globex Corporation",
      industry: "Energy",
      website: "https://globex.example.com",
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBe('"2"');
    expect(res.body).toMatchObject({
      id,
      customerNumber: before.customerNumber,
      version: 2,
      status: "Active",
      lastModifiedBy: ADMIN_ID,
      warnings: [],
      profile: { companyName: "Globex Corporation", industry: "Energy", type: "SmallBusiness" },
      contactInfo: { website: "https://globex.example.com", primaryEmail: before.contactInfo.primaryEmail },
      preferences: DEFAULT_PREFERENCES,
    });
    expect(res.body.lastModifiedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(Date.parse(res.body.lastModifiedAt)).toBeGreaterThanOrEqual(Date.parse(before.createdAt));

    // The change is persisted, not just echoed.
    const after = await current(id);
    const { warnings: _w, possibleDuplicates: _d, ...written } = res.body;
    expect(after).toEqual(written);
  });

  it("raises CustomerProfileUpdated with only the changed fields, and audits from/to", async () => {
    const id = await create({ companyName: "Initech", industry: "Software" });
    const res = await admin.put(`/customers/${id}/profile`, {
      companyName: "Initech Global",
      industry: "Software", // unchanged: must not appear as a change
      website: "https://initech.example.com",
    });
    expect(res.status).toBe(200);

    const updated = await eventsOf(id, "CustomerProfileUpdated");
    expect(updated).toHaveLength(1);
    expect(updated[0]).toMatchObject({ aggregateId: id, tenantId: tenant, version: 2, actor: ADMIN_ID });
    expect(updated[0]!.data.changedFields).toEqual({ companyName: "Initech Global", website: "https://initech.example.com" });
    expect(updated[0]!.data).toMatchObject({ customerId: id, updatedBy: ADMIN_ID });

    const rows = (await audit(id)).filter((r) => r.action === "CustomerProfileUpdated");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.actorId).toBe(ADMIN_ID);
    expect(rows[0]!.changes).toEqual({
      companyName: { from: "Initech", to: "Initech Global" },
      website: { from: null, to: "https://initech.example.com" },
    });
  });

  it("rejects an invalid website with 400 errors.website and leaves the customer unchanged", async () => {
    const id = await create();
    for (const website of ["not a url", "ftp://files.example.com", "https://localhost"]) {
      const res = await admin.put(`/customers/${id}/profile`, { website });
      expect(res.status, website).toBe(400);
      expect(res.body).toMatchObject({ type: "ValidationError", code: "VALIDATION" });
      expect(res.body.errors.website).toBeDefined();
    }
    const after = await current(id);
    expect(after.version).toBe(1);
    expect(after.contactInfo.website).toBeNull();
  });

  it("requires companyName of at least 2 characters (2 is accepted)", async () => {
    const id = await create({ companyName: "Umbrella" });
    const short = await admin.put(`/customers/${id}/profile`, { companyName: "A" });
    expect(short.status).toBe(400);
    expect(short.body.errors.companyName).toBeDefined();
    const blank = await admin.put(`/customers/${id}/profile`, { companyName: "   " });
    expect(blank.status).toBe(400);
    expect((await current(id)).profile.companyName).toBe("Umbrella");

    const two = await admin.put(`/customers/${id}/profile`, { companyName: "AB" });
    expect(two.status).toBe(200);
    expect(two.body.profile.companyName).toBe("AB");
  });

  it("refuses to change the customer type", async () => {
    const id = await create({ type: "SmallBusiness" });
    const res = await admin.put(`/customers/${id}/profile`, { type: "Enterprise", companyName: "Renamed Co" });
    expect(res.status).toBe(400);
    expect(res.body.errors.type).toEqual(["type cannot be changed after creation"]);
    const after = await current(id);
    expect(after.profile.type).toBe("SmallBusiness");
    expect(after.profile.companyName).not.toBe("Renamed Co");
    expect(after.version).toBe(1);
  });

  it("treats an update with the same values as a no-op: 200, same version, no event, no audit row", async () => {
    const id = await create({ companyName: "Stark Industries", industry: "Defense" });
    const eventsBefore = (await events(id)).length;
    const auditBefore = (await audit(id)).length;

    const res = await admin.put(`/customers/${id}/profile`, { companyName: "Stark Industries", industry: "Defense" });
    expect(res.status).toBe(200);
    expect(res.body.version).toBe(1);
    expect(res.headers.get("etag")).toBe('"1"');
    expect(res.body.lastModifiedAt).toBeNull();
    expect((await events(id)).length).toBe(eventsBefore);
    expect((await audit(id)).length).toBe(auditBefore);
    expect((await current(id)).version).toBe(1);
  });
});

describe("optimistic concurrency", () => {
  it("answers 409 ConflictError for a stale body version and 200 for the current one", async () => {
    const id = await create({ companyName: "Hooli" });
    expect((await admin.put(`/customers/${id}/profile`, { industry: "Search" })).body.version).toBe(2);

    const stale = await admin.put(`/customers/${id}/profile`, { version: 1, companyName: "Hooli XYZ" });
    expect(stale.status).toBe(409);
    expect(stale.headers.get("content-type")).toContain("application/problem+json");
    expect(stale.body).toMatchObject({ type: "ConflictError", status: 409, code: "CONCURRENCY" });
    expect((await current(id)).profile.companyName).toBe("Hooli");

    const ok = await admin.put(`/customers/${id}/profile`, { version: 2, companyName: "Hooli XYZ" });
    expect(ok.status).toBe(200);
    expect(ok.body.version).toBe(3);
    expect(ok.body.profile.companyName).toBe("Hooli XYZ");
  });

  it("honours If-Match as the read version", async () => {
    const id = await create({ companyName: "Pied Piper" });
    await admin.put(`/customers/${id}/profile`, { industry: "Compression" });

    const stale = await admin.put(`/customers/${id}/profile`, { companyName: "Pied Piper Inc" }, { "if-match": '"1"' });
    expect(stale.status).toBe(409);
    expect(stale.body.type).toBe("ConflictError");
    expect((await current(id)).profile.companyName).toBe("Pied Piper");

    const ok = await admin.put(`/customers/${id}/profile`, { companyName: "Pied Piper Inc" }, { "if-match": '"2"' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("etag")).toBe('"3"');
  });

  it("also checks versions on contact info, preferences, deactivate and reactivate", async () => {
    const id = await create();
    await admin.put(`/customers/${id}/profile`, { industry: "Retail" }); // now version 2
    const stale = [
      await admin.put(`/customers/${id}/contact-info`, { version: 1, primaryEmail: `x.${randomUUID().slice(0, 6)}@acme-widgets.com` }),
      await admin.put(`/customers/${id}/shipping-address`, { version: 1, sameAsBilling: true }),
      await admin.put(`/customers/${id}/preferences`, { version: 1, marketingConsent: true }),
      await admin.post(`/customers/${id}/deactivate`, { version: 1, reason: "duplicate record" }),
    ];
    expect(stale.map((r) => r.status)).toEqual([409, 409, 409, 409]);
    expect((await current(id)).version).toBe(2);
  });

  it("lets exactly one of two concurrent updates from the same read version win", async () => {
    for (let round = 0; round < 3; round++) {
      const id = await create({ companyName: "Race Condition Ltd" });
      const read = await current(id);
      const [a, b] = await Promise.all([
        admin.put(`/customers/${id}/profile`, { version: read.version, companyName: "Winner Alpha" }),
        admin.put(`/customers/${id}/profile`, { version: read.version, companyName: "Winner Beta" }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const winner = a.status === 200 ? a : b;
      const loser = a.status === 200 ? b : a;
      expect(loser.body.type).toBe("ConflictError");
      const after = await current(id);
      expect(after.version).toBe(2);
      expect(after.profile.companyName).toBe(winner.body.profile.companyName);
      expect(await eventsOf(id, "CustomerProfileUpdated")).toHaveLength(1);
    }
  });
  it("applies both of two concurrent version-less updates, one after the other", async () => {
    const id = await create({ companyName: "Last Write Ltd" });
    const results = await Promise.all([
      admin.put(`/customers/${id}/profile`, { industry: "Logistics" }),
      admin.put(`/customers/${id}/preferences`, { marketingConsent: true }),
      admin.put(`/customers/${id}/profile`, { website: "https://lastwrite.example" }),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    const after = await current(id);
    expect(after.version).toBe(4);
    expect(after.profile.industry).toBe("Logistics");
    expect(after.contactInfo.website).toBe("https://lastwrite.example");
    expect(after.preferences.marketingConsent).toBe(true);
  });

  it("serializes 20 parallel version-less updates on the row lock: all 200, version + 20, a stale version still 409", async () => {
    const id = await create({ companyName: "Crowded Ltd" });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => admin.put(`/customers/${id}/profile`, { industry: `Industry ${i}` })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    // Each applied to the state the one before it committed: versions 2..21, each once.
    expect(results.map((r) => r.body.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
    const after = await current(id);
    expect(after.version).toBe(21);
    expect(await eventsOf(id, "CustomerProfileUpdated")).toHaveLength(20);

    const stale = await admin.put(`/customers/${id}/profile`, { industry: "Late", version: 20 });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: "CONCURRENCY" });
    expect((await admin.put(`/customers/${id}/profile`, { industry: "Current", version: 21 })).status).toBe(200);
  });
});

describe("PUT /customers/{id}/contact-info", () => {
  it("changes email and phone and raises CustomerContactInfoUpdated with previous and new values", async () => {
    const body = customerBody();
    const id = (await admin.post("/customers", body)).body.id as string;
    const newEmail = `billing.${randomUUID().slice(0, 6)}@acme-widgets.com`;

    const res = await admin.put(`/customers/${id}/contact-info`, { primaryEmail: newEmail, primaryPhone: "+44 20 7946 0000" });
    expect(res.status).toBe(200);
    expect(res.body.version).toBe(2);
    expect(res.body.contactInfo).toMatchObject({ primaryEmail: newEmail, primaryPhone: "+442079460000", billingAddress: BILLING });

    const ev = await eventsOf(id, "CustomerContactInfoUpdated");
    expect(ev).toHaveLength(1);
    expect(ev[0]!.data).toMatchObject({
      customerId: id,
      previousEmail: body.primaryEmail,
      newEmail,
      previousPhone: "+442079460958",
      newPhone: "+442079460000",
    });
    expect(ev[0]!.data.updatedAt).toBeTruthy();

    const rows = (await audit(id)).filter((r) => r.action === "CustomerContactInfoUpdated");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.changes).toEqual({
      primaryEmail: { from: body.primaryEmail, to: newEmail },
      primaryPhone: { from: "+442079460958", to: "+442079460000" },
    });
  });

  it("keeps the previous billing address in the audit row", async () => {
    const id = await create();
    const next = { street: "10 Downing Street", city: "London", state: "Greater London", zipCode: "sw1a 2aa", country: "gb" };
    const res = await admin.put(`/customers/${id}/contact-info`, { billingAddress: next });
    expect(res.status).toBe(200);
    const normalized = { ...next, zipCode: "SW1A 2AA", country: "GB" };
    expect(res.body.contactInfo.billingAddress).toEqual(normalized);
    expect((await current(id)).contactInfo.billingAddress).toEqual(normalized);

    const rows = (await audit(id)).filter((r) => r.action === "CustomerContactInfoUpdated");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.changes.billingAddress).toEqual({ from: BILLING, to: normalized });
    const ev = await eventsOf(id, "CustomerContactInfoUpdated");
    expect(ev).toHaveLength(1);
  });

  it("answers 400 naming the missing address field, and leaves the address alone", async () => {
    const id = await create();
    const { city: _city, ...noCity } = BILLING;
    const missing = await admin.put(`/customers/${id}/contact-info`, { billingAddress: noCity });
    expect(missing.status).toBe(400);
    expect(Object.keys(missing.body.errors)).toContain("billingAddress.city");

    const blank = await admin.put(`/customers/${id}/contact-info`, { billingAddress: { ...BILLING, street: " ", state: "" } });
    expect(blank.status).toBe(400);
    expect(Object.keys(blank.body.errors).sort()).toEqual(["billingAddress.state", "billingAddress.street"]);

    const after = await current(id);
    expect(after.contactInfo.billingAddress).toEqual(BILLING);
    expect(after.version).toBe(1);
  });

  it("rejects an invalid email with 400 errors.primaryEmail", async () => {
    const id = await create();
    const before = await current(id);
    for (const email of ["not-an-email", "someone@mailinator.com"]) {
      const res = await admin.put(`/customers/${id}/contact-info`, { primaryEmail: email });
      expect(res.status, email).toBe(400);
      expect(res.body.errors.primaryEmail).toBeDefined();
    }
    const after = await current(id);
    expect(after.contactInfo.primaryEmail).toBe(before.contactInfo.primaryEmail);
    expect(after.version).toBe(1);
  });

  it("accepts a postal code that does not match the country's format, with a warning", async () => {
    const id = await create();
    const res = await admin.put(`/customers/${id}/contact-info`, {
      billingAddress: { street: "Unter den Linden 1", city: "Berlin", state: "Berlin", zipCode: "ABC", country: "DE" },
    });
    expect(res.status).toBe(200);
    expect(res.body.warnings).toHaveLength(1);
    expect(res.body.warnings[0]).toMatch(/billingAddress.*DE/);
    expect((await current(id)).contactInfo.billingAddress).toMatchObject({ zipCode: "ABC", country: "DE" });

    const valid = await admin.put(`/customers/${id}/contact-info`, {
      billingAddress: { street: "Unter den Linden 1", city: "Berlin", state: "Berlin", zipCode: "10117", country: "DE" },
    });
    expect(valid.status).toBe(200);
    expect(valid.body.warnings).toEqual([]);
  });
});

describe("PUT /customers/{id}/shipping-address", () => {
  const SHIP = { street: "5 Dock Road", city: "Liverpool", state: "Merseyside", zipCode: "L3 4AA", country: "GB" };

  it("sets a complete shipping address and raises CustomerContactInfoUpdated", async () => {
    const id = await create();
    expect((await current(id)).contactInfo.shippingAddress).toBeNull();
    const res = await admin.put(`/customers/${id}/shipping-address`, { shippingAddress: SHIP });
    expect(res.status).toBe(200);
    expect(res.body.version).toBe(2);
    expect(res.body.contactInfo.shippingAddress).toEqual(SHIP);
    expect((await current(id)).contactInfo.shippingAddress).toEqual(SHIP);
    const ev = await eventsOf(id, "CustomerContactInfoUpdated");
    expect(ev).toHaveLength(1);
    expect(ev[0]!.data.changedFields).toEqual(["shippingAddress"]);
    const rows = (await audit(id)).filter((r) => r.action === "CustomerContactInfoUpdated");
    expect(rows.at(-1)!.changes).toEqual({ shippingAddress: { from: null, to: SHIP } });
  });

  it("copies billing with sameAsBilling, and removes the address with null", async () => {
    const id = await create({ shippingAddress: SHIP });
    expect((await current(id)).contactInfo.shippingAddress).toEqual(SHIP);

    const same = await admin.put(`/customers/${id}/shipping-address`, { sameAsBilling: true });
    expect(same.status).toBe(200);
    expect(same.body.contactInfo.shippingAddress).toEqual(BILLING);
    expect((await current(id)).contactInfo.shippingAddress).toEqual(BILLING);

    const removed = await admin.put(`/customers/${id}/shipping-address`, { shippingAddress: null });
    expect(removed.status).toBe(200);
    expect(removed.body.version).toBe(3);
    expect(removed.body.contactInfo.shippingAddress).toBeNull();
    const after = await current(id);
    expect(after.contactInfo.shippingAddress).toBeNull();
    expect(after.contactInfo.billingAddress).toEqual(BILLING);
    expect(await eventsOf(id, "CustomerContactInfoUpdated")).toHaveLength(2);
  });

  it("rejects a partial address, both forms at once, and an empty body", async () => {
    const id = await create();
    const partial = await admin.put(`/customers/${id}/shipping-address`, {
      shippingAddress: { street: "5 Dock Road", city: "", state: "", zipCode: "", country: "GB" },
    });
    expect(partial.status).toBe(400);
    expect(Object.keys(partial.body.errors).sort()).toEqual(["shippingAddress.city", "shippingAddress.state", "shippingAddress.zipCode"]);

    const missingKey = await admin.put(`/customers/${id}/shipping-address`, { shippingAddress: { street: "5 Dock Road", country: "GB" } });
    expect(missingKey.status).toBe(400);
    expect(Object.keys(missingKey.body.errors)).toContain("shippingAddress.city");

    const both = await admin.put(`/customers/${id}/shipping-address`, { shippingAddress: SHIP, sameAsBilling: true });
    expect(both.status).toBe(400);
    expect(both.body.errors.sameAsBilling).toBeDefined();

    const empty = await admin.put(`/customers/${id}/shipping-address`, {});
    expect(empty.status).toBe(400);
    expect(empty.body.errors.shippingAddress).toBeDefined();

    const after = await current(id);
    expect(after.contactInfo.shippingAddress).toBeNull();
    expect(after.version).toBe(1);
  });
});

describe("PUT /customers/{id}/preferences", () => {
  it("merges a partial patch: only marketingConsent changes, every other default stays", async () => {
    const id = await create();
    const res = await admin.put(`/customers/${id}/preferences`, { marketingConsent: true });
    expect(res.status).toBe(200);
    expect(res.body.version).toBe(2);
    expect(res.body.preferences).toEqual({ ...DEFAULT_PREFERENCES, marketingConsent: true });
    expect((await current(id)).preferences).toEqual({ ...DEFAULT_PREFERENCES, marketingConsent: true });

    const ev = await eventsOf(id, "CustomerPreferencesUpdated");
    expect(ev).toHaveLength(1);
    expect(ev[0]!.data).toMatchObject({
      customerId: id,
      updatedPreferences: { ...DEFAULT_PREFERENCES, marketingConsent: true },
      changedFields: ["marketingConsent"],
    });
    const rows = (await audit(id)).filter((r) => r.action === "CustomerPreferencesUpdated");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.changes).toEqual({ marketingConsent: { from: false, to: true } });
  });

  it("sets communication channels and frequency, and merges notifications field by field", async () => {
    const id = await create();
    const res = await admin.put(`/customers/${id}/preferences`, {
      communication: { channels: ["Email", "SMS"], frequency: "Weekly" },
      notifications: { sms: true },
      preferredEventTypes: ["Webinar", "Conference"],
      timeZone: "Europe/Berlin",
    });
    expect(res.status).toBe(200);
    const prefs = (await current(id)).preferences;
    expect(prefs.communication).toEqual({ channels: ["Email", "SMS"], frequency: "Weekly" });
    expect(prefs.notifications).toEqual({ email: true, sms: true, push: true });
    expect(prefs.preferredEventTypes).toEqual(["Webinar", "Conference"]);
    expect(prefs.timeZone).toBe("Europe/Berlin");
    expect(prefs.marketingConsent).toBe(false);
    expect(prefs.preferredLanguage).toBe("en");

    // A later patch of one notification keeps the earlier ones.
    const second = await admin.put(`/customers/${id}/preferences`, { notifications: { push: false } });
    expect(second.status).toBe(200);
    expect(second.body.preferences.notifications).toEqual({ email: true, sms: true, push: false });
    expect(second.body.preferences.communication.channels).toEqual(["Email", "SMS"]);
    expect(await eventsOf(id, "CustomerPreferencesUpdated")).toHaveLength(2);

    // Same values again: no-op.
    const again = await admin.put(`/customers/${id}/preferences`, { notifications: { push: false } });
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(second.body.version);
    expect(await eventsOf(id, "CustomerPreferencesUpdated")).toHaveLength(2);
  });

  it("rejects an unknown time zone and None combined with other channels", async () => {
    const id = await create();
    const tz = await admin.put(`/customers/${id}/preferences`, { timeZone: "Mars/Olympus_Mons" });
    expect(tz.status).toBe(400);
    expect(Object.keys(tz.body.errors).some((k) => k.endsWith("timeZone"))).toBe(true);

    const none = await admin.put(`/customers/${id}/preferences`, { communication: { channels: ["None", "Email"] } });
    expect(none.status).toBe(400);
    expect(Object.keys(none.body.errors).some((k) => k.endsWith("communication.channels"))).toBe(true);

    const bogus = await admin.put(`/customers/${id}/preferences`, { communication: { channels: ["Pigeon"] } });
    expect(bogus.status).toBe(400);

    const after = await current(id);
    expect(after.preferences).toEqual(DEFAULT_PREFERENCES);
    expect(after.version).toBe(1);
    expect(await eventsOf(id, "CustomerPreferencesUpdated")).toHaveLength(0);

    // "None" on its own is a valid choice.
    const alone = await admin.put(`/customers/${id}/preferences`, { communication: { channels: ["None"] } });
    expect(alone.status).toBe(200);
    expect(alone.body.preferences.communication.channels).toEqual(["None"]);
  });
});

describe("authorization", () => {
  const updates = (id: string) =>
    [
      ["PUT profile", (api: Api) => api.put(`/customers/${id}/profile`, { companyName: "Hijacked Name" })],
      ["PUT contact-info", (api: Api) => api.put(`/customers/${id}/contact-info`, { primaryPhone: "+44 20 7946 0111" })],
      ["PUT shipping-address", (api: Api) => api.put(`/customers/${id}/shipping-address`, { sameAsBilling: true })],
      ["PUT preferences", (api: Api) => api.put(`/customers/${id}/preferences`, { marketingConsent: true })],
      ["POST deactivate", (api: Api) => api.post(`/customers/${id}/deactivate`, { reason: "no longer a client" })],
      ["POST reactivate", (api: Api) => api.post(`/customers/${id}/reactivate`, { reason: "back again" })],
    ] as const;

  it.each(["Viewer", "SupportAgent", "MarketingManager"] as const)("%s gets 403 on every update, deactivate and reactivate", async (role) => {
    const id = await create();
    const api = await server.as(role, tenant);
    for (const [name, call] of updates(id)) {
      const res = await call(api);
      expect(res.status, name).toBe(403);
      expect(res.body, name).toMatchObject({ type: "ForbiddenError", code: "AUTH-002" });
    }
    // Reactivate on a deactivated customer is forbidden too (not just a CUST-003 business error).
    await admin.post(`/customers/${id}/deactivate`, { reason: "closing account" });
    const react = await api.post(`/customers/${id}/reactivate`, { reason: "back again" });
    expect(react.status).toBe(403);
    expect((await admin.get(`/customers/${id}`)).status).toBe(404);
    const rows = await listEventsForAggregate(server.deps.db, tenant, id);
    expect(rows.map((r) => r.envelope.type)).toEqual(["CustomerRegistered", "CustomerDeactivated"]);
  });

  it("SalesRep can update and reactivate but not deactivate", async () => {
    const id = await create();
    const rep = await server.as("SalesRep", tenant, "rep-9");
    const upd = await rep.put(`/customers/${id}/profile`, { companyName: "Sold By Rep Ltd" });
    expect(upd.status).toBe(200);
    expect(upd.body.lastModifiedBy).toBe("rep-9");

    const deact = await rep.post(`/customers/${id}/deactivate`, { reason: "lost the deal" });
    expect(deact.status).toBe(403);
    expect(deact.body.code).toBe("AUTH-002");
    expect((await current(id)).status).toBe("Active");

    expect((await admin.post(`/customers/${id}/deactivate`, { reason: "lost the deal" })).status).toBe(200);
    const react = await rep.post(`/customers/${id}/reactivate`, { reason: "won them back" });
    expect(react.status).toBe(200);
    expect(react.body.status).toBe("Active");
    const reactivated = await eventsOf(id, "CustomerReactivated");
    expect(reactivated[0]!.data.reactivatedBy).toBe("rep-9");
  });

  it("CustomerManager can deactivate", async () => {
    const id = await create();
    const mgr = await server.as("CustomerManager", tenant);
    expect((await mgr.post(`/customers/${id}/deactivate`, { reason: "requested by customer" })).status).toBe(200);
  });
});

describe("tenant isolation", () => {
  it("answers 404 CUST-001 to another tenant on every operation and changes nothing", async () => {
    const id = await create({ companyName: "Private Holdings" });
    const before = await current(id);
    const intruder = await server.as("Admin", newTenant(), "intruder");

    const calls: [string, () => Promise<{ status: number; body: any }>][] = [
      ["GET", () => intruder.get(`/customers/${id}`)],
      ["profile", () => intruder.put(`/customers/${id}/profile`, { companyName: "Stolen" })],
      ["contact-info", () => intruder.put(`/customers/${id}/contact-info`, { primaryEmail: "thief@example.org" })],
      ["shipping-address", () => intruder.put(`/customers/${id}/shipping-address`, { sameAsBilling: true })],
      ["preferences", () => intruder.put(`/customers/${id}/preferences`, { marketingConsent: true })],
      ["deactivate", () => intruder.post(`/customers/${id}/deactivate`, { reason: "sabotage attempt" })],
      ["reactivate", () => intruder.post(`/customers/${id}/reactivate`, { reason: "sabotage attempt" })],
    ];
    for (const [name, call] of calls) {
      const res = await call();
      expect(res.status, name).toBe(404);
      expect(res.body.code, name).toBe("CUST-001");
    }
    const after = await current(id);
    expect(after).toEqual(before);
    expect(after.version).toBe(1);
    expect((await events(id)).map((e) => e.type)).toEqual(["CustomerRegistered"]);

    // Nor can another tenant bring back a deactivated customer.
    await admin.post(`/customers/${id}/deactivate`, { reason: "account closed" });
    const react = await intruder.post(`/customers/${id}/reactivate`, { reason: "sabotage attempt" });
    expect(react.status).toBe(404);
    expect(react.body.code).toBe("CUST-001");
    expect((await admin.get(`/customers/${id}`)).status).toBe(404);
  });
});

describe("ids", () => {
  it("answers 404 CUST-001 for an unknown UUID", async () => {
    const id = randomUUID();
    for (const res of [
      await admin.get(`/customers/${id}`),
      await admin.put(`/customers/${id}/profile`, { companyName: "Nobody" }),
      await admin.put(`/customers/${id}/preferences`, { marketingConsent: true }),
      await admin.post(`/customers/${id}/deactivate`, { reason: "does not exist" }),
      await admin.post(`/customers/${id}/reactivate`, { reason: "does not exist" }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ type: "NotFoundError", code: "CUST-001" });
    }
  });

  it("answers 400 for an id that is not a UUID", async () => {
    for (const res of [
      await admin.get(`/customers/not-a-uuid`),
      await admin.put(`/customers/12345/profile`, { companyName: "Nobody" }),
      await admin.post(`/customers/abc/deactivate`, { reason: "does not exist" }),
    ]) {
      expect(res.status).toBe(400);
      expect(res.body.errors.id).toBeDefined();
    }
  });
});

describe("POST /customers/{id}/deactivate", () => {
  it("requires a reason", async () => {
    const id = await create();
    const missing = await admin.post(`/customers/${id}/deactivate`, {});
    expect(missing.status).toBe(400);
    expect(missing.body.errors.reason).toBeDefined();
    const blank = await admin.post(`/customers/${id}/deactivate`, { reason: "   " });
    expect(blank.status).toBe(400);
    expect(blank.body.errors.reason).toBeDefined();
    const after = await current(id);
    expect(after.status).toBe("Active");
    expect(after.version).toBe(1);
  });

  it("soft-deletes: 200 Inactive, then hidden from GET and search, frozen for updates, evented and audited", async () => {
    const name = `Zanzibar Spice ${randomUUID().slice(0, 4)}`;
    const id = await create({ companyName: name });
    const search = async () => (await admin.get(`/customers/search?query=zanzibar`)).body.items.map((c: { id: string }) => c.id);
    expect(await search()).toContain(id);

    const mgr = await server.as("CustomerManager", tenant, "manager-7");
    const res = await mgr.post(`/customers/${id}/deactivate`, { reason: "  Duplicate of another account  " });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id, status: "Inactive", version: 2 });

    const got = await admin.get(`/customers/${id}`);
    expect(got.status).toBe(404);
    expect(got.body.code).toBe("CUST-001");
    expect(await search()).not.toContain(id);

    for (const [name, call] of [
      ["profile", () => admin.put(`/customers/${id}/profile`, { companyName: "Ghost Co" })],
      ["contact-info", () => admin.put(`/customers/${id}/contact-info`, { primaryPhone: "+44 20 7946 0222" })],
      ["shipping-address", () => admin.put(`/customers/${id}/shipping-address`, { sameAsBilling: true })],
      ["preferences", () => admin.put(`/customers/${id}/preferences`, { marketingConsent: true })],
      ["deactivate again", () => admin.post(`/customers/${id}/deactivate`, { reason: "once more" })],
    ] as const) {
      const r = await call();
      expect(r.status, name).toBe(400);
      expect(r.body, name).toMatchObject({ type: "BusinessRuleError", code: "CUST-004" });
    }

    const ev = await eventsOf(id, "CustomerDeactivated");
    expect(ev).toHaveLength(1);
    expect(ev[0]!.data).toMatchObject({ customerId: id, reason: "Duplicate of another account", deactivatedBy: "manager-7" });
    expect(ev[0]!.data.deactivatedAt).toBeTruthy();
    expect(ev[0]!.version).toBe(2);
    expect((await events(id)).map((e) => e.type)).toEqual(["CustomerRegistered", "CustomerDeactivated"]);

    const rows = (await audit(id)).filter((r) => r.action === "CustomerDeactivated");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.actorId).toBe("manager-7");
    expect(rows[0]!.changes.status).toEqual({ from: "Active", to: "Inactive" });

    const row = await server.deps.db.selectFrom("customers").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    expect(Boolean(row.isDeleted)).toBe(true);
    expect(row.deletedBy).toBe("manager-7");
    expect(row.deletedAt).not.toBeNull();
    expect(row.version).toBe(2);
    expect(row.companyName).toBe(name);
  });
});

describe("POST /customers/{id}/reactivate", () => {
  it("refuses an active customer with 400 CUST-003", async () => {
    const id = await create();
    const res = await admin.post(`/customers/${id}/reactivate`, { reason: "just because" });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ type: "BusinessRuleError", code: "CUST-003" });
    expect((await current(id)).version).toBe(1);
    expect(await eventsOf(id, "CustomerReactivated")).toHaveLength(0);
  });

  it("brings a deactivated customer back: requires a reason, then Active, visible and modifiable again", async () => {
    const name = `Quixotic Ventures ${randomUUID().slice(0, 4)}`;
    const id = await create({ companyName: name });
    const search = async () => (await admin.get(`/customers/search?query=quixotic`)).body.items.map((c: { id: string }) => c.id);
    expect((await admin.post(`/customers/${id}/deactivate`, { reason: "paused contract" })).status).toBe(200);
    expect(await search()).not.toContain(id);

    const noReason = await admin.post(`/customers/${id}/reactivate`, {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors.reason).toBeDefined();
    const blank = await admin.post(`/customers/${id}/reactivate`, { reason: " " });
    expect(blank.status).toBe(400);
    expect((await admin.get(`/customers/${id}`)).status).toBe(404);

    const res = await admin.post(`/customers/${id}/reactivate`, { reason: "contract renewed" });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id, status: "Active", version: 3 });

    const got = await admin.get(`/customers/${id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ status: "Active", statusReason: "contract renewed", version: 3, lastModifiedBy: ADMIN_ID });
    expect(await search()).toContain(id);

    const ev = await eventsOf(id, "CustomerReactivated");
    expect(ev).toHaveLength(1);
    expect(ev[0]!.data).toMatchObject({ customerId: id, reason: "contract renewed", reactivatedBy: ADMIN_ID });
    expect(ev[0]!.data.reactivatedAt).toBeTruthy();
    const rows = (await audit(id)).filter((r) => r.action === "CustomerReactivated");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.changes.status).toEqual({ from: "Inactive", to: "Active" });

    const upd = await admin.put(`/customers/${id}/profile`, { industry: "Travel" });
    expect(upd.status).toBe(200);
    expect(upd.body.version).toBe(4);
  });
});
