import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBody, newTenant, startIsolatedTestServer, type Api, type TestServer } from "./harness";

/**
 * README promise: an update without a version applies to the current state. Concurrent ones
 * take turns on the row lock (none answers 409); one that sends a stale version still gets 409.
 * An isolated server keeps its queued invitations and notices away from other files' workers.
 */
let server: TestServer;
let api: Api;
let customerId: string;
const tenant = newTenant();
beforeAll(async () => {
  server = await startIsolatedTestServer("unversioned");
  api = await server.as("Admin", tenant, "admin-1");
  customerId = (await api.post("/customers", customerBody())).body.id;
});
afterAll(() => server.close());

const inMinutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();
const statuses = (rs: { status: number }[]) => rs.map((r) => r.status);

describe("updates without a version serialize on the row lock", () => {
  it("templates: 10 parallel changes all apply; a stale version is 409", async () => {
    const t = (await api.post("/templates", { name: "Welcome", channel: "Email", subject: "Hi", body: "Hello" })).body;
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => api.put(`/templates/${t.id}`, { body: `Hello ${i}` })));
    expect(statuses(results)).toEqual(Array(10).fill(200));
    expect((await api.get(`/templates/${t.id}`)).body.version).toBe(11);
    const stale = await api.put(`/templates/${t.id}`, { body: "late", version: 5 });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe("CONCURRENCY");
    expect((await api.put(`/templates/${t.id}`, { body: "on time", version: 11 })).status).toBe(200);
  });

  it("meetings: 10 parallel reschedules all apply; a stale version is 409", async () => {
    const m = (
      await api.post(`/customers/${customerId}/communications/meeting`, { title: "Review", scheduledStart: inMinutes(60), scheduledEnd: inMinutes(90), attendees: ["a@x.example"], location: "HQ" })
    ).body;
    const url = `/customers/${customerId}/communications/meeting/${m.id}`;
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => api.put(url, { scheduledStart: inMinutes(120 + i), scheduledEnd: inMinutes(180) })));
    expect(statuses(results)).toEqual(Array(10).fill(200));
    expect((await api.get(`/customers/${customerId}/communications/${m.id}`)).body.version).toBe(11);
    expect((await api.put(url, { scheduledStart: inMinutes(200), scheduledEnd: inMinutes(230), version: 3 })).status).toBe(409);
  });

  it("follow-ups: parallel reassignments all apply", async () => {
    // Assignees must be known users of the tenant: each signs in once.
    for (const who of ["bob", "carol", "dave"]) await (await server.as("CustomerManager", tenant, who)).get("/follow-ups/mine");
    const f = (await api.post(`/customers/${customerId}/follow-ups`, { subject: "Call back", dueDate: inMinutes(600), priority: "Medium" })).body;
    const results = await Promise.all(["admin-1", "bob", "carol", "admin-1", "dave"].map((who) => api.put(`/follow-ups/${f.id}/assignee`, { assignedTo: who })));
    expect(statuses(results)).toEqual(Array(5).fill(200));
    expect(results.map((r) => r.body.version).sort()).toEqual([2, 3, 4, 5, 6]);
    expect((await api.put(`/follow-ups/${f.id}/assignee`, { assignedTo: "bob", version: 2 })).status).toBe(409);
  });

  it("complaints: two parallel valid status changes both apply, in either order", async () => {
    const c = (await api.post(`/customers/${customerId}/complaints`, { subject: "Late delivery", description: "Two weeks late.", category: "Delivery", priority: "High" })).body;
    const url = `/customers/${customerId}/complaints/${c.id}/status`;
    const results = await Promise.all([api.put(url, { status: "InProgress", notes: "on it" }), api.put(url, { status: "Escalated", notes: "needs a manager" })]);
    expect(statuses(results)).toEqual([200, 200]);
    const after = (await api.get(`/customers/${customerId}/complaints/${c.id}`)).body;
    expect(after.version).toBe(3);
    expect(after.statusHistory).toHaveLength(3);
    expect((await api.put(url, { status: "Resolved", notes: "late", version: 2 })).status).toBe(409);
  });

  it("contacts: 10 parallel changes of one contact all apply", async () => {
    const contact = (await api.post(`/customers/${customerId}/contacts`, { firstName: "Ann", lastName: "Lee", email: "ann@x.example", phone: "+44 20 7946 0001", position: "Buyer" })).body;
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => api.put(`/customers/${customerId}/contacts/${contact.id}`, { position: `Buyer ${i}` })));
    expect(statuses(results)).toEqual(Array(10).fill(200));
    expect((await api.get(`/customers/${customerId}/contacts/${contact.id}`)).body.version).toBe(contact.version + 10);
  });
});
