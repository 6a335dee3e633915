import { listAudit, listEventsForAggregate, suppressEmail } from "@clientele/db";
import type { Role } from "@clientele/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startComms, type Comms } from "./comms-harness";
import { customerBody, newTenant, rest, startTestServer, type TestServer } from "./harness";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const valid = (o: Record<string, unknown> = {}) => ({ content: "Wonderful team, the launch went perfectly.", rating: 5, authorName: "Jane Doe", ...o });

/** A tenant with a customer, a submitter (CustomerManager) and a marketing manager. */
async function setup(s: TestServer = server) {
  const tenant = newTenant();
  const api = rest(s.url, await s.token("CustomerManager", tenant, "cm-1"));
  const marketing = rest(s.url, await s.token("MarketingManager", tenant, "mm-1"));
  const customerId = (await api.post("/customers", customerBody())).body.id as string;
  const url = `/customers/${customerId}/testimonials`;
  const submit = async (o: Record<string, unknown> = {}) => {
    const res = await api.post(url, valid(o));
    expect(res.status).toBe(201);
    return res.body;
  };
  return { tenant, api, marketing, customerId, url, submit };
}

const publicList = (tenant: string, query = "", headers: Record<string, string> = {}) => rest(server.url).get(`/public/tenants/${tenant}/testimonials${query}`, headers);

describe("submitting a testimonial (REQ-CUS-030)", () => {
  it("stores it Pending and private by default, raises CustomerTestimonialReceived and audits it", async () => {
    const { tenant, api, url, customerId } = await setup();
    const eventId = "6f1c2b1e-8d3a-4c55-9a0e-2b7f4d1c9e01";
    const res = await api.post(url, valid({ relatedEventId: eventId }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      testimonialId: res.body.id,
      isApproved: false,
      containsProfanity: false,
      status: "Pending",
      isPublic: false,
      rating: 5,
      authorName: "Jane Doe",
      relatedEventId: eventId,
      customerId,
      createdBy: "cm-1",
      approvedBy: null,
      version: 1,
    });
    const events = await listEventsForAggregate(server.deps.db, tenant, res.body.id);
    expect(events.map((e) => e.envelope)).toEqual([
      expect.objectContaining({
        type: "CustomerTestimonialReceived",
        aggregateType: "Testimonial",
        aggregateId: res.body.id,
        version: 1,
        actor: "cm-1",
        data: { testimonialId: res.body.id, customerId, content: valid().content, rating: 5, relatedEventId: eventId, isPublic: false, receivedAt: res.body.createdAt },
      }),
    ]);
    const audit = await listAudit(server.deps.db, tenant, "Testimonial", res.body.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "CustomerTestimonialReceived", actorId: "cm-1", changes: { status: { from: null, to: "Pending" } } });

    const listed = await api.get(url);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((i: any) => i.id)).toEqual([res.body.id]);
    expect((await api.post(url, valid({ isPublic: true }))).body.isPublic).toBe(true);
  });

  it.each([
    ["rating 0", { rating: 0 }, "rating"],
    ["rating 6", { rating: 6 }, "rating"],
    ["rating 2.5", { rating: 2.5 }, "rating"],
    ["rating as text", { rating: "5" }, "rating"],
    ["no rating", { rating: undefined }, "rating"],
    ["no author", { authorName: undefined }, "authorName"],
    ["a blank author", { authorName: "   " }, "authorName"],
    ["an author over 200 characters", { authorName: "x".repeat(201) }, "authorName"],
    ["no content", { content: undefined }, "content"],
    ["blank content", { content: " \n " }, "content"],
    ["content over 2000 characters", { content: "a".repeat(2001) }, "content"],
    ["far too much content", { content: "a".repeat(50_000) }, "content"],
    ["a related event that is not a UUID", { relatedEventId: "event-7" }, "relatedEventId"],
  ])("answers 400 with a field error for %s", async (_what, patch, field) => {
    const { api, url } = await setup();
    const res = await api.post(url, valid(patch));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ type: "ValidationError", code: "VALIDATION" });
    expect(res.body.errors[field]).toBeDefined();
    expect((await api.get(url)).body.items).toEqual([]);
  });

  it("takes exactly 2000 characters, counted as characters (emoji included)", async () => {
    const { submit } = await setup();
    expect((await submit({ content: "b".repeat(2000) })).content).toHaveLength(2000);
    expect([...(await submit({ content: "🎉".repeat(2000) })).content]).toHaveLength(2000);
  });

  it("masks profanity, flags it for the moderator and never stores the original", async () => {
    const { tenant, submit } = await setup();
    const t = await submit({ content: "This shit was fucking brilliant, no bullshit." });
    expect(t).toMatchObject({ containsProfanity: true, isApproved: false });
    expect(t.content).toMatch(/^This s\*\*\* was f\*\*\*ing brilliant/);
    expect(t.content).not.toMatch(/shit|fuck/i);
    const stored = await server.deps.db.selectFrom("testimonials").select(["content", "containsProfanity"]).where("id", "=", t.id).executeTakeFirst();
    expect(stored).toEqual({ content: t.content, containsProfanity: 1 });
    const events = await listEventsForAggregate(server.deps.db, tenant, t.id);
    expect(JSON.stringify(events)).not.toMatch(/shit|fuck/i);
  });

  it("needs communication:send, a visible customer, and refuses a deactivated one with CUST-004", async () => {
    const { tenant, url, customerId } = await setup();
    const viewer = rest(server.url, await server.token("Viewer", tenant, "v-1"));
    expect((await viewer.post(url, valid())).status).toBe(403);
    expect((await rest(server.url).post(url, valid())).status).toBe(401);
    for (const role of ["SalesRep", "SupportAgent", "MarketingManager", "Admin"] as Role[]) {
      expect((await rest(server.url, await server.token(role, tenant, `${role}-1`)).post(url, valid())).status).toBe(201);
    }
    const admin = rest(server.url, await server.token("Admin", tenant, "admin-1"));
    expect((await admin.post(`/customers/00000000-0000-4000-8000-000000000000/testimonials`, valid())).body.code).toBe("CUST-001");
    await admin.post(`/customers/${customerId}/deactivate`, { reason: "Closed down" });
    const refused = await admin.post(url, valid());
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe("CUST-004");
  });
});

describe("approving and rejecting (REQ-CUS-031)", () => {
  it("approves: records approver and time, may make it public, raises the event and audits the change", async () => {
    const { tenant, marketing, url, submit, customerId } = await setup();
    const t = await submit();
    const before = Date.now();
    const res = await marketing.post(`${url}/${t.id}/approve`, { isPublic: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "Approved", isApproved: true, isPublic: true, approvedBy: "mm-1", rejectedBy: null, version: 2 });
    expect(new Date(res.body.approvedAt).getTime()).toBeGreaterThanOrEqual(before - 1000);
    const events = await listEventsForAggregate(server.deps.db, tenant, t.id);
    expect(events.map((e) => [e.envelope.type, e.envelope.version])).toEqual([
      ["CustomerTestimonialReceived", 1],
      ["CustomerTestimonialApproved", 2],
    ]);
    expect(events[1]!.envelope.data).toEqual({ testimonialId: t.id, customerId, isPublic: true, approvedBy: "mm-1", approvedAt: res.body.approvedAt });
    const audit = await listAudit(server.deps.db, tenant, "Testimonial", t.id);
    expect(audit[1]).toMatchObject({ action: "CustomerTestimonialApproved", actorId: "mm-1", changes: { status: { from: "Pending", to: "Approved" }, isPublic: { from: false, to: true } } });

    // Without isPublic the submitted visibility stands.
    const kept = await submit({ isPublic: true });
    expect((await marketing.post(`${url}/${kept.id}/approve`, {})).body).toMatchObject({ status: "Approved", isPublic: true });
    const priv = await submit();
    expect((await marketing.post(`${url}/${priv.id}/approve`, {})).body).toMatchObject({ status: "Approved", isPublic: false });
  });

  it("rejects only with a reason of at least 3 characters, and records who, when and why", async () => {
    const { tenant, marketing, url, submit } = await setup();
    const t = await submit();
    const missing = await marketing.post(`${url}/${t.id}/reject`, {});
    expect(missing.status).toBe(400);
    expect(missing.body.errors.reason).toBeDefined();
    const short = await marketing.post(`${url}/${t.id}/reject`, { reason: " ab " });
    expect(short.status).toBe(400);
    expect(short.body.errors.reason).toBeDefined();
    const res = await marketing.post(`${url}/${t.id}/reject`, { reason: "Mentions a competitor" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "Rejected", isApproved: false, rejectedBy: "mm-1", rejectionReason: "Mentions a competitor", approvedBy: null, approvedAt: null });
    expect(res.body.rejectedAt).toBeTruthy();
    const events = await listEventsForAggregate(server.deps.db, tenant, t.id);
    expect(events.map((e) => e.envelope.type)).toEqual(["CustomerTestimonialReceived", "CustomerTestimonialRejected"]);
    expect(events[1]!.envelope.data).toMatchObject({ reason: "Mentions a competitor", rejectedBy: "mm-1" });
  });

  it("is final: a second decision of either kind answers 400 TEST-002 and changes nothing", async () => {
    const { marketing, url, submit, api } = await setup();
    const approved = await submit();
    await marketing.post(`${url}/${approved.id}/approve`, { isPublic: true });
    const rejected = await submit();
    await marketing.post(`${url}/${rejected.id}/reject`, { reason: "Not about us" });
    for (const t of [approved, rejected]) {
      for (const [action, body] of [
        ["approve", { isPublic: false }],
        ["reject", { reason: "Changed our mind" }],
      ] as const) {
        const res = await marketing.post(`${url}/${t.id}/${action}`, body);
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ code: "TEST-002", type: "BusinessRuleError" });
      }
    }
    const items = (await api.get(url)).body.items;
    expect(items.find((i: any) => i.id === approved.id)).toMatchObject({ status: "Approved", isPublic: true, version: 2 });
    expect(items.find((i: any) => i.id === rejected.id)).toMatchObject({ status: "Rejected", rejectionReason: "Not about us", version: 2 });
  });

  it("lets exactly one of two simultaneous decisions win", async () => {
    const { marketing, url, submit } = await setup();
    const t = await submit();
    const results = await Promise.all([marketing.post(`${url}/${t.id}/approve`, {}), marketing.post(`${url}/${t.id}/reject`, { reason: "Duplicate" })]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
    expect(results.find((r) => r.status === 400)!.body.code).toBe("TEST-002");
  });

  it("answers 404 TEST-001 for an unknown testimonial, or one of another customer", async () => {
    const { api, marketing, url, submit } = await setup();
    const unknown = "00000000-0000-4000-8000-000000000000";
    for (const action of ["approve", "reject"]) {
      const res = await marketing.post(`${url}/${unknown}/${action}`, { reason: "Whatever" });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe("TEST-001");
    }
    const other = (await api.post("/customers", customerBody())).body.id;
    const t = await submit();
    const res = await marketing.post(`/customers/${other}/testimonials/${t.id}/approve`, {});
    expect(res.status).toBe(404);
    expect(res.body.code).toBe("TEST-001");
    expect((await marketing.post(`${url}/not-a-uuid/approve`, {})).status).toBe(400);
  });

  it.each(["CustomerManager", "SalesRep", "SupportAgent", "Viewer"] as Role[])("refuses approval and rejection to %s with 403", async (role) => {
    const { tenant, url, submit } = await setup();
    const t = await submit();
    const other = rest(server.url, await server.token(role, tenant, `${role}-1`));
    expect((await other.post(`${url}/${t.id}/approve`, { isPublic: true })).status).toBe(403);
    const res = await other.post(`${url}/${t.id}/reject`, { reason: "Not allowed" });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe("AUTH-002");
  });

  it("grants approval and rejection to MarketingManager and Admin", async () => {
    const { tenant, url, submit } = await setup();
    for (const role of ["MarketingManager", "Admin"] as Role[]) {
      const who = rest(server.url, await server.token(role, tenant, `${role}-9`));
      expect((await who.post(`${url}/${(await submit()).id}/approve`, {})).body).toMatchObject({ status: "Approved", approvedBy: `${role}-9` });
      expect((await who.post(`${url}/${(await submit()).id}/reject`, { reason: "Off topic" })).body).toMatchObject({ status: "Rejected", rejectedBy: `${role}-9` });
    }
  });
});

describe("reading a customer's testimonials", () => {
  it("lists newest first, filtered by isPublic and status, for anyone with customer:read", async () => {
    const { tenant, marketing, url, submit } = await setup();
    const a = await submit({ content: "First" });
    const b = await submit({ content: "Second", isPublic: true });
    const c = await submit({ content: "Third" });
    await marketing.post(`${url}/${b.id}/approve`, {});
    await marketing.post(`${url}/${c.id}/reject`, { reason: "Too short" });
    const viewer = rest(server.url, await server.token("Viewer", tenant, "v-1"));
    const ids = async (q = "") => {
      const res = await viewer.get(`${url}${q}`);
      expect(res.status).toBe(200);
      return res.body.items.map((i: any) => i.id);
    };
    expect(await ids()).toEqual([c.id, b.id, a.id]);
    expect(await ids("?isPublic=true")).toEqual([b.id]);
    expect(await ids("?isPublic=false")).toEqual([c.id, a.id]);
    expect(await ids("?status=Pending")).toEqual([a.id]);
    expect(await ids("?status=Approved&isPublic=true")).toEqual([b.id]);
    expect(await ids("?status=Rejected")).toEqual([c.id]);
    expect((await viewer.get(`${url}?status=Maybe`)).body.errors.status).toBeDefined();
    expect((await viewer.get(`${url}?isPublic=yes`)).body.errors.isPublic).toBeDefined();
  });
});

describe("tenant isolation", () => {
  it("answers 404 to another tenant on every route, and keeps each tenant's public list its own", async () => {
    const a = await setup();
    const t = await a.submit({ content: "Tenant A's praise", isPublic: true });
    await a.marketing.post(`${a.url}/${t.id}/approve`, {});
    const b = await setup();
    const bt = await b.submit({ content: "Tenant B's praise", isPublic: true });
    await b.marketing.post(`${b.url}/${bt.id}/approve`, {});

    const intruder = rest(server.url, await server.token("Admin", b.tenant, "admin-b"));
    const attempts = [
      await intruder.get(a.url),
      await intruder.post(a.url, valid()),
      await intruder.post(`${a.url}/${t.id}/approve`, {}),
      await intruder.post(`${a.url}/${t.id}/reject`, { reason: "Sabotage" }),
      // B's own customer path with A's testimonial id.
      await intruder.post(`${b.url}/${t.id}/approve`, {}),
    ];
    expect(attempts.map((r) => r.status)).toEqual([404, 404, 404, 404, 404]);
    expect((await a.api.get(a.url)).body.items).toHaveLength(1);

    expect((await publicList(a.tenant)).body.items.map((i: any) => i.content)).toEqual(["Tenant A's praise"]);
    expect((await publicList(b.tenant)).body.items.map((i: any) => i.content)).toEqual(["Tenant B's praise"]);
  });
});

describe("public testimonials for the website", () => {
  it("lists only approved and public ones, newest approval first, with no personal data beyond the author name", async () => {
    const { tenant, marketing, url, submit, customerId, api } = await setup();
    const pending = await submit({ isPublic: true, content: "Pending" });
    const approvedPrivate = await submit({ content: "Approved but private" });
    const rejected = await submit({ isPublic: true, content: "Rejected" });
    const first = await submit({ isPublic: true, content: "First approved", authorName: "Ann" });
    const second = await submit({ content: "Second approved", authorName: "Bob", rating: 4 });
    await marketing.post(`${url}/${approvedPrivate.id}/approve`, {});
    await marketing.post(`${url}/${rejected.id}/reject`, { reason: "Spam" });
    await marketing.post(`${url}/${first.id}/approve`, {});
    await new Promise((r) => setTimeout(r, 5));
    const approved = (await marketing.post(`${url}/${second.id}/approve`, { isPublic: true })).body;

    const res = await publicList(tenant);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ page: 1, pageSize: 20, totalCount: 2 });
    expect(res.body.items.map((i: any) => i.id)).toEqual([second.id, first.id]);
    expect(res.body.items[0]).toEqual({ id: second.id, authorName: "Bob", content: "Second approved", rating: 4, approvedAt: approved.approvedAt });
    for (const item of res.body.items) expect(Object.keys(item).sort()).toEqual(["approvedAt", "authorName", "content", "id", "rating"]);
    const text = JSON.stringify(res.body);
    for (const hidden of [pending.id, approvedPrivate.id, rejected.id, customerId, "mm-1", "cm-1"]) expect(text).not.toContain(hidden);

    // A deactivated customer's testimonials leave the website.
    const admin = rest(server.url, await server.token("Admin", tenant, "admin-1"));
    const other = (await api.post("/customers", customerBody())).body.id;
    const gone = (await api.post(`/customers/${other}/testimonials`, valid({ isPublic: true }))).body;
    await marketing.post(`/customers/${other}/testimonials/${gone.id}/approve`, {});
    expect((await publicList(tenant)).body.totalCount).toBe(3);
    await admin.post(`/customers/${other}/deactivate`, { reason: "Closed down" });
    expect((await publicList(tenant)).body.items.map((i: any) => i.id)).toEqual([second.id, first.id]);
  });

  it("pages, and checks the tenant id, page and pageSize", async () => {
    const { tenant, marketing, url, submit } = await setup();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const t = await submit({ isPublic: true, content: `Praise ${i}` });
      await marketing.post(`${url}/${t.id}/approve`, {});
      ids.unshift(t.id);
      await new Promise((r) => setTimeout(r, 5));
    }
    const p1 = (await publicList(tenant, "?page=1&pageSize=2")).body;
    const p2 = (await publicList(tenant, "?page=2&pageSize=2")).body;
    expect(p1).toMatchObject({ page: 1, pageSize: 2, totalCount: 3 });
    expect([...p1.items, ...p2.items].map((i: any) => i.id)).toEqual(ids);
    expect((await publicList(tenant, "?page=3&pageSize=2")).body.items).toEqual([]);

    for (const q of ["?page=0", "?page=abc", "?pageSize=101", "?pageSize=0", "?page=1.5"]) {
      const res = await publicList(tenant, q);
      expect(res.status, q).toBe(400);
      expect(res.headers.get("cache-control"), q).toBeNull();
    }
    const bad = await publicList("bad%20tenant!");
    expect(bad.status).toBe(400);
    expect(bad.body.errors.tenantId).toBeDefined();
    expect((await publicList("x".repeat(65))).status).toBe(400);

    const unknown = await publicList("no-such-tenant-anywhere");
    expect(unknown.status).toBe(200);
    expect(unknown.body).toEqual({ items: [], page: 1, pageSize: 20, totalCount: 0 });
  });

  it("is cacheable: Cache-Control, a strong ETag of the body, 304 on If-None-Match, a new ETag after a change", async () => {
    const { tenant, marketing, url, submit } = await setup();
    const t = await submit({ isPublic: true });
    await marketing.post(`${url}/${t.id}/approve`, {});
    const res = await publicList(tenant);
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    const etag = res.headers.get("etag")!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect((await publicList(tenant)).headers.get("etag")).toBe(etag);

    const revalidated = await publicList(tenant, "", { "if-none-match": etag });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body).toBeUndefined();
    expect(revalidated.headers.get("etag")).toBe(etag);
    expect(revalidated.headers.get("cache-control")).toBe("public, max-age=300");
    expect((await publicList(tenant, "", { "if-none-match": `"stale", W/${etag}` })).status).toBe(304);
    expect((await publicList(tenant, "", { "if-none-match": '"stale"' })).status).toBe(200);

    const next = await submit({ isPublic: true, content: "Another one" });
    await marketing.post(`${url}/${next.id}/approve`, {});
    const changed = await publicList(tenant, "", { "if-none-match": etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
    expect(changed.body.totalCount).toBe(2);
  });
});

// These need the worker to build the two testimonial notices (testimonial-notices.ts), which
// happens once the kinds are wired into ZNotificationPayload/buildNotice in messaging.jobs.ts.
describe("testimonial emails", () => {
  let c: Comms;
  beforeAll(async () => {
    c = await startComms();
  });
  afterAll(() => c?.close());

  it("tells the marketing team (managers with an email on file) about a new testimonial", async () => {
    const tenant = newTenant();
    const mm = rest(c.server.url, await c.server.signToken({ tenantId: tenant, userId: "mm-1", roles: ["MarketingManager"], email: "marketing@acme.example", name: "Mia" }));
    const mm2 = rest(c.server.url, await c.server.signToken({ tenantId: tenant, userId: "mm-2", roles: ["MarketingManager", "Viewer"], email: "brand@acme.example" }));
    const sales = rest(c.server.url, await c.server.signToken({ tenantId: tenant, userId: "sr-1", roles: ["SalesRep"], email: "sales@acme.example" }));
    const api = rest(c.server.url, await c.server.token("CustomerManager", tenant, "cm-1"));
    // Users become known (with their email) when they first call the API.
    for (const who of [mm, mm2, sales]) await who.get("/follow-ups/mine");
    const customerId = (await api.post("/customers", customerBody({ companyName: "Initech" }))).body.id;
    const t = await api.post(`/customers/${customerId}/testimonials`, valid({ rating: 4 }));
    expect(t.status).toBe(201);

    const mail = await c.smtp.waitFor((m) => m.subject === "New testimonial to review: 4/5 for Initech", 10_000);
    expect([...mail.envelope.to].sort()).toEqual(["brand@acme.example", "marketing@acme.example"]);
    expect(mail.text).toContain(valid().content);
  });

  it("emails the customer on approval, unless they switched email off or their address is suppressed", async () => {
    const tenant = newTenant();
    const api = rest(c.server.url, await c.server.token("CustomerManager", tenant, "cm-1"));
    const marketing = rest(c.server.url, await c.server.token("MarketingManager", tenant, "mm-1"));
    const approve = async (body: Record<string, unknown>) => {
      const sent = customerBody(body);
      const customer = (await api.post("/customers", sent)).body;
      const t = (await api.post(`/customers/${customer.id}/testimonials`, valid({ isPublic: true }))).body;
      expect((await marketing.post(`/customers/${customer.id}/testimonials/${t.id}/approve`, {})).status).toBe(200);
      return sent.primaryEmail as string;
    };
    const quiet = await approve({ preferences: { notifications: { email: false } } });
    const suppressedEmail = `bounced.${Date.now()}@initech.example`;
    await suppressEmail(c.server.deps.db, { tenantId: tenant, email: suppressedEmail, reason: "hard bounce", communicationId: null, createdAt: new Date() });
    await approve({ primaryEmail: suppressedEmail });
    const happy = await approve({});

    const mail = await c.smtp.waitFor((m) => m.envelope.to.includes(happy), 10_000);
    expect(mail.subject).toBe("Thank you: your testimonial has been approved");
    expect(mail.text).toContain("Dear Jane Doe");
    await new Promise((r) => setTimeout(r, 500));
    expect(c.smtp.messages.filter((m) => m.envelope.to.includes(quiet) || m.envelope.to.includes(suppressedEmail))).toEqual([]);
  });
});
