import { randomUUID } from "node:crypto";
import { listAudit, listEventsForAggregate } from "@clientele/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBody, newTenant, startTestServer, type Api, type TestServer } from "./harness";

// Issue 10 §4 (REQ-CUS-007, 001 §5.1.7): merging a duplicate customer into another, and undoing it.

let server: TestServer;
let tenant: string;
let admin: Api;
let token: string;

const ADMIN_ID = "merger-1";

beforeAll(async () => {
  server = await startTestServer();
  tenant = newTenant();
  admin = await server.as("CustomerManager", tenant, ADMIN_ID);
  token = await server.token("CustomerManager", tenant, ADMIN_ID);
});
afterAll(() => server.close());

async function create(overrides: Record<string, unknown> = {}, api: Api = admin): Promise<{ id: string; customerNumber: string }> {
  const res = await api.post("/customers", customerBody(overrides));
  expect(res.status).toBe(201);
  return res.body;
}

async function addContact(customerId: string, email: string, o: Record<string, unknown> = {}) {
  const res = await admin.post(`/customers/${customerId}/contacts`, { firstName: "Ann", lastName: email.split("@")[0], email, ...o });
  expect(res.status).toBe(201);
  return res.body as { id: string; isPrimary: boolean; version: number };
}

/** A source customer with one record of every kind. */
async function populated(prefix: string, overrides: Record<string, unknown> = {}) {
  const c = await create({ companyName: `${prefix} Source Ltd`, industry: "Retail", ...overrides });
  const contact = await addContact(c.id, `${prefix}.one@example.com`);
  const call = await admin.post(`/customers/${c.id}/communications/phone-call`, {
    phoneNumber: "+14155552671",
    callType: "Outbound",
    durationInSeconds: 60,
    summary: "Discussed the order",
    callTime: new Date(Date.now() - 60_000).toISOString(),
  });
  expect(call.status).toBe(201);
  const followUp = await admin.post(`/customers/${c.id}/follow-ups`, { subject: "Call back", dueDate: new Date(Date.now() + 86_400_000).toISOString(), priority: "Medium" });
  expect(followUp.status).toBe(201);
  const complaint = await admin.post(`/customers/${c.id}/complaints`, { subject: "Late delivery", description: "The parcel came a week late.", priority: "Medium" });
  expect(complaint.status).toBe(201);
  const testimonial = await admin.post(`/customers/${c.id}/testimonials`, { content: "Great service, would recommend.", rating: 5, authorName: "Ann" });
  expect(testimonial.status).toBe(201);
  return { ...c, contactId: contact.id, callId: call.body.id as string, followUpId: followUp.body.id as string, complaintId: complaint.body.id as string, testimonialId: testimonial.body.id as string };
}

const merge = (body: Record<string, unknown>, api: Api = admin) => api.post("/customers/merge", body);
const events = async (id: string) => (await listEventsForAggregate(server.deps.db, tenant, id)).map((e) => e.envelope);
const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((i) => i.id).sort();

describe("POST /customers/merge", () => {
  it("moves contacts, communications, follow-ups, complaints and testimonials to the target and deactivates the source", async () => {
    const source = await populated("all");
    const target = await create({ companyName: "All Target Ltd" });
    const targetContact = await addContact(target.id, "all.target@example.com");
    // Both lists cached before the merge: the merge must retire them.
    expect((await admin.get(`/customers/${target.id}/contacts`)).body.items).toHaveLength(1);
    expect((await admin.get(`/customers/${source.id}/communications`)).body.items).toHaveLength(1);
    expect((await admin.get(`/customers/${target.id}/communications`)).body.items).toHaveLength(0);

    const res = await merge({ sourceCustomerId: source.id, targetCustomerId: target.id });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      sourceCustomerId: source.id,
      targetCustomerId: target.id,
      mergeOptions: { contacts: true, communicationHistory: true, complaints: true, testimonials: true },
      moved: {
        contacts: [source.contactId],
        communications: [source.callId],
        followUps: [source.followUpId],
        complaints: [source.complaintId],
        testimonials: [source.testimonialId],
      },
      droppedContacts: [],
      mergedBy: ADMIN_ID,
      undoneAt: null,
      // Version 2 is the merge's write, 3 the rating recalculated from the complaint and testimonial it received.
      target: { id: target.id, version: 3, profile: { companyName: "All Target Ltd" } },
    });
    expect(Date.parse(res.body.undoableUntil) - Date.parse(res.body.mergedAt)).toBe(30 * 86_400_000);

    // Everything is read from the target now, the target's primary contact still primary.
    const contacts = await admin.get(`/customers/${target.id}/contacts`);
    expect(ids(contacts)).toEqual([source.contactId, targetContact.id].sort());
    expect(contacts.body.items.find((c: { id: string }) => c.id === targetContact.id).isPrimary).toBe(true);
    expect(contacts.body.items.find((c: { id: string }) => c.id === source.contactId)).toMatchObject({ isPrimary: false, customerId: target.id });
    expect(ids(await admin.get(`/customers/${target.id}/communications`))).toEqual([source.callId]);
    expect(ids(await admin.get(`/customers/${target.id}/follow-ups`))).toEqual([source.followUpId]);
    expect(ids(await admin.get(`/customers/${target.id}/complaints`))).toEqual([source.complaintId]);
    expect(ids(await admin.get(`/customers/${target.id}/testimonials`))).toEqual([source.testimonialId]);

    // The source is deactivated, points at the target, and is gone from search.
    const row = await server.deps.db.selectFrom("customers").select(["isDeleted", "status", "statusReason"]).where("id", "=", source.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ isDeleted: 1, status: "Inactive", statusReason: `Merged into ${target.customerNumber}` });
    const search = await admin.get(`/customers/search?query=${encodeURIComponent("all Source")}`);
    expect(search.body.items.map((c: { id: string }) => c.id)).not.toContain(source.id);
  });

  it("reads of the source (and its sub-resources) answer 404 with mergedInto, over REST and tRPC", async () => {
    const source = await create();
    const target = await create();
    // Cached before the merge: the merge must replace that copy.
    expect((await admin.get(`/customers/${source.id}`)).status).toBe(200);
    expect((await merge({ sourceCustomerId: source.id, targetCustomerId: target.id })).status).toBe(200);

    for (const path of [`/customers/${source.id}`, `/customers/${source.id}/contacts`, `/customers/${source.id}/communications`, `/customers/${source.id}/history`]) {
      const res = await admin.get(path);
      expect(res.status, path).toBe(404);
      expect(res.body, path).toMatchObject({ code: "CUST-001", mergedInto: target.id });
    }
    // Twice: the second read comes from the cache's tombstone.
    expect((await admin.get(`/customers/${source.id}`)).body.mergedInto).toBe(target.id);
    // The source is frozen: contact writes refuse it as deactivated, other writes as merged.
    const write = await admin.post(`/customers/${source.id}/contacts`, { firstName: "A", lastName: "B", email: "late@example.com" });
    expect([write.status, write.body.code]).toEqual([400, "CUST-004"]);
    const call = await admin.post(`/customers/${source.id}/communications/phone-call`, { phoneNumber: "+14155552671", callType: "Outbound", durationInSeconds: 5, summary: "Late", callTime: new Date().toISOString() });
    expect([call.status, call.body.mergedInto]).toEqual([404, target.id]);
    // Only the merge's undo brings the source back (its records are on the target).
    const revived = await admin.post(`/customers/${source.id}/reactivate`, { reason: "Back again" });
    expect([revived.status, revived.body.mergedInto]).toEqual([404, target.id]);
    expect((await admin.get(`/customers/${source.id}`)).status).toBe(404);

    const trpc = await fetch(`${server.url}/trpc/customers.get?input=${encodeURIComponent(JSON.stringify({ id: source.id }))}`, { headers: { authorization: `Bearer ${token}` } });
    expect(trpc.status).toBe(404);
    expect(((await trpc.json()) as { error: { data: Record<string, unknown> } }).error.data).toMatchObject({ errorCode: "CUST-001", mergedInto: target.id });

    // A customer deactivated by hand still answers the plain 404.
    const plain = await create();
    expect((await admin.post(`/customers/${plain.id}/deactivate`, { reason: "Closed down" })).status).toBe(200);
    const gone = await admin.get(`/customers/${plain.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).not.toHaveProperty("mergedInto");
  });

  it("gives the target the source's last activity, even with the target's read cached before", async () => {
    const source = await populated("activity");
    const target = await create({ companyName: "Activity Target Ltd" });
    const sourceActivity = (await admin.get(`/customers/${source.id}`)).body.lastActivityAt;
    expect(sourceActivity).toEqual(expect.any(String));
    expect((await admin.get(`/customers/${target.id}`)).body.lastActivityAt).toBeNull();
    expect((await merge({ sourceCustomerId: source.id, targetCustomerId: target.id })).status).toBe(200);
    expect((await admin.get(`/customers/${target.id}`)).body.lastActivityAt).toBe(sourceActivity);
  });

  it("moves only what mergeOptions choose (over tRPC too)", async () => {
    const source = await populated("some");
    const target = await create();
    const res = await fetch(`${server.url}/trpc/customers.merge`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ sourceCustomerId: source.id, targetCustomerId: target.id, mergeOptions: { contacts: false, communicationHistory: true, complaints: false, testimonials: true } }),
    });
    expect(res.status).toBe(200);
    const body = ((await res.json()) as { result: { data: { moved: Record<string, string[]> } } }).result.data;
    expect(body.moved).toEqual({ contacts: [], communications: [source.callId], followUps: [source.followUpId], complaints: [], testimonials: [source.testimonialId], transactions: [], attendance: [] });
    const stayed = await server.deps.db.selectFrom("complaints").select("customerId").where("id", "=", source.complaintId).executeTakeFirstOrThrow();
    expect(stayed.customerId).toBe(source.id);
    const contact = await server.deps.db.selectFrom("contacts").select("customerId").where("id", "=", source.contactId).executeTakeFirstOrThrow();
    expect(contact.customerId).toBe(source.id);
  });

  it("takes the fields chosen from the source, keeps the target's otherwise, and audits both", async () => {
    const source = await create({ companyName: "Fields Source", industry: "Energy", website: "https://source.example.com", secondaryPhone: "+44 20 7946 0959" });
    const target = await create({ companyName: "Fields Target", industry: "Retail" });
    expect((await admin.get(`/customers/${target.id}`)).body.profile.industry).toBe("Retail");
    const res = await merge({
      sourceCustomerId: source.id,
      targetCustomerId: target.id,
      fieldChoices: { industry: "source", website: "source", companyName: "target", secondaryPhone: "source" },
    });
    expect(res.status).toBe(200);
    expect(res.body.target).toMatchObject({
      profile: { companyName: "Fields Target", industry: "Energy" },
      contactInfo: { website: "https://source.example.com", secondaryPhone: "+442079460959" },
    });
    expect(res.body.fieldsFromSource).toEqual({
      industry: { from: "Retail", to: "Energy" },
      website: { from: null, to: "https://source.example.com" },
      secondaryPhone: { from: null, to: "+442079460959" },
    });
    expect((await admin.get(`/customers/${target.id}`)).body.profile.industry).toBe("Energy");

    const targetAudit = (await listAudit(server.deps.db, tenant, "Customer", target.id)).find((a) => a.action === "CustomerMerged")!;
    expect(targetAudit.changes).toMatchObject({ industry: { from: "Retail", to: "Energy" }, mergedFrom: { from: null, to: source.id }, mergeId: { to: res.body.mergeId } });
    const sourceAudit = (await listAudit(server.deps.db, tenant, "Customer", source.id)).find((a) => a.action === "CustomerMerged")!;
    expect(sourceAudit.changes).toMatchObject({ isDeleted: { from: false, to: true }, mergedInto: { from: null, to: target.id } });
  });

  it("refuses an unknown field choice with a 400 naming it", async () => {
    const res = await merge({ sourceCustomerId: randomUUID(), targetCustomerId: randomUUID(), fieldChoices: { lifetimeValue: "source" } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toHaveProperty("fieldChoices");
  });

  it("keeps the target's contact when both have one with the same email, and records the dropped one in the audit", async () => {
    const source = await create();
    const target = await create();
    const kept = await addContact(target.id, "shared@example.com");
    const dropped = await addContact(source.id, "Shared@Example.com");
    const moved = await addContact(source.id, "only.source@example.com");
    const res = await merge({ sourceCustomerId: source.id, targetCustomerId: target.id });
    expect(res.status).toBe(200);
    expect(res.body.moved.contacts).toEqual([moved.id]);
    expect(res.body.droppedContacts).toEqual([{ id: dropped.id, email: "Shared@example.com", keptContactId: kept.id }]);
    expect(ids(await admin.get(`/customers/${target.id}/contacts`))).toEqual([kept.id, moved.id].sort());
    const audit = (await listAudit(server.deps.db, tenant, "Customer", target.id)).find((a) => a.action === "CustomerMerged")!;
    expect(audit.changes.droppedContacts).toEqual({ from: [{ id: dropped.id, email: "Shared@example.com", keptContactId: kept.id }], to: null });
  });

  it("refuses with 400 CONT-004 before anything moves when the target would pass 50 active contacts", async () => {
    const source = await create();
    const target = await create();
    for (let i = 0; i < 48; i++) await addContact(target.id, `t${i}@limit.example.com`);
    for (let i = 0; i < 3; i++) await addContact(source.id, `s${i}@limit.example.com`);
    const res = await merge({ sourceCustomerId: source.id, targetCustomerId: target.id });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "CONT-004", errors: { "mergeOptions.contacts": [expect.stringContaining("51 active contacts")] } });
    // Nothing happened: the source is live with its contacts, no merge row, no event.
    expect((await admin.get(`/customers/${source.id}`)).status).toBe(200);
    expect((await admin.get(`/customers/${source.id}/contacts`)).body.items).toHaveLength(3);
    expect((await events(target.id)).filter((e) => e.type === "CustomerMerged")).toEqual([]);
    // Without the contacts it goes through.
    const without = await merge({ sourceCustomerId: source.id, targetCustomerId: target.id, mergeOptions: { contacts: false } });
    expect(without.status).toBe(200);
    expect(without.body.moved.contacts).toEqual([]);
  });

  it("answers 400 for the same id twice, 404 when either is missing or of another tenant, 409 when one is deactivated or merged", async () => {
    const a = await create();
    const b = await create();
    const same = await merge({ sourceCustomerId: a.id, targetCustomerId: a.id });
    expect(same.status).toBe(400);
    expect(same.body).toMatchObject({ code: "MERGE-001", errors: { targetCustomerId: [expect.any(String)] } });

    for (const body of [{ sourceCustomerId: randomUUID(), targetCustomerId: b.id }, { sourceCustomerId: a.id, targetCustomerId: randomUUID() }]) {
      const missing = await merge(body);
      expect(missing.status).toBe(404);
      expect(missing.body.code).toBe("CUST-001");
    }
    const elsewhere = await create({}, await server.as("CustomerManager", newTenant()));
    const cross = await merge({ sourceCustomerId: elsewhere.id, targetCustomerId: b.id });
    expect(cross.status).toBe(404);
    expect((await merge({ sourceCustomerId: a.id, targetCustomerId: elsewhere.id })).status).toBe(404);

    expect((await admin.post(`/customers/${a.id}/deactivate`, { reason: "Closed down" })).status).toBe(200);
    const deactivated = await merge({ sourceCustomerId: a.id, targetCustomerId: b.id });
    expect(deactivated.status).toBe(409);
    expect(deactivated.body.code).toBe("MERGE-002");
    expect((await merge({ sourceCustomerId: b.id, targetCustomerId: a.id })).status).toBe(409);

    const c = await create();
    expect((await merge({ sourceCustomerId: c.id, targetCustomerId: b.id })).status).toBe(200);
    const again = await merge({ sourceCustomerId: c.id, targetCustomerId: b.id });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("MERGE-002");
  });

  it("is reserved to holders of customer:merge, the matrix's Merge column (403 for the others)", async () => {
    const a = await create();
    const b = await create();
    for (const role of ["SalesRep", "SupportAgent", "Viewer", "MarketingManager"] as const) {
      const res = await (await server.as(role, tenant)).post("/customers/merge", { sourceCustomerId: a.id, targetCustomerId: b.id });
      expect(res.status, role).toBe(403);
    }
    expect((await (await server.as("Admin", tenant)).post("/customers/merge", { sourceCustomerId: a.id, targetCustomerId: b.id })).status).toBe(200);
  });

  it("writes CustomerMerged (001 §4.1.5 fields) on the target and CustomerDeactivated on the source to the outbox", async () => {
    const source = await populated("events");
    const target = await create();
    const res = await merge({ sourceCustomerId: source.id, targetCustomerId: target.id, mergeOptions: { testimonials: false } });
    expect(res.status).toBe(200);
    const merged = (await events(target.id)).filter((e) => e.type === "CustomerMerged");
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({
      aggregateType: "Customer",
      aggregateId: target.id,
      version: 2,
      actor: ADMIN_ID,
      data: {
        sourceCustomerId: source.id,
        targetCustomerId: target.id,
        mergedEntities: ["contacts", "communicationHistory", "complaints"],
        mergedAt: res.body.mergedAt,
        mergedBy: ADMIN_ID,
        mergeId: res.body.mergeId,
        movedCounts: { contacts: 1, communications: 1, followUps: 1, complaints: 1, testimonials: 0, transactions: 0, attendance: 0 },
      },
    });
    const deactivated = (await events(source.id)).filter((e) => e.type === "CustomerDeactivated");
    expect(deactivated).toHaveLength(1);
    expect(deactivated[0]).toMatchObject({ version: 2, data: { customerId: source.id, mergedInto: target.id, reason: `Merged into ${target.customerNumber}` } });
    // The moved contact changed too: a new version, its event and its audit row.
    const contactEvents = (await events(source.contactId)).filter((e) => e.type === "ContactUpdated");
    expect(contactEvents).toMatchObject([{ aggregateType: "Contact", version: 2, data: { customerId: target.id, changedFields: { customerId: target.id } } }]);
    const contactAudit = await listAudit(server.deps.db, tenant, "Contact", source.contactId);
    expect(contactAudit.at(-1)).toMatchObject({ action: "CustomerMerged", changes: { customerId: { from: source.id, to: target.id } } });
  });

  it("overlapping merges fired together (A→B and B→A): one wins, the other is refused, neither record is corrupted", async () => {
    for (let round = 0; round < 3; round++) {
      const a = await populated(`race${round}a`);
      const b = await populated(`race${round}b`);
      const [ab, ba] = await Promise.all([
        merge({ sourceCustomerId: a.id, targetCustomerId: b.id }),
        merge({ sourceCustomerId: b.id, targetCustomerId: a.id }),
      ]);
      const statuses = [ab.status, ba.status].sort();
      expect(statuses).toEqual([200, 409]);
      const [winner, loser] = ab.status === 200 ? [b, a] : [a, b];
      // The winner's target holds all records of both; the loser is deactivated and holds none.
      const rows = await server.deps.db.selectFrom("customers").select(["id", "isDeleted"]).where("id", "in", [a.id, b.id]).execute();
      expect(Object.fromEntries(rows.map((r) => [r.id, r.isDeleted]))).toEqual({ [winner.id]: 0, [loser.id]: 1 });
      for (const table of ["contacts", "communications", "followUps", "complaints", "testimonials"] as const) {
        const owners = await server.deps.db.selectFrom(table).select("customerId").where("customerId", "in", [a.id, b.id]).execute();
        expect(owners.map((o) => o.customerId), table).toEqual([winner.id, winner.id]);
      }
      const merges = await server.deps.db.selectFrom("customerMerges").select(["sourceCustomerId", "targetCustomerId"]).where("sourceCustomerId", "in", [a.id, b.id]).execute();
      expect(merges).toEqual([{ sourceCustomerId: loser.id, targetCustomerId: winner.id }]);
      expect((await admin.get(`/customers/${winner.id}`)).status).toBe(200);
      expect((await admin.get(`/customers/${loser.id}`)).body.mergedInto).toBe(winner.id);
    }
  });
});

describe("GET /customers/merges/{mergeId}", () => {
  it("is found from the target's history and answers the source's audit trail; another tenant's or an unknown id is 404", async () => {
    const source = await create();
    const target = await create();
    const { body } = await merge({ sourceCustomerId: source.id, targetCustomerId: target.id });
    // The target's own history names the merge, which leads to the source's history.
    const targetHistory = await admin.get(`/customers/${target.id}/history`);
    expect(targetHistory.body.items.at(-1)).toMatchObject({ action: "CustomerMerged", changes: { mergeId: { to: body.mergeId }, mergedFrom: { to: source.id } } });
    const res = await admin.get(`/customers/merges/${body.mergeId}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mergeId: body.mergeId, sourceCustomerId: source.id, targetCustomerId: target.id });
    expect(res.body.sourceHistory.map((h: { action: string }) => h.action)).toEqual(["CustomerRegistered", "CustomerMerged"]);

    const other = await (await server.as("CustomerManager", newTenant())).get(`/customers/merges/${body.mergeId}`);
    expect(other.status).toBe(404);
    expect(other.body.code).toBe("MERGE-003");
    expect((await admin.get(`/customers/merges/${randomUUID()}`)).status).toBe(404);
  });
});

describe("POST /customers/merges/{mergeId}/undo", () => {
  it("restores the source with its records, the target's fields and tags, with events and audit", async () => {
    const source = await populated("undo", { tags: ["vip", "north"] });
    const target = await create({ industry: "Energy", tags: ["vip"] });
    const targetContact = await addContact(target.id, "undo.target@example.com");
    const tagsOf = async (customerId: string) => (await admin.get(`/customers/${customerId}`)).body.tags;
    const { body: m } = await merge({ sourceCustomerId: source.id, targetCustomerId: target.id, fieldChoices: { industry: "source" } });
    expect(m.target.profile.industry).toBe("Retail");
    expect(m.tagsAdded).toEqual(["north"]);
    expect(m.target.tags).toEqual(["north", "vip"]);
    expect(await tagsOf(target.id)).toEqual(["north", "vip"]);

    const res = await admin.post(`/customers/merges/${m.mergeId}/undo`);
    expect(res.status).toBe(200);
    // Merge and undo each write the source and recalculate its rating (its complaint and testimonial moved): 1 → 5.
    expect(res.body).toMatchObject({ mergeId: m.mergeId, undoneBy: ADMIN_ID, source: { id: source.id, status: "Active", version: 5 }, target: { profile: { industry: "Energy" } } });

    // The source reads again, with everything it had; its contact is primary again.
    expect((await admin.get(`/customers/${source.id}`)).status).toBe(200);
    const contacts = await admin.get(`/customers/${source.id}/contacts`);
    expect(contacts.body.items).toMatchObject([{ id: source.contactId, isPrimary: true }]);
    expect(ids(await admin.get(`/customers/${source.id}/communications`))).toEqual([source.callId]);
    expect(ids(await admin.get(`/customers/${source.id}/follow-ups`))).toEqual([source.followUpId]);
    expect(ids(await admin.get(`/customers/${source.id}/complaints`))).toEqual([source.complaintId]);
    expect(ids(await admin.get(`/customers/${source.id}/testimonials`))).toEqual([source.testimonialId]);
    expect(ids(await admin.get(`/customers/${target.id}/contacts`))).toEqual([targetContact.id]);
    expect((await admin.get(`/customers/${target.id}`)).body.profile.industry).toBe("Energy");
    expect(await tagsOf(target.id)).toEqual(["vip"]);
    expect(await tagsOf(source.id)).toEqual(["north", "vip"]);

    expect((await events(target.id)).map((e) => e.type)).toContain("CustomerMergeUndone");
    expect((await events(source.id)).filter((e) => e.type === "CustomerReactivated")).toHaveLength(1);
    const audit = await listAudit(server.deps.db, tenant, "Customer", source.id);
    expect(audit.at(-1)).toMatchObject({ action: "CustomerMergeUndone", changes: { isDeleted: { from: true, to: false }, mergedInto: { from: target.id, to: null } } });
    expect((await admin.get(`/customers/merges/${m.mergeId}`)).body.undoneAt).toBe(res.body.undoneAt);
  });

  it("gives the source's primary email back when the target had taken it (emails are unique per tenant)", async () => {
    const source = await create();
    const target = await create();
    const sourceEmail = (await admin.get(`/customers/${source.id}`)).body.contactInfo.primaryEmail;
    const { body: m } = await merge({ sourceCustomerId: source.id, targetCustomerId: target.id, fieldChoices: { primaryEmail: "source" } });
    expect(m.target.contactInfo.primaryEmail).toBe(sourceEmail);
    const res = await admin.post(`/customers/merges/${m.mergeId}/undo`);
    expect(res.status).toBe(200);
    expect(res.body.source.contactInfo.primaryEmail).toBe(sourceEmail);
    expect(res.body.target.contactInfo.primaryEmail).not.toBe(sourceEmail);
  });

  it("refuses with 409 MERGE-006 naming the record changed since the merge, and moves nothing", async () => {
    const source = await populated("changed");
    const target = await create();
    const { body: m } = await merge({ sourceCustomerId: source.id, targetCustomerId: target.id });
    const edit = await admin.put(`/customers/${target.id}/contacts/${source.contactId}`, { position: "Buyer" });
    expect(edit.status).toBe(200);
    const res = await admin.post(`/customers/merges/${m.mergeId}/undo`);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("MERGE-006");
    expect(res.body.detail).toContain(`contact ${source.contactId} (version`);
    expect(res.body.detail).not.toContain("complaint");
    const complaint = await server.deps.db.selectFrom("complaints").select("customerId").where("id", "=", source.complaintId).executeTakeFirstOrThrow();
    expect(complaint.customerId).toBe(target.id);
    expect((await admin.get(`/customers/${source.id}`)).body.mergedInto).toBe(target.id);
  });

  it("refuses a second undo (409 MERGE-004), one after 30 days (409 MERGE-005), an unknown merge (404), and a role without customer:merge (403)", async () => {
    const source = await create();
    const target = await create();
    const { body: m } = await merge({ sourceCustomerId: source.id, targetCustomerId: target.id });
    expect((await (await server.as("SalesRep", tenant)).post(`/customers/merges/${m.mergeId}/undo`)).status).toBe(403);
    expect((await admin.post(`/customers/merges/${m.mergeId}/undo`)).status).toBe(200);
    const twice = await admin.post(`/customers/merges/${m.mergeId}/undo`);
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe("MERGE-004");
    expect((await admin.post(`/customers/merges/${randomUUID()}/undo`)).status).toBe(404);
    // Undone, the pair can be merged again; that merge, 31 days old, can no longer be undone.
    const again = await merge({ sourceCustomerId: source.id, targetCustomerId: target.id });
    expect(again.status).toBe(200);
    await server.deps.db.updateTable("customerMerges").set({ mergedAt: new Date(Date.now() - 31 * 86_400_000) }).where("id", "=", again.body.mergeId).execute();
    const late = await admin.post(`/customers/merges/${again.body.mergeId}/undo`);
    expect([late.status, late.body.code]).toEqual([409, "MERGE-005"]);
  });
});
