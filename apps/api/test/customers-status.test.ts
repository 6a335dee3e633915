import { listAudit, listEventsForAggregate } from "@clientele/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBody, newTenant, startTestServer, type Api, type TestServer } from "./harness";

let server: TestServer;
let tenant: string;
let admin: Api;
let manager: Api;

beforeAll(async () => {
  server = await startTestServer();
  tenant = newTenant();
  admin = await server.as("Admin", tenant, "admin-1");
  manager = await server.as("CustomerManager", tenant, "cm-1");
});
afterAll(() => server.close());

async function create(overrides: Record<string, unknown> = {}, api: Api = admin): Promise<string> {
  const res = await api.post("/customers", customerBody(overrides));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

const lastEvent = async (id: string) => (await listEventsForAggregate(server.deps.db, tenant, id)).at(-1)!.envelope;
const lastAudit = async (id: string) => (await listAudit(server.deps.db, tenant, "Customer", id)).at(-1)!;

describe("suspend and unsuspend (admins only)", () => {
  it("suspends an Active customer with a reason, evented and audited; the record stays readable", async () => {
    const id = await create();
    const res = await admin.post(`/customers/${id}/suspend`, { reason: "Blocked", note: "abusive calls" }, { "If-Match": '"1"' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id, status: "Suspended", version: 2 });
    expect(await lastEvent(id)).toMatchObject({ type: "CustomerSuspended", actor: "admin-1", data: { reason: "Blocked", note: "abusive calls", previousStatus: "Active" } });
    expect(await lastAudit(id)).toMatchObject({ action: "CustomerSuspended", changes: { status: { from: "Active", to: "Suspended" } } });
    const read = await admin.get(`/customers/${id}`);
    expect(read.body).toMatchObject({ status: "Suspended", statusReason: "Blocked: abusive calls" });
    expect((await admin.get("/customers?status=Suspended")).body.items.map((c: { id: string }) => c.id)).toContain(id);
  });

  it("suspends an Inactive customer too; unsuspend brings it back to Active", async () => {
    const id = await create();
    await admin.post(`/customers/${id}/deactivate`, { reason: "closed account" });
    expect((await admin.post(`/customers/${id}/suspend`, { reason: "Fraud" })).body.status).toBe("Suspended");
    const back = await admin.post(`/customers/${id}/unsuspend`, { reason: "cleared by finance" });
    expect(back.status).toBe(200);
    expect(back.body.status).toBe("Active");
    expect(await lastEvent(id)).toMatchObject({ type: "CustomerUnsuspended", data: { reason: "cleared by finance" } });
    expect(await lastAudit(id)).toMatchObject({ action: "CustomerUnsuspended" });
  });

  it("403 for anyone but an Admin, even a CustomerManager", async () => {
    const id = await create();
    for (const role of ["CustomerManager", "SalesRep", "SupportAgent", "Viewer", "MarketingManager"] as const) {
      const api = await server.as(role, tenant);
      expect((await api.post(`/customers/${id}/suspend`, { reason: "Blocked" })).status).toBe(403);
    }
    await admin.post(`/customers/${id}/suspend`, { reason: "Blocked" });
    expect((await manager.post(`/customers/${id}/unsuspend`, { reason: "cleared" })).status).toBe(403);
  });

  it("400 without a known reason; 400 CUST-003 for illegal moves; 409 when stale; 404 for another tenant", async () => {
    const id = await create();
    const none = await admin.post(`/customers/${id}/suspend`, {});
    expect(none.status).toBe(400);
    expect(none.body.errors.reason).toBeDefined();
    expect((await admin.post(`/customers/${id}/suspend`, { reason: "Bored" })).status).toBe(400);
    const notSuspended = await admin.post(`/customers/${id}/unsuspend`, { reason: "cleared" });
    expect(notSuspended.status).toBe(400);
    expect(notSuspended.body).toMatchObject({ code: "CUST-003", type: "BusinessRuleError" });
    await admin.post(`/customers/${id}/suspend`, { reason: "Blocked" });
    expect((await admin.post(`/customers/${id}/suspend`, { reason: "Blocked" })).body.code).toBe("CUST-003");
    expect((await admin.post(`/customers/${id}/deactivate`, { reason: "closing" })).body.code).toBe("CUST-003");
    expect((await admin.post(`/customers/${id}/unsuspend`, { reason: "cleared" }, { "If-Match": '"1"' })).status).toBe(409);
    const other = await server.as("Admin", newTenant());
    expect((await other.post(`/customers/${id}/unsuspend`, { reason: "cleared" })).status).toBe(404);
    expect((await admin.get(`/customers/${id}`)).body.status).toBe("Suspended");
  });

  it("unsuspending a customer whose email was taken while it was deactivated then suspended is 409 CUST-002", async () => {
    const email = `ghost.${tenant}@example-corp.com`;
    const id = await create({ primaryEmail: email });
    await admin.post(`/customers/${id}/deactivate`, { reason: "closed account" });
    await create({ primaryEmail: email });
    const res = await admin.post(`/customers/${id}/suspend`, { reason: "Blocked" });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("CUST-002");
  });
});

describe("archive", () => {
  it("archives from any status; readable by id, hidden from default lists, never changed again", async () => {
    const id = await create({ companyName: "Archivable Holdings" });
    const res = await manager.post(`/customers/${id}/archive`, { reason: "company dissolved" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "Archived", version: 2 });
    expect(await lastEvent(id)).toMatchObject({ type: "CustomerArchived", data: { previousStatus: "Active", reason: "company dissolved" } });
    expect(await lastAudit(id)).toMatchObject({ action: "CustomerArchived", changes: { status: { from: "Active", to: "Archived" } } });
    expect((await admin.get(`/customers/${id}`)).body).toMatchObject({ status: "Archived", statusReason: "company dissolved" });
    expect((await admin.get("/customers/search?query=Archivable")).body.totalCount).toBe(0);
    expect((await admin.get("/customers?query=Archivable")).body.totalCount).toBe(0);
    expect((await admin.get("/customers?query=Archivable&status=Archived")).body.items.map((c: { id: string }) => c.id)).toEqual([id]);

    for (const [what, call] of [
      ["profile", () => admin.put(`/customers/${id}/profile`, { notes: "x" })],
      ["put", () => admin.put(`/customers/${id}`, { version: 2, profile: { notes: "x" } })],
      ["tags", () => admin.put(`/customers/${id}/tags`, { tags: ["a"] })],
      ["deactivate", () => admin.post(`/customers/${id}/deactivate`, { reason: "why not" })],
      ["suspend", () => admin.post(`/customers/${id}/suspend`, { reason: "Blocked" })],
      ["archive", () => admin.post(`/customers/${id}/archive`, { reason: "again" })],
      ["contact", () => admin.post(`/customers/${id}/contacts`, { firstName: "A", lastName: "B", email: "a.b@example.com" })],
    ] as const) {
      const r = await call();
      expect(r.status, what).toBe(400);
      expect(r.body.code, what).toBe("CUST-006");
    }
    expect((await admin.get(`/customers/${id}`)).body.version).toBe(2);
  });

  it("archives a suspended or an inactive customer; frees the email; 403 for a SalesRep; 400 without a reason", async () => {
    const email = `archived.${tenant}@example-corp.com`;
    const suspended = await create();
    await admin.post(`/customers/${suspended}/suspend`, { reason: "Blocked" });
    expect((await admin.post(`/customers/${suspended}/archive`, { reason: "closing the file" })).body.status).toBe("Archived");
    const inactive = await create({ primaryEmail: email });
    await admin.post(`/customers/${inactive}/deactivate`, { reason: "closed account" });
    expect((await admin.post(`/customers/${inactive}/archive`, { reason: "closing the file" })).body.status).toBe("Archived");
    expect((await admin.get(`/customers/${inactive}`)).status).toBe(200);
    await create({ primaryEmail: email });
    const rep = await server.as("SalesRep", tenant);
    const another = await create();
    expect((await rep.post(`/customers/${another}/archive`, { reason: "closing" })).status).toBe(403);
    expect((await admin.post(`/customers/${another}/archive`, {})).status).toBe(400);
  });
});

describe("no marketing to Suspended or Archived customers", () => {
  it("a campaign skips them with COMM-004; a single marketing email is refused; transactional mail still goes", async () => {
    const consenting = { preferences: { marketingConsent: true } };
    const active = await create(consenting);
    const suspended = await create(consenting);
    const archived = await create(consenting);
    await admin.post(`/customers/${suspended}/suspend`, { reason: "Blocked" });
    await admin.post(`/customers/${archived}/archive`, { reason: "gone for good" });
    const res = await admin.post("/communications/email/bulk", { customerIds: [active, suspended, archived], subject: "Spring offers", body: "Hello {{companyName}}" });
    expect(res.status).toBe(201);
    expect(res.body.accepted.map((a: { customerId: string }) => a.customerId)).toEqual([active]);
    expect(res.body.blocked).toEqual([
      { customerId: suspended, code: "COMM-004", reason: "Suspended customers receive no marketing" },
      { customerId: archived, code: "COMM-004", reason: "Archived customers receive no marketing" },
    ]);
    const single = await admin.post(`/customers/${suspended}/communications/email`, { subject: "Offer", body: "x", purpose: "Marketing" });
    expect(single.status).toBe(400);
    expect(single.body.code).toBe("COMM-004");
    expect((await admin.post(`/customers/${suspended}/communications/email`, { subject: "Your invoice", body: "x", purpose: "Transactional" })).status).toBe(201);
  });
});
