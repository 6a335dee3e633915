import { randomUUID } from "node:crypto";
import { listAudit, listEventsForAggregate } from "@clientele/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as activeEmailMigration from "../../../packages/db/src/migrations/20261203100000_add_customers_active_email";
import { customerBody, newTenant, rest, startIsolatedTestServer, startTestServer, type Api, type TestServer } from "./harness";

let server: TestServer;
let tenant: string;
let admin: Api;

beforeAll(async () => {
  server = await startTestServer();
  tenant = newTenant();
  admin = await server.as("Admin", tenant, "admin-1");
});
afterAll(() => server.close());

const email = (name = "someone") => `${name}.${randomUUID().slice(0, 8)}@example-corp.com`;

async function create(overrides: Record<string, unknown> = {}, api: Api = admin) {
  const res = await api.post("/customers", customerBody(overrides));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; version: number };
}

const individual = (o: Record<string, unknown> = {}) => ({ type: "Individual", companyName: undefined, industry: undefined, firstName: "Ada", lastName: "Lovelace", ...o });

describe("email unique per tenant (CUST-002)", () => {
  it("parallel creates with one email: exactly one 201, the rest 409 CUST-002 on primaryEmail", async () => {
    const shared = email("race");
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => admin.post("/customers", customerBody({ primaryEmail: i % 2 ? shared.toUpperCase() : shared }))));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    const refused = results.filter((r) => r.status !== 201);
    expect(refused).toHaveLength(7);
    for (const r of refused) {
      expect(r.status).toBe(409);
      expect(r.headers.get("content-type")).toMatch(/application\/problem\+json/);
      expect(r.body).toMatchObject({ code: "CUST-002", type: "ConflictError", errors: { primaryEmail: ["is already used by another customer"] } });
    }
    const found = await admin.get(`/customers?query=${encodeURIComponent(shared)}`);
    expect(found.body.totalCount).toBe(1);
  });

  it("is case-insensitive, and another tenant may use the same email", async () => {
    const e = email("Case");
    await create({ primaryEmail: e });
    expect((await admin.post("/customers", customerBody({ primaryEmail: e.toUpperCase() }))).status).toBe(409);
    const other = await server.as("Admin", newTenant());
    expect((await other.post("/customers", customerBody({ primaryEmail: e }))).status).toBe(201);
  });

  it("an update to a taken email is 409 and changes nothing; PUT /customers/{id} too", async () => {
    const taken = email("taken");
    await create({ primaryEmail: taken });
    const mine = await create();
    const res = await admin.put(`/customers/${mine.id}/contact-info`, { primaryEmail: taken.toUpperCase() });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: "CUST-002", errors: { primaryEmail: expect.any(Array) } });
    const put = await admin.put(`/customers/${mine.id}`, { version: 1, profile: { notes: "x" }, contactInfo: { primaryEmail: taken } });
    expect(put.status).toBe(409);
    expect(put.body.code).toBe("CUST-002");
    const after = await admin.get(`/customers/${mine.id}`);
    expect(after.body).toMatchObject({ version: 1, profile: { notes: null } });
  });

  it("a deactivated customer frees its email; reactivating it once the email was taken again is 409", async () => {
    const e = email("freed");
    const first = await create({ primaryEmail: e });
    expect((await admin.post(`/customers/${first.id}/deactivate`, { reason: "closed account" })).status).toBe(200);
    const second = await create({ primaryEmail: e });
    const back = await admin.post(`/customers/${first.id}/reactivate`, { reason: "came back" });
    expect(back.status).toBe(409);
    expect(back.body.code).toBe("CUST-002");
    expect((await admin.get(`/customers/${first.id}`)).status).toBe(404);
    expect((await admin.get(`/customers/${second.id}`)).status).toBe(200);
  });
});

describe("new record fields", () => {
  it("are accepted on create, returned in the DTO, and checked", async () => {
    const created = await create(
      individual({
        notes: "Met at the fair.\n\tLikes tea.",
        source: "Trade fair",
        tags: ["VIP", "Early_Adopter", "vip"],
        dateOfBirth: "1990-12-10",
        gender: "PreferNotToSay",
        socialMediaLinks: { linkedin: "https://www.linkedin.com/in/ada", twitter: "https://x.com/ada" },
      }),
    );
    const res = await admin.get(`/customers/${created.id}`);
    expect(res.body).toMatchObject({
      profile: {
        notes: "Met at the fair.\n\tLikes tea.",
        source: "Trade fair",
        dateOfBirth: "1990-12-10",
        gender: "PreferNotToSay",
        socialMediaLinks: { linkedin: "https://www.linkedin.com/in/ada", twitter: "https://x.com/ada", facebook: null },
      },
      contactInfo: { emailVerified: false, phoneVerified: false },
      tags: ["early_adopter", "vip"],
      lastActivityAt: null,
    });
  });

  it("answers 400 with field messages for every broken rule", async () => {
    const res = await admin.post(
      "/customers",
      customerBody({
        notes: "n".repeat(4001),
        source: "Fair\u0000",
        tags: ["has space"],
        dateOfBirth: "2999-01-01",
        gender: "Robot",
        socialMediaLinks: { facebook: "http://facebook.com/x" },
        industry: "Tech\u0007nology",
      }),
    );
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.errors).sort()).toEqual(["gender", "notes"].sort());
    const domain = await admin.post(
      "/customers",
      customerBody({ source: "Fair\u0000", tags: ["has space"], dateOfBirth: "2999-01-01", socialMediaLinks: { facebook: "http://facebook.com/x" }, industry: "Tech\u0007nology" }),
    );
    expect(domain.status).toBe(400);
    expect(domain.body.errors).toMatchObject({
      source: ["must not contain control characters"],
      industry: ["must not contain control characters"],
      dateOfBirth: expect.arrayContaining(["is only for Individual customers"]),
      "socialMediaLinks.facebook": ["must be an https URL on facebook.com or fb.com"],
    });
    expect(domain.body.errors.tags[0]).toMatch(/letters, digits/);
  });

  it("profile updates take notes, source, date of birth, gender and links, audited", async () => {
    const { id } = await create(individual());
    const res = await admin.put(`/customers/${id}/profile`, {
      version: 1,
      notes: "<b>stored as given</b>",
      source: "Referral",
      dateOfBirth: "1985-03-04",
      gender: "Female",
      socialMediaLinks: { facebook: "https://facebook.com/ada" },
    });
    expect(res.status).toBe(200);
    expect(res.body.profile).toMatchObject({ notes: "<b>stored as given</b>", source: "Referral", dateOfBirth: "1985-03-04", gender: "Female" });
    expect(res.body.profile.socialMediaLinks.facebook).toBe("https://facebook.com/ada");
    const rows = await listAudit(server.deps.db, tenant, "Customer", id);
    expect(rows.at(-1)!.changes).toMatchObject({ notes: { from: null, to: "<b>stored as given</b>" }, gender: { from: null, to: "Female" } });
    const bad = await admin.put(`/customers/${id}/profile`, { dateOfBirth: "1800-01-01", notes: "bell\u0007" });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.errors).sort()).toEqual(["dateOfBirth", "notes"]);
  });

  it("changing the email resets emailVerified, changing the phone resets phoneVerified", async () => {
    const { id } = await create({ emailVerified: true, phoneVerified: true });
    const phone = await admin.put(`/customers/${id}/contact-info`, { primaryPhone: "+44 20 7946 0000" });
    expect(phone.body.contactInfo).toMatchObject({ emailVerified: true, phoneVerified: false });
    const mail = await admin.put(`/customers/${id}/contact-info`, { primaryEmail: email("moved") });
    expect(mail.body.contactInfo).toMatchObject({ emailVerified: false, phoneVerified: false });
    const verify = await admin.put(`/customers/${id}/contact-info`, { emailVerified: true });
    expect(verify.body.contactInfo.emailVerified).toBe(true);
  });

  it("PUT /customers/{id}/tags replaces the set (event + audit), 400 on a bad tag, 403 for a viewer", async () => {
    const { id } = await create({ tags: ["a", "b"] });
    const res = await admin.put(`/customers/${id}/tags`, { tags: ["B", "c"] }, { "If-Match": '"1"' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tags: ["b", "c"], version: 2 });
    expect((await admin.get(`/customers/${id}`)).body.tags).toEqual(["b", "c"]);
    const events = (await listEventsForAggregate(server.deps.db, tenant, id)).map((e) => e.envelope);
    expect(events.find((e) => e.type === "CustomerTagsChanged")).toMatchObject({ data: { added: ["c"], removed: ["a"] } });
    expect((await admin.put(`/customers/${id}/tags`, { tags: ["no spaces please"] })).status).toBe(400);
    expect((await admin.put(`/customers/${id}/tags`, { tags: [] }, { "If-Match": '"1"' })).status).toBe(409);
    const viewer = await server.as("Viewer", tenant);
    expect((await viewer.put(`/customers/${id}/tags`, { tags: [] })).status).toBe(403);
  });
});

describe("lastActivityAt", () => {
  it("moves with calls, emails, complaints and testimonials, without touching the customer's version", async () => {
    const { id } = await create();
    const before = Date.now();
    const callTime = new Date(Date.now() - 3600_000).toISOString();
    const call = await admin.post(`/customers/${id}/communications/phone-call`, {
      phoneNumber: "+44 20 7946 0958",
      callType: "Inbound",
      durationInSeconds: 60,
      summary: "Asked about pricing",
      callTime,
    });
    expect(call.status).toBe(201);
    const afterCall = await admin.get(`/customers/${id}`);
    expect(afterCall.body).toMatchObject({ lastActivityAt: callTime, version: 1 });

    const mail = await admin.post(`/customers/${id}/communications/email`, { subject: "Hello", body: "Thanks for calling", purpose: "Transactional" });
    expect(mail.status).toBe(201);
    const afterMail = (await admin.get(`/customers/${id}`)).body;
    expect(Date.parse(afterMail.lastActivityAt)).toBeGreaterThanOrEqual(before - 1000);

    // An older interaction logged later does not move it back.
    await admin.post(`/customers/${id}/communications/phone-call`, { phoneNumber: "+44 20 7946 0958", callType: "Outbound", durationInSeconds: 5, summary: "old", callTime: new Date(Date.now() - 86_400_000).toISOString() });
    expect((await admin.get(`/customers/${id}`)).body.lastActivityAt).toBe(afterMail.lastActivityAt);

    for (const [path, body] of [
      ["complaints", { subject: "Late delivery", description: "The parcel arrived two weeks late.", category: "Delivery", priority: "High" }],
      ["testimonials", { content: "Wonderful team, the launch went perfectly.", rating: 5, authorName: "Jane Doe" }],
    ] as const) {
      const previous = (await admin.get(`/customers/${id}`)).body.lastActivityAt as string;
      await new Promise((r) => setTimeout(r, 5));
      expect((await admin.post(`/customers/${id}/${path}`, body)).status).toBe(201);
      const now = (await admin.get(`/customers/${id}`)).body;
      expect(Date.parse(now.lastActivityAt)).toBeGreaterThan(Date.parse(previous));
      expect(now.version).toBe(1);
    }
    const listed = await admin.get(`/customers?query=${encodeURIComponent((await admin.get(`/customers/${id}`)).body.customerNumber)}`);
    expect(listed.body.items[0].lastActivityAt).not.toBeNull();
  });
});

describe("GET /customers", () => {
  it("pages with the search filters, hides Archived unless asked, and is tenant-scoped", async () => {
    const t = newTenant();
    const api = await server.as("Admin", t);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await create({ companyName: `Listco ${i}`, type: i === 0 ? "Enterprise" : "SmallBusiness" }, api)).id);
    expect((await api.post(`/customers/${ids[2]}/archive`, { reason: "retired" })).status).toBe(200);
    const page = await api.get("/customers?pageSize=1&page=2&sort=companyName:asc");
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ totalCount: 2, page: 2, pageSize: 1, totalPages: 2 });
    expect(page.body.items[0].profile.companyName).toBe("Listco 1");
    expect((await api.get("/customers?type=Enterprise")).body.items.map((c: { id: string }) => c.id)).toEqual([ids[0]]);
    expect((await api.get("/customers?status=Archived")).body.items.map((c: { id: string }) => c.id)).toEqual([ids[2]]);
    expect((await api.get("/customers?pageSize=1000")).status).toBe(400);
    const other = await server.as("Admin", newTenant());
    expect((await other.get("/customers")).body.totalCount).toBe(0);
    expect((await rest(server.url).get("/customers")).status).toBe(401);
  });

  it("is a tRPC procedure too (customers.list)", async () => {
    const token = await server.token("Viewer", tenant);
    const res = await fetch(`${server.url}/trpc/customers.list?input=${encodeURIComponent(JSON.stringify({ pageSize: 2 }))}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { result: { data: { items: unknown[]; pageSize: number } } };
    expect(body.result.data).toMatchObject({ pageSize: 2 });
    expect(body.result.data.items.length).toBeLessThanOrEqual(2);
  });
});

describe("PUT /customers/{id}", () => {
  it("updates profile, contact info and preferences in one change: one version, one audit row, every section's event", async () => {
    const { id } = await create();
    const res = await admin.put(
      `/customers/${id}`,
      { profile: { companyName: "Renamed Ltd", notes: "n" }, contactInfo: { primaryPhone: "+44 20 7946 0001" }, preferences: { marketingConsent: true } },
      { "If-Match": '"1"' },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBe('"2"');
    expect(res.body).toMatchObject({ version: 2, profile: { companyName: "Renamed Ltd", notes: "n" }, contactInfo: { primaryPhone: "+442079460001" }, preferences: { marketingConsent: true } });
    const rows = (await listAudit(server.deps.db, tenant, "Customer", id)).filter((r) => r.action === "CustomerUpdated");
    expect(rows).toHaveLength(1);
    expect(Object.keys(rows[0]!.changes).sort()).toEqual(["companyName", "marketingConsent", "notes", "primaryPhone"]);
    const types = (await listEventsForAggregate(server.deps.db, tenant, id)).map((e) => e.envelope.type);
    expect(types).toEqual(["CustomerRegistered", "CustomerProfileUpdated", "CustomerContactInfoUpdated", "CustomerPreferencesUpdated"]);
  });

  it("takes the version from the body, answers 409 when stale and 400 when neither If-Match nor version is sent", async () => {
    const { id } = await create();
    expect((await admin.put(`/customers/${id}`, { version: 1, profile: { notes: "first" } })).status).toBe(200);
    const stale = await admin.put(`/customers/${id}`, { profile: { notes: "second" } }, { "If-Match": '"1"' });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe("CONCURRENCY");
    const none = await admin.put(`/customers/${id}`, { profile: { notes: "third" } });
    expect(none.status).toBe(400);
    expect(none.body.errors.version[0]).toMatch(/If-Match/);
    expect((await admin.get(`/customers/${id}`)).body.profile.notes).toBe("first");
  });

  it("400 with every section's field errors and nothing written; 403 for a viewer; 404 for another tenant's id", async () => {
    const { id } = await create();
    const bad = await admin.put(`/customers/${id}`, { version: 1, profile: { source: "x\u0000" }, contactInfo: { primaryEmail: "nope" }, preferences: { timeZone: "Mars/Olympus" } });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.errors).sort()).toEqual(["contactInfo.primaryEmail", "preferences.timeZone", "profile.source"]);
    const edge = await admin.put(`/customers/${id}`, { version: 1, profile: { source: "x".repeat(101) } });
    expect(Object.keys(edge.body.errors)).toEqual(["profile.source"]);
    expect((await admin.put(`/customers/${id}`, { version: 1, profile: { type: "Enterprise" } })).status).toBe(400);
    const viewer = await server.as("Viewer", tenant);
    expect((await viewer.put(`/customers/${id}`, { version: 1, profile: { notes: "x" } })).status).toBe(403);
    const other = await server.as("Admin", newTenant());
    const foreign = await other.put(`/customers/${id}`, { version: 1, profile: { notes: "x" } });
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe("CUST-001");
    expect((await admin.get(`/customers/${id}`)).body.version).toBe(1);
  });
});

describe("tRPC customers.update and customers.delete", () => {
  const mutate = async (name: string, input: unknown, roles: "Admin" | "Viewer" = "Admin") => {
    const res = await fetch(`${server.url}/trpc/customers.${name}`, {
      method: "POST",
      headers: { authorization: `Bearer ${await server.token(roles, tenant)}`, "content-type": "application/json" },
      body: JSON.stringify(input),
    });
    return { status: res.status, body: (await res.json()) as { result?: { data: any }; error?: { data: { errorCode: string; fieldErrors: Record<string, string[]> | null } } } };
  };

  it("update takes the version in the input (required) and answers like PUT", async () => {
    const { id } = await create();
    const ok = await mutate("update", { id, version: 1, profile: { source: "Webinar" } });
    expect(ok.status).toBe(200);
    expect(ok.body.result!.data).toMatchObject({ version: 2, profile: { source: "Webinar" } });
    const missing = await mutate("update", { id, profile: { source: "x" } });
    expect(missing.status).toBe(400);
    expect(missing.body.error!.data.fieldErrors!.version).toBeDefined();
    expect((await mutate("update", { id, version: 1, profile: { source: "x" } })).body.error!.data.errorCode).toBe("CONCURRENCY");
    expect((await mutate("update", { id, version: 2, profile: { source: "x" } }, "Viewer")).status).toBe(403);
  });

  it("delete deactivates", async () => {
    const { id } = await create();
    const res = await mutate("delete", { id, reason: "duplicate record" });
    expect(res.status).toBe(200);
    expect(res.body.result!.data).toMatchObject({ id, status: "Inactive" });
    expect((await mutate("delete", { id, reason: "again please" })).body.error!.data.errorCode).toBe("CUST-004");
  });
});

describe("DELETE /customers/{id}", () => {
  it("deactivates with the reason from the query or the body; 400 without one; 403/404", async () => {
    const one = await create();
    const res = await admin.del(`/customers/${one.id}?reason=${encodeURIComponent("duplicate record")}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: one.id, status: "Inactive", version: 2 });
    expect((await admin.get(`/customers/${one.id}`)).status).toBe(404);

    const two = await create();
    const token = await server.token("Admin", tenant);
    const withBody = await fetch(`${server.url}/api/v1/customers/${two.id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "if-match": '"1"' },
      body: JSON.stringify({ reason: "asked to be removed" }),
    });
    expect(withBody.status).toBe(200);
    const rows = await listAudit(server.deps.db, tenant, "Customer", two.id);
    expect(rows.at(-1)).toMatchObject({ action: "CustomerDeactivated" });
    expect((await listEventsForAggregate(server.deps.db, tenant, two.id)).at(-1)!.envelope).toMatchObject({ type: "CustomerDeactivated", data: { reason: "asked to be removed" } });

    const three = await create();
    expect((await admin.del(`/customers/${three.id}`)).status).toBe(400);
    expect((await admin.del(`/customers/${three.id}?reason=x`)).status).toBe(400);
    expect((await admin.del(`/customers/${three.id}?reason=because&version=9`)).status).toBe(409);
    const rep = await server.as("SalesRep", tenant);
    expect((await rep.del(`/customers/${three.id}?reason=because`)).status).toBe(403);
    const other = await server.as("Admin", newTenant());
    expect((await other.del(`/customers/${three.id}?reason=because`)).status).toBe(404);
    expect((await admin.del(`/customers/${one.id}?reason=again`)).body.code).toBe("CUST-004");
  });
});

describe("the email-key migration", () => {
  it("names the emails that clash in data from before it, changes nothing, and runs once they are resolved", async () => {
    const isolated = await startIsolatedTestServer("active_email");
    // Migrations run without the camel-case plugin, as the migrator runs them.
    const db = isolated.deps.db.withoutPlugins() as unknown as Parameters<typeof activeEmailMigration.up>[0];
    try {
      const api = await isolated.as("Admin", newTenant(), "admin-1");
      await activeEmailMigration.down(db);
      const shared = email("before");
      const first = await api.post("/customers", customerBody({ primaryEmail: shared }));
      const second = await api.post("/customers", customerBody({ primaryEmail: shared.toUpperCase() }));
      expect([first.status, second.status]).toEqual([201, 201]);

      await expect(activeEmailMigration.up(db)).rejects.toThrow(`${shared} (2 customers)`);

      expect((await api.post(`/customers/${second.body.id}/deactivate`, { reason: "Duplicate record" })).status).toBe(200);
      // Runs now: the refused run added nothing (a half-added column would fail this one).
      await activeEmailMigration.up(db);
      const again = await api.post("/customers", customerBody({ primaryEmail: shared }));
      expect([again.status, again.body.code]).toEqual([409, "CUST-002"]);
    } finally {
      await isolated.close();
    }
  });
});
