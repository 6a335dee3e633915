import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBody, newTenant, rest, startTestServer, type Api, type TestServer } from "./harness";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

type Seed = { subject: string; category: string; resolution?: string; compensationOffered?: string };

/**
 * A tenant with a customer and complaints; those with a resolution are resolved (by a manager, who
 * may change any complaint's status). Support agents read the knowledge base.
 */
async function tenantWith(seeds: Seed[]) {
  const tenant = newTenant();
  const manager = await server.as("CustomerManager", tenant, "boss");
  const agent = await server.as("SupportAgent", tenant, "agent-1");
  const customer = (await manager.post("/customers", customerBody({ companyName: "Stark Industries", primaryEmail: `tony.${tenant}@stark.example` }))).body;
  expect(customer.id).toBeTruthy();
  const ids: string[] = [];
  for (const s of seeds) {
    const c = await manager.post(`/customers/${customer.id}/complaints`, { subject: s.subject, description: "As the customer told us on the phone.", category: s.category, priority: "Medium" });
    expect(c.status).toBe(201);
    ids.push(c.body.id);
    if (!s.resolution) continue;
    const base = `/customers/${customer.id}/complaints/${c.body.id}`;
    expect((await manager.put(`${base}/status`, { status: "InProgress", notes: "Looking into it" })).status).toBe(200);
    const r = await manager.post(`${base}/resolve`, { resolution: s.resolution, compensationOffered: s.compensationOffered ?? null, customerSatisfied: true });
    expect(r.status).toBe(200);
  }
  return { tenant, manager, agent, customerId: customer.id as string, ids };
}

const kb = (api: Api, qs: string) => api.get(`/complaints/knowledge-base?${qs}`);
const idsOf = (res: { body: { items: { complaintId: string }[] } }) => res.body.items.map((i) => i.complaintId);

describe("complaints knowledge base", () => {
  it("finds a resolved complaint by a word of its resolution, best match first, naming no customer", async () => {
    const { tenant, agent, customerId, ids } = await tenantWith([
      { subject: "Parcel arrived damaged", category: "Delivery", resolution: "Sent a replacement by courier and refunded the postage.", compensationOffered: "Postage refunded" },
      { subject: "Invoice shows the wrong amount", category: "Billing", resolution: "Issued a corrected invoice and apologised for the courier confusion." },
    ]);
    const res = await kb(agent, "query=replacement");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ totalCount: 1, page: 1, pageSize: 20, totalPages: 1 });
    expect(res.body.items).toEqual([
      {
        complaintId: ids[0],
        complaintNumber: expect.stringMatching(/^COMP-/),
        category: "Delivery",
        subject: "Parcel arrived damaged",
        resolution: "Sent a replacement by courier and refunded the postage.",
        compensationOffered: "Postage refunded",
        resolvedAt: expect.any(String),
        customerSatisfied: true,
      },
    ]);
    expect(JSON.stringify(res.body)).not.toContain(customerId);
    expect(JSON.stringify(res.body)).not.toContain("Stark");

    // Any word may match, a word matches as a prefix (refund → refunded), more shared words rank first.
    expect(idsOf(await kb(agent, `query=${encodeURIComponent("courier, refund & replacement!")}`))).toEqual([ids[0], ids[1]]);
    expect(idsOf(await kb(agent, `query=${encodeURIComponent("the courier invoice")}`))).toEqual([ids[1], ids[0]]);
    expect((await kb(agent, "query=teleporter")).body).toMatchObject({ items: [], totalCount: 0, totalPages: 0 });

    // The same procedure over tRPC, as the admin app calls it.
    const token = await server.token("SupportAgent", tenant, "agent-1");
    const trpc = await fetch(`${server.url}/trpc/complaints.knowledgeBase?input=${encodeURIComponent(JSON.stringify({ query: "corrected" }))}`, { headers: { authorization: `Bearer ${token}` } });
    expect(trpc.status).toBe(200);
    expect(((await trpc.json()) as { result: { data: { items: { complaintId: string }[] } } }).result.data.items.map((i) => i.complaintId)).toEqual([ids[1]]);
  });

  it("holds only standing resolutions: open and reopened complaints are absent, closed ones stay", async () => {
    const { manager, agent, customerId, ids } = await tenantWith([
      { subject: "Router keeps rebooting", category: "Hardware" },
      { subject: "Router fan noise", category: "Hardware", resolution: "Replaced the router fan under warranty." },
      { subject: "Router lights blink", category: "Hardware", resolution: "Router firmware updated remotely, lights steady." },
    ]);
    const [open, reopened, closed] = ids as [string, string, string];
    expect((await manager.put(`/customers/${customerId}/complaints/${reopened}/status`, { status: "InProgress", notes: "Fan is loud again" })).status).toBe(200);
    expect((await manager.put(`/customers/${customerId}/complaints/${closed}/status`, { status: "Closed", notes: "Customer confirmed" })).status).toBe(200);
    const res = await kb(agent, "query=router");
    expect(idsOf(res)).toEqual([closed]);
    expect(idsOf(res)).not.toContain(open);
    // Browsing without words lists the same standing resolutions, newest first.
    expect(idsOf(await kb(agent, ""))).toEqual([closed]);
  });

  it("filters by category and pages through the matches", async () => {
    const { agent, ids } = await tenantWith([
      { subject: "Late parcel one", category: "Delivery", resolution: "Refunded the shipping charge for the late parcel." },
      { subject: "Late parcel two", category: "Delivery", resolution: "Refunded the shipping charge and sent a voucher." },
      { subject: "Late parcel three", category: "Delivery", resolution: "Refunded the shipping charge after tracking it." },
      { subject: "Charged twice", category: "Billing", resolution: "Refunded the duplicate charge to the card." },
    ]);
    expect((await kb(agent, "query=refunded")).body.totalCount).toBe(4);
    expect(idsOf(await kb(agent, "query=refunded&category=Billing"))).toEqual([ids[3]]);
    expect((await kb(agent, "query=refunded&category=Returns")).body.items).toEqual([]);

    const page1 = await kb(agent, "query=refunded&category=Delivery&pageSize=2");
    const page2 = await kb(agent, "query=refunded&category=Delivery&pageSize=2&page=2");
    expect(page1.body).toMatchObject({ totalCount: 3, page: 1, pageSize: 2, totalPages: 2 });
    expect(page2.body).toMatchObject({ totalCount: 3, page: 2, pageSize: 2, totalPages: 2 });
    expect(page1.body.items).toHaveLength(2);
    expect(page2.body.items).toHaveLength(1);
    expect([...idsOf(page1), ...idsOf(page2)].sort()).toEqual(ids.slice(0, 3).sort());
    // Without words: the category's resolutions, newest first.
    expect(idsOf(await kb(agent, "category=Delivery"))).toEqual([ids[2], ids[1], ids[0]]);
  });

  it("refuses a query without a searchable word or too long, and bad paging, with field messages", async () => {
    const { agent } = await tenantWith([]);
    for (const [qs, field, message] of [
      ["query=ab", "query", "must contain a word of at least 3 letters or digits"],
      [`query=${encodeURIComponent("a b ! ??")}`, "query", "must contain a word of at least 3 letters or digits"],
      [`query=${"x".repeat(201)}`, "query", "must be at most 200 characters"],
      [`category=${"x".repeat(201)}`, "category", "must be at most 200 characters"],
      ["pageSize=101", "pageSize", "must be at most 100"],
      ["page=0", "page", "must be at least 1"],
    ] as const) {
      const res = await kb(agent, qs);
      expect(res.status, qs).toBe(400);
      expect(res.body.errors, qs).toEqual({ [field]: [message] });
    }
    expect((await kb(agent, `query=${"x".repeat(200)}`)).status).toBe(200);
  });

  it("needs a signed-in complaint handler and stays within the tenant", async () => {
    const { tenant, agent, ids } = await tenantWith([{ subject: "Wrong colour delivered", category: "Delivery", resolution: "Exchanged the item for the ordered colour." }]);
    expect(idsOf(await kb(agent, "query=colour"))).toEqual(ids);
    expect((await kb(rest(server.url), "query=colour")).status).toBe(401);
    expect((await kb(rest(server.url, "not-a-token"), "query=colour")).status).toBe(401);
    for (const role of ["Viewer", "SalesRep", "MarketingManager"] as const) {
      const res = await kb(await server.as(role, tenant), "query=colour");
      expect(res.status, role).toBe(403);
      expect(res.body.detail, role).toContain("complaint:manage");
    }
    expect(idsOf(await kb(await server.as("Admin", tenant), "query=colour"))).toEqual(ids);
    const stranger = await server.as("SupportAgent", newTenant(), "agent-1");
    expect((await kb(stranger, "query=colour")).body).toMatchObject({ items: [], totalCount: 0 });
  });
});
