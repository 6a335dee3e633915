import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBody, newTenant, rest, startTestServer, type TestServer } from "./harness";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const QUEUE = "/testimonials/pending";

/** A tenant with two customers, a submitter (CustomerManager) and a marketing manager. */
async function setup() {
  const tenant = newTenant();
  const api = await server.as("CustomerManager", tenant, "cm-1");
  const marketing = await server.as("MarketingManager", tenant, "mm-1");
  const customers = await Promise.all(
    [1, 2].map(async () => {
      const body = customerBody();
      return { id: (await api.post("/customers", body)).body.id as string, companyName: body.companyName };
    }),
  );
  const submit = async (customerId: string, authorName: string, content = "Wonderful team, the launch went perfectly.") => {
    const res = await api.post(`/customers/${customerId}/testimonials`, { content, rating: 4, authorName, isPublic: true });
    expect(res.status).toBe(201);
    return res.body as { id: string; customerId: string; version: number };
  };
  return { tenant, api, marketing, customers, submit };
}

const ids = (body: { items: { id: string }[] }) => body.items.map((i) => i.id);

describe("the tenant's testimonial moderation queue (GET /testimonials/pending, testimonials.moderationQueue)", () => {
  it("lists every customer's pending testimonials oldest first, with the customer's name and the profanity flag", async () => {
    const { tenant, marketing, customers, submit } = await setup();
    const [a, b] = customers as [(typeof customers)[number], (typeof customers)[number]];
    const first = await submit(a.id, "Ann First");
    const second = await submit(b.id, "Bob Second", "This shit is great, really.");
    const third = await submit(a.id, "Cat Third");

    const res = await marketing.get(QUEUE);
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual([first.id, second.id, third.id]);
    expect(res.body).toMatchObject({ page: 1, pageSize: 20, totalCount: 3 });
    expect(res.body.items[0]).toMatchObject({ customerId: a.id, customerName: a.companyName, authorName: "Ann First", status: "Pending", containsProfanity: false, version: 1 });
    expect(res.body.items[1]).toMatchObject({ customerId: b.id, customerName: b.companyName, containsProfanity: true });
    expect(res.body.items[1].content).not.toContain("shit");

    // The same procedure over tRPC, as the admin app calls it.
    const token = await server.token("Admin", tenant, "admin-1");
    const trpc = await fetch(`${server.url}/trpc/testimonials.moderationQueue?input=${encodeURIComponent(JSON.stringify({ pageSize: 2 }))}`, { headers: { authorization: `Bearer ${token}` } });
    expect(trpc.status).toBe(200);
    const data = ((await trpc.json()) as { result: { data: { items: { id: string }[]; totalCount: number } } }).result.data;
    expect(ids(data)).toEqual([first.id, second.id]);
    expect(data.totalCount).toBe(3);
  });

  it("pages through the queue: page 2 continues where page 1 ended, past the end is empty", async () => {
    const { marketing, customers, submit } = await setup();
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await submit(customers[i % 2]!.id, `Author ${i}`)).id);
    const p1 = await marketing.get(`${QUEUE}?page=1&pageSize=2`);
    const p2 = await marketing.get(`${QUEUE}?page=2&pageSize=2`);
    const p3 = await marketing.get(`${QUEUE}?page=3&pageSize=2`);
    const p4 = await marketing.get(`${QUEUE}?page=4&pageSize=2`);
    expect([p1.status, p2.status, p3.status, p4.status]).toEqual([200, 200, 200, 200]);
    expect([...ids(p1.body), ...ids(p2.body), ...ids(p3.body)]).toEqual(made);
    expect(ids(p4.body)).toEqual([]);
    expect(p4.body).toMatchObject({ page: 4, pageSize: 2, totalCount: 5 });
  });

  it("refuses bad paging with field messages", async () => {
    const { marketing } = await setup();
    const res = await marketing.get(`${QUEUE}?page=0&pageSize=101`);
    expect(res.status).toBe(400);
    const fields = JSON.stringify(res.body);
    expect(fields).toContain("page");
    expect(fields).toContain("must be at least 1");
    expect(fields).toContain("must be at most 100");
  });

  it("approved and rejected testimonials leave the queue; so do those of deactivated customers", async () => {
    const { api, marketing, customers, submit } = await setup();
    const [a, b] = customers as [(typeof customers)[number], (typeof customers)[number]];
    const toApprove = await submit(a.id, "Approved One");
    const toReject = await submit(a.id, "Rejected One");
    const stays = await submit(b.id, "Still Pending");
    const ofDeactivated = await submit(b.id, "Gone With Customer");
    expect(ids((await marketing.get(QUEUE)).body)).toEqual([toApprove.id, toReject.id, stays.id, ofDeactivated.id]);

    expect((await marketing.post(`/customers/${a.id}/testimonials/${toApprove.id}/approve`, { isPublic: true })).status).toBe(200);
    expect((await marketing.post(`/customers/${a.id}/testimonials/${toReject.id}/reject`, { reason: "Not about us" })).status).toBe(200);
    const after = await marketing.get(QUEUE);
    expect(ids(after.body)).toEqual([stays.id, ofDeactivated.id]);
    expect(after.body.totalCount).toBe(2);

    // A third customer, deactivated: its pending testimonial cannot be decided, so it is not offered.
    const c = (await api.post("/customers", customerBody())).body as { id: string };
    const hidden = await submit(c.id, "Hidden Author");
    expect(ids((await marketing.get(QUEUE)).body)).toContain(hidden.id);
    expect((await api.post(`/customers/${c.id}/deactivate`, { reason: "Closed down" })).status).toBe(200);
    const final = await marketing.get(QUEUE);
    expect(ids(final.body)).toEqual([stays.id, ofDeactivated.id]);
    expect(final.body.totalCount).toBe(2);
  });

  it("401 without a token; 403 for roles that may not moderate; Admin may", async () => {
    const { tenant, submit, customers } = await setup();
    await submit(customers[0]!.id, "Someone");
    const anonymous = await rest(server.url).get(QUEUE);
    expect(anonymous.status).toBe(401);
    for (const role of ["Viewer", "SalesRep", "SupportAgent", "CustomerManager"] as const) {
      const res = await (await server.as(role, tenant)).get(QUEUE);
      expect(res.status, role).toBe(403);
      expect(JSON.stringify(res.body), role).toContain("testimonial:approve");
    }
    const admin = await (await server.as("Admin", tenant)).get(QUEUE);
    expect(admin.status).toBe(200);
    expect(admin.body.totalCount).toBe(1);
  });

  it("is scoped to the caller's tenant", async () => {
    const one = await setup();
    const two = await setup();
    const mine = await one.submit(one.customers[0]!.id, "Tenant One");
    const theirs = await two.submit(two.customers[0]!.id, "Tenant Two");
    const seenByOne = await one.marketing.get(QUEUE);
    const seenByTwo = await two.marketing.get(QUEUE);
    expect(ids(seenByOne.body)).toEqual([mine.id]);
    expect(ids(seenByTwo.body)).toEqual([theirs.id]);
    expect(seenByOne.body.totalCount).toBe(1);
  });
});

