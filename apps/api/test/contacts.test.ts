import { listAudit, listEventsForAggregate } from "@clientele/db";
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

let n = 0;
const contact = (o: Record<string, unknown> = {}) => {
  n += 1;
  return { firstName: "Grace", lastName: `Hopper${n}`, email: `grace${n}@navy.example.com`, ...o };
};
async function newCustomer(api = admin) {
  return (await api.post("/customers", customerBody())).body.id as string;
}

describe("add contacts", () => {
  it("makes the first contact primary, normalizes the phone with the billing country, answers 201", async () => {
    const cid = await newCustomer();
    const res = await admin.post(`/customers/${cid}/contacts`, contact({ phone: "020 7946 0123", position: "CTO", tags: ["VIP", "vip", "Board_2024"] }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ isPrimary: true, phone: "+442079460123", position: "CTO", tags: ["vip", "board_2024"], status: "Active", version: 1 });
    const events = await listEventsForAggregate(server.deps.db, tenant, res.body.id);
    expect(events[0]!.envelope).toMatchObject({ type: "ContactAdded", aggregateType: "Contact", data: { customerId: cid, isPrimary: true } });
  });

  it("keeps exactly one primary: a new primary demotes the old one", async () => {
    const cid = await newCustomer();
    const first = (await admin.post(`/customers/${cid}/contacts`, contact())).body;
    const second = (await admin.post(`/customers/${cid}/contacts`, contact())).body;
    expect(second.isPrimary).toBe(false);
    const third = (await admin.post(`/customers/${cid}/contacts`, contact({ isPrimary: true }))).body;
    expect(third.isPrimary).toBe(true);
    const list = (await admin.get(`/customers/${cid}/contacts`)).body.items;
    expect(list.filter((c: any) => c.isPrimary).map((c: any) => c.id)).toEqual([third.id]);
    expect(list[0].id).toBe(third.id);
    expect(list.find((c: any) => c.id === first.id).version).toBe(2);
  });

  it("answers 409 CONT-002 for an email another active contact uses (case-insensitively)", async () => {
    const cid = await newCustomer();
    await admin.post(`/customers/${cid}/contacts`, contact({ email: "dup@example.com" }));
    const res = await admin.post(`/customers/${cid}/contacts`, contact({ email: "DUP@example.com" }));
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: "CONT-002", type: "ConflictError" });
    // The same email is fine at another customer.
    expect((await admin.post(`/customers/${await newCustomer()}/contacts`, contact({ email: "dup@example.com" }))).status).toBe(201);
  });

  it("validates required fields, email, phone and tags with field errors", async () => {
    const cid = await newCustomer();
    const res = await admin.post(`/customers/${cid}/contacts`, { firstName: " ", email: "nope", phone: "12", tags: ["bad tag!", "x".repeat(51)] });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.errors).sort()).toEqual(["lastName"]);
    const res2 = await admin.post(`/customers/${cid}/contacts`, { firstName: " ", lastName: "L", email: "nope", phone: "12", tags: ["bad tag!"] });
    expect(res2.status).toBe(400);
    expect(Object.keys(res2.body.errors).sort()).toEqual(["email", "firstName", "phone", "tags"]);
  });

  it("stops at 50 active contacts with 400 CONT-004, also under concurrent adds", async () => {
    const cid = await newCustomer();
    const results = await Promise.all(Array.from({ length: 55 }, () => admin.post(`/customers/${cid}/contacts`, contact())));
    expect(results.filter((r) => r.status === 201)).toHaveLength(50);
    const rejected = results.filter((r) => r.status !== 201);
    expect(rejected.map((r) => r.body.code)).toEqual(Array(5).fill("CONT-004"));
    const list = (await admin.get(`/customers/${cid}/contacts`)).body.items;
    expect(list).toHaveLength(50);
    expect(list.filter((c: any) => c.isPrimary)).toHaveLength(1);
  });
});

describe("update contacts", () => {
  it("changes fields, raises ContactUpdated with the changed fields, audits, and checks versions", async () => {
    const cid = await newCustomer();
    const c = (await admin.post(`/customers/${cid}/contacts`, contact())).body;
    const res = await admin.put(`/customers/${cid}/contacts/${c.id}`, { position: "Rear Admiral", version: 1 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ position: "Rear Admiral", version: 2 });
    const events = await listEventsForAggregate(server.deps.db, tenant, c.id);
    expect(events.at(-1)!.envelope).toMatchObject({ type: "ContactUpdated", data: { changedFields: { position: "Rear Admiral" } } });
    const audit = await listAudit(server.deps.db, tenant, "Contact", c.id);
    expect(audit.at(-1)!.changes).toMatchObject({ position: { from: null, to: "Rear Admiral" } });
    const stale = await admin.put(`/customers/${cid}/contacts/${c.id}`, { position: "x" }, { "if-match": '"1"' });
    expect(stale.status).toBe(409);
  });

  it("answers 409 on an email conflict and moves the primary flag when asked", async () => {
    const cid = await newCustomer();
    const a = (await admin.post(`/customers/${cid}/contacts`, contact({ email: "a@ex.com" }))).body;
    const b = (await admin.post(`/customers/${cid}/contacts`, contact({ email: "b@ex.com" }))).body;
    expect((await admin.put(`/customers/${cid}/contacts/${b.id}`, { email: "A@ex.com" })).status).toBe(409);
    const promoted = await admin.put(`/customers/${cid}/contacts/${b.id}`, { isPrimary: true });
    expect(promoted.body.isPrimary).toBe(true);
    expect((await admin.get(`/customers/${cid}/contacts/${a.id}`)).body.isPrimary).toBe(false);
    const demote = await admin.put(`/customers/${cid}/contacts/${b.id}`, { isPrimary: false });
    expect(demote.status).toBe(400);
    expect(demote.body.code).toBe("CONT-003");
  });

  it("answers 404 CONT-001 for a missing contact and CUST-001 for a missing or foreign customer", async () => {
    const cid = await newCustomer();
    const c = (await admin.post(`/customers/${cid}/contacts`, contact())).body;
    const missing = await admin.put(`/customers/${cid}/contacts/00000000-0000-4000-8000-000000000000`, { position: "x" });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe("CONT-001");
    const other = rest(server.url, await server.token("Admin", newTenant()));
    for (const res of [
      await other.get(`/customers/${cid}/contacts`),
      await other.get(`/customers/${cid}/contacts/${c.id}`),
      await other.put(`/customers/${cid}/contacts/${c.id}`, { position: "Spy" }),
      await other.post(`/customers/${cid}/contacts`, contact()),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.code).toBe("CUST-001");
    }
    // A contact addressed through the wrong customer does not exist either.
    const cid2 = await newCustomer();
    expect((await admin.get(`/customers/${cid2}/contacts/${c.id}`)).status).toBe(404);
    expect((await admin.get(`/customers/${cid}/contacts/${c.id}`)).body.position).toBeNull();
  });
});

describe("remove contacts", () => {
  it("refuses the only contact and the primary, then soft-deletes with 204", async () => {
    const cid = await newCustomer();
    const a = (await admin.post(`/customers/${cid}/contacts`, contact())).body;
    const only = await admin.del(`/customers/${cid}/contacts/${a.id}`);
    expect(only.status).toBe(400);
    expect(only.body.code).toBe("CONT-005");
    const b = (await admin.post(`/customers/${cid}/contacts`, contact())).body;
    const primary = await admin.del(`/customers/${cid}/contacts/${a.id}`);
    expect(primary.status).toBe(400);
    expect(primary.body.code).toBe("CONT-003");

    const removed = await admin.del(`/customers/${cid}/contacts/${b.id}?reason=Left%20the%20company`);
    expect(removed.status).toBe(204);
    expect((await admin.get(`/customers/${cid}/contacts`)).body.items.map((c: any) => c.id)).toEqual([a.id]);
    expect((await admin.get(`/customers/${cid}/contacts/${b.id}`)).status).toBe(404);
    const row = await server.deps.db.selectFrom("contacts").selectAll().where("id", "=", b.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: "Inactive", removalReason: "Left the company" });
    const events = await listEventsForAggregate(server.deps.db, tenant, b.id);
    expect(events.at(-1)!.envelope).toMatchObject({ type: "ContactRemoved", data: { reason: "Left the company" } });
    // Its email is free again for a new contact.
    expect((await admin.post(`/customers/${cid}/contacts`, contact({ email: b.email }))).status).toBe(201);
  });
});

describe("tags", () => {
  it("tags case-insensitively without duplicates, untags, and filters the list", async () => {
    const cid = await newCustomer();
    const a = (await admin.post(`/customers/${cid}/contacts`, contact())).body;
    const b = (await admin.post(`/customers/${cid}/contacts`, contact())).body;
    expect((await admin.post(`/customers/${cid}/contacts/${a.id}/tags`, { tag: "Decision-Maker" })).body.tags).toEqual(["decision-maker"]);
    const again = await admin.post(`/customers/${cid}/contacts/${a.id}/tags`, { tag: "DECISION-MAKER" });
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(2);
    expect((await admin.post(`/customers/${cid}/contacts/${a.id}/tags`, { tag: "no spaces" })).status).toBe(400);
    expect((await admin.post(`/customers/${cid}/contacts/${a.id}/tags`, { tag: "x".repeat(51) })).status).toBe(400);
    const events = (await listEventsForAggregate(server.deps.db, tenant, a.id)).map((e) => e.envelope.type);
    expect(events.filter((t) => t === "ContactTagged")).toHaveLength(1);

    expect((await admin.get(`/customers/${cid}/contacts?tag=decision-maker`)).body.items.map((c: any) => c.id)).toEqual([a.id]);
    const untagged = await admin.del(`/customers/${cid}/contacts/${a.id}/tags/Decision-Maker`);
    expect(untagged.status).toBe(200);
    expect(untagged.body.tags).toEqual([]);
    expect((await admin.get(`/customers/${cid}/contacts?tag=decision-maker`)).body.items).toEqual([]);
    expect((await listEventsForAggregate(server.deps.db, tenant, a.id)).at(-1)!.envelope.type).toBe("ContactUntagged");
    expect((await admin.post(`/customers/${cid}/contacts/00000000-0000-4000-8000-000000000000/tags`, { tag: "x" })).status).toBe(404);
    expect(b.tags).toEqual([]);
  });
});

describe("permissions, cache and deactivated customers", () => {
  it("lets Viewers read but not change contacts (403)", async () => {
    const cid = await newCustomer();
    const c = (await admin.post(`/customers/${cid}/contacts`, contact())).body;
    const viewer = rest(server.url, await server.token("Viewer", tenant));
    expect((await viewer.get(`/customers/${cid}/contacts`)).status).toBe(200);
    expect((await viewer.post(`/customers/${cid}/contacts`, contact())).status).toBe(403);
    expect((await viewer.put(`/customers/${cid}/contacts/${c.id}`, { position: "x" })).status).toBe(403);
    expect((await viewer.post(`/customers/${cid}/contacts/${c.id}/tags`, { tag: "x" })).status).toBe(403);
  });

  it("serves the list from cache and refreshes it after a change", async () => {
    const cid = await newCustomer();
    await admin.post(`/customers/${cid}/contacts`, contact({ firstName: "Cached" }));
    expect((await admin.get(`/customers/${cid}/contacts`)).body.items).toHaveLength(1);
    await server.deps.db.updateTable("contacts").set({ position: "Changed behind the API" }).where("customerId", "=", cid).execute();
    expect((await admin.get(`/customers/${cid}/contacts`)).body.items[0].position).toBeNull();
    await admin.post(`/customers/${cid}/contacts`, contact());
    const fresh = (await admin.get(`/customers/${cid}/contacts`)).body.items;
    expect(fresh).toHaveLength(2);
    expect(fresh[0].position).toBe("Changed behind the API");
  });

  it("hides a deactivated customer's contacts and refuses changes with CUST-004", async () => {
    const cid = await newCustomer();
    await admin.post(`/customers/${cid}/contacts`, contact());
    expect((await admin.get(`/customers/${cid}/contacts`)).status).toBe(200);
    await admin.post(`/customers/${cid}/deactivate`, { reason: "Closed down" });
    expect((await admin.get(`/customers/${cid}/contacts`)).status).toBe(404);
    const add = await admin.post(`/customers/${cid}/contacts`, contact());
    expect(add.status).toBe(400);
    expect(add.body.code).toBe("CUST-004");
  });
});
