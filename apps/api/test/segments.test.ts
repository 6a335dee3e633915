import { listAudit, listEventsForAggregate } from "@clientele/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBody, eventually, newTenant, startTestServer, streamPrefix, type Api, type TestServer } from "./harness";
import { startWorker, type WorkerProcess } from "./worker-process";

/** Issue 13 §1 through HTTP, with the real worker calculating and following customer changes. */
let server: TestServer;
let worker: WorkerProcess;
beforeAll(async () => {
  // The API appends tracked behaviour to the stream the worker reads (same prefix).
  server = await startTestServer({ STREAM_PREFIX: streamPrefix() });
  worker = await startWorker();
});
afterAll(async () => {
  await worker?.stop();
  await server?.close();
});

const vipRule = { customRules: [{ field: "tags", operator: "contains", value: "vip" }] };
const londonVip = { geographic: { cities: ["London"] }, ...vipRule };

async function setup() {
  const tenant = newTenant();
  const manager = await server.as("CustomerManager", tenant, "boss");
  return { tenant, manager };
}
const newCustomer = async (api: Api, over: Record<string, unknown> = {}) => {
  const r = await api.post("/customers", customerBody(over));
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; version: number };
};
const settled = (api: Api, id: string) =>
  eventually(
    () => api.get(`/customers/segments/${id}`),
    (r) => r.body.status === "ACTIVE",
    20_000,
    () => worker.output().slice(-2000),
  );
const memberIds = async (api: Api, id: string) => ((await api.get(`/customers/segments/${id}/customers?pageSize=100`)).body.items as { customerId: string }[]).map((m) => m.customerId).sort();

describe("segments: definitions", () => {
  it("creates a dynamic segment, calculates it in the worker with progress, and lists members and the customer's segments", async () => {
    const { manager } = await setup();
    const a = await newCustomer(manager, { tags: ["vip"] });
    const b = await newCustomer(manager, { tags: ["vip"], billingAddress: { street: "1 Rue", city: "Paris", state: "IDF", zipCode: "75001", country: "FR" } });
    await newCustomer(manager, { tags: ["basic"] });

    const created = await manager.post("/customers/segments", { name: "London VIPs", description: "tagged vip, in London", criteria: londonVip });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ name: "London VIPs", kind: "dynamic", status: "CALCULATING", version: 1, createdBy: "boss", criteria: londonVip });
    const done = await settled(manager, created.body.id);
    expect(done.body).toMatchObject({ customerCount: 1, calculation: { total: 3, done: 3, error: null } });
    expect(done.body.lastCalculated).not.toBeNull();
    expect(await memberIds(manager, created.body.id)).toEqual([a.id]);
    const mine = await manager.get(`/customers/${a.id}/segments`);
    expect(mine.body.segments).toEqual([expect.objectContaining({ segmentId: created.body.id, name: "London VIPs", reason: "recalculation" })]);
    expect((await manager.get(`/customers/${b.id}/segments`)).body.segments).toEqual([]);

    const list = await manager.get("/customers/segments?kind=dynamic");
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ totalCount: 1, page: 1, items: [expect.objectContaining({ id: created.body.id })] });

    const preview = await manager.post("/customers/segments/preview", { criteria: vipRule });
    expect(preview.body.customerCount).toBe(2);

    const calc = await manager.post(`/customers/segments/${created.body.id}/calculate`);
    expect(calc.status).toBe(202);
    expect(calc.body).toMatchObject({ segmentId: created.body.id, status: "CALCULATING" });
    await settled(manager, created.body.id);
  });

  it("answers 400 naming the field: unknown field, wrong operator, empty criteria, missing criteria", async () => {
    const { manager } = await setup();
    const bad = async (criteria: unknown) => (await manager.post("/customers/segments", { name: "x", criteria })).body;
    const unknown = await bad({ customRules: [{ field: "shoeSize", operator: "equals", value: 1 }] });
    expect(unknown.status).toBe(400);
    expect(unknown.errors["criteria.customRules.0.field"][0]).toMatch(/^unknown field "shoeSize"/);
    expect((await bad({ customRules: [{ field: "tags", operator: "greater_than", value: "x" }] })).errors["criteria.customRules.0.operator"][0]).toMatch(/not valid for tags/);
    expect((await bad({})).errors).toEqual({ criteria: ["must specify at least one criterion"] });
    expect((await manager.post("/customers/segments", { name: "x" })).body.errors).toEqual({ criteria: ["is required for a dynamic segment"] });
    expect((await manager.post("/customers/segments", { name: "x", kind: "static", criteria: vipRule })).status).toBe(400);
    expect((await manager.post("/customers/segments/preview", { criteria: { geographic: { countries: ["Spain"] } } })).body.errors["criteria.geographic.countries.0"]).toBeDefined();
    expect((await manager.post("/customers/segments", { name: "" , criteria: vipRule })).body.errors.name).toBeDefined();
  });

  it("keeps names unique per tenant (409), updates with versions (409 stale), 401/403/404 incl. another tenant's id", async () => {
    const { tenant, manager } = await setup();
    const s = (await manager.post("/customers/segments", { name: "Gold", criteria: vipRule })).body;
    expect((await manager.post("/customers/segments", { name: "gold", criteria: vipRule })).status).toBe(409);
    await settled(manager, s.id);

    const stale = await manager.put(`/customers/segments/${s.id}`, { description: "d", version: s.version + 5 });
    expect(stale.status).toBe(409);
    const ok = await manager.put(`/customers/segments/${s.id}`, { description: "d", version: s.version });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ description: "d", version: s.version + 1, status: "ACTIVE" });
    expect((await manager.put(`/customers/segments/${s.id}`, { description: "again", version: s.version })).status).toBe(409);
    // New criteria: calculated again.
    const recrit = await manager.put(`/customers/segments/${s.id}`, { criteria: { customRules: [{ field: "tags", operator: "contains", value: "gold" }] }, version: ok.body.version });
    expect(recrit.body.status).toBe("CALCULATING");
    await settled(manager, s.id);
    expect((await manager.put(`/customers/segments/${s.id}`, { criteria: { anyOf: [] }, version: recrit.body.version })).body.errors).toEqual({ "criteria.anyOf": ["must specify at least one criterion"] });

    const other = await server.as("CustomerManager", newTenant());
    for (const call of [
      other.get(`/customers/segments/${s.id}`),
      other.put(`/customers/segments/${s.id}`, { description: "x", version: 1 }),
      other.del(`/customers/segments/${s.id}`),
      other.post(`/customers/segments/${s.id}/calculate`),
      other.get(`/customers/segments/${s.id}/customers`),
      other.get(`/customers/segments/${s.id}/history`),
      other.post("/customers/bulk/segments", { segmentId: s.id, add: [s.id] }),
    ]) {
      expect((await call).status).toBe(404);
    }
    expect((await other.get(`/customers/${s.id}/segments`)).status).toBe(404);

    const anonymous = (await fetch(`${server.url}/api/v1/customers/segments`)).status;
    expect(anonymous).toBe(401);
    for (const role of ["SalesRep", "SupportAgent", "Viewer"] as const) {
      const api = await server.as(role, tenant);
      expect((await api.get("/customers/segments")).status, role).toBe(200);
      expect((await api.post("/customers/segments", { name: "r", criteria: vipRule })).status, role).toBe(403);
      expect((await api.put(`/customers/segments/${s.id}`, { description: "x", version: 1 })).status, role).toBe(403);
      expect((await api.del(`/customers/segments/${s.id}`)).status, role).toBe(403);
      expect((await api.post(`/customers/segments/${s.id}/calculate`)).status, role).toBe(403);
      expect((await api.post("/customers/bulk/segments", { segmentId: s.id, add: [s.id] })).status, role).toBe(403);
      expect((await api.get("/customers/segments/export")).status, role).toBe(403);
      expect((await api.post("/customers/segments/import", { segments: [{ name: "n", kind: "static" }] })).status, role).toBe(403);
    }
    const marketing = await server.as("MarketingManager", tenant);
    expect((await marketing.post("/customers/segments", { name: "Marketing's", kind: "static" })).status).toBe(201);
    expect((await manager.get(`/customers/segments/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    expect((await manager.get(`/customers/segments/not-a-uuid`)).status).toBe(400);

    const audit = (await listAudit(server.deps.db, tenant, "CustomerSegment", s.id)).map((a) => a.action);
    expect(audit).toEqual(["CustomerSegmentCreated", "CustomerSegmentUpdated", "CustomerSegmentUpdated"]);
  });
});

describe("segments: membership", () => {
  it("follows a customer change through the worker, with Joined/Left events and history; delete keeps the history", async () => {
    const { tenant, manager } = await setup();
    const c = await newCustomer(manager, { tags: ["basic"] });
    const s = (await manager.post("/customers/segments", { name: "VIPs", criteria: vipRule })).body;
    await settled(manager, s.id);
    expect(await memberIds(manager, s.id)).toEqual([]);

    // Tagging the customer: the outbox event reaches the segment consumer, which re-evaluates it.
    const tagged = await manager.put(`/customers/${c.id}/tags`, { tags: ["vip"], version: c.version });
    expect(tagged.status, JSON.stringify(tagged.body)).toBe(200);
    await eventually(() => memberIds(manager, s.id), (ids) => ids.length === 1, 20_000, () => worker.output().slice(-2000));
    expect((await manager.get(`/customers/segments/${s.id}`)).body.customerCount).toBe(1);
    const untagged = await manager.put(`/customers/${c.id}/tags`, { tags: [], version: tagged.body.version });
    expect(untagged.status).toBe(200);
    await eventually(() => memberIds(manager, s.id), (ids) => ids.length === 0, 20_000);

    const history = await manager.get(`/customers/segments/${s.id}/history`);
    expect(history.body.items).toEqual([expect.objectContaining({ customerId: c.id, joinReason: "criteria", leaveReason: "criteria" })]);
    expect(history.body.items[0].leftAt).not.toBeNull();
    const events = (await listEventsForAggregate(server.deps.db, tenant, c.id)).map((e) => e.envelope);
    expect(events.filter((e) => e.type.startsWith("CustomerSegmentJoined") || e.type.startsWith("CustomerSegmentLeft")).map((e) => [e.type, e.data.segmentId, e.data.reason])).toEqual([
      ["CustomerSegmentJoined", s.id, "criteria"],
      ["CustomerSegmentLeft", s.id, "criteria"],
    ]);
    expect((await listAudit(server.deps.db, tenant, "Customer", c.id)).map((a) => a.action)).toEqual(expect.arrayContaining(["CustomerSegmentJoined", "CustomerSegmentLeft"]));

    // Rejoin, then delete the segment: the segment is gone, its history is still readable.
    const again = await manager.put(`/customers/${c.id}/tags`, { tags: ["vip"], version: untagged.body.version });
    expect(again.status).toBe(200);
    await eventually(() => memberIds(manager, s.id), (ids) => ids.length === 1, 20_000);
    const current = (await manager.get(`/customers/segments/${s.id}`)).body;
    expect((await manager.del(`/customers/segments/${s.id}?version=${current.version + 1}`)).status).toBe(409);
    expect((await manager.del(`/customers/segments/${s.id}?version=${current.version}`)).status).toBe(204);
    expect((await manager.get(`/customers/segments/${s.id}`)).status).toBe(404);
    expect((await manager.get(`/customers/${c.id}/segments`)).body.segments).toEqual([]);
    const kept = await manager.get(`/customers/segments/${s.id}/history`);
    expect(kept.status).toBe(200);
    expect(kept.body.segment.deletedAt).not.toBeNull();
    expect(kept.body.items).toHaveLength(2);
    expect(kept.body.items.every((h: { leftAt: string | null }) => h.leftAt !== null)).toBe(true);
    // The name is free again.
    expect((await manager.post("/customers/segments", { name: "VIPs", kind: "static" })).status).toBe(201);
  });

  it("follows tracked behaviour: a tracked login joins an event-count segment through the ingest notice", async () => {
    const { manager } = await setup();
    const c = await newCustomer(manager);
    const s = (await manager.post("/customers/segments", { name: "Logged in this week", criteria: { customRules: [{ field: "events.LOGIN", operator: "greater_than_or_equal", value: 2, withinDays: 7 }] } })).body;
    await settled(manager, s.id);
    expect((await manager.post(`/customers/${c.id}/track`, { type: "LOGIN" })).status).toBe(202);
    await eventually(() => manager.get(`/customers/${c.id}/analytics`), (r) => r.body.windows?.[0]?.byType?.LOGIN === 1, 20_000);
    expect(await memberIds(manager, s.id)).toEqual([]);
    expect((await manager.post(`/customers/${c.id}/track`, { type: "LOGIN" })).status).toBe(202);
    await eventually(() => memberIds(manager, s.id), (ids) => ids.length === 1, 20_000, () => worker.output().slice(-2000));
    expect((await manager.get(`/customers/${c.id}/segments`)).body.segments).toEqual([expect.objectContaining({ segmentId: s.id, reason: "criteria" })]);
  });

  it("adds and removes static members in bulk, refusing a dynamic segment and reporting unknown ids", async () => {
    const { manager } = await setup();
    const a = await newCustomer(manager);
    const b = await newCustomer(manager);
    const foreign = await newCustomer(await server.as("CustomerManager", newTenant()));
    const s = (await manager.post("/customers/segments", { name: "Hand-picked", kind: "static" })).body;
    expect(s).toMatchObject({ kind: "static", status: "ACTIVE", criteria: null });

    const added = await manager.post("/customers/bulk/segments", { segmentId: s.id, add: [a.id, b.id, foreign.id] });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(added.body).toMatchObject({ added: 2, removed: 0 });
    expect(added.body.results).toEqual(expect.arrayContaining([{ customerId: foreign.id, outcome: "not_found" }, { customerId: a.id, outcome: "added" }]));
    const removed = await manager.post("/customers/bulk/segments", { segmentId: s.id, remove: [a.id], add: [b.id] });
    expect(removed.body).toMatchObject({ added: 0, removed: 1, results: expect.arrayContaining([{ customerId: b.id, outcome: "unchanged" }]) });
    expect(await memberIds(manager, s.id)).toEqual([b.id]);
    expect((await manager.get(`/customers/segments/${s.id}`)).body.customerCount).toBe(1);
    expect((await manager.get(`/customers/segments/${s.id}/history`)).body.items.map((h: { customerId: string; joinReason: string; leaveReason: string | null }) => [h.customerId, h.joinReason, h.leaveReason])).toEqual(
      expect.arrayContaining([[a.id, "manual", "manual"], [b.id, "manual", null]]),
    );

    const dynamic = (await manager.post("/customers/segments", { name: "Dyn", criteria: vipRule })).body;
    const refused = await manager.post("/customers/bulk/segments", { segmentId: dynamic.id, add: [a.id] });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe("SEG-003");
    expect((await manager.post("/customers/bulk/segments", { segmentId: s.id })).body.errors.add).toBeDefined();
    expect((await manager.post("/customers/bulk/segments", { segmentId: s.id, add: [a.id], remove: [a.id] })).body.errors.remove).toBeDefined();
    expect((await manager.post(`/customers/segments/${s.id}/calculate`)).status).toBe(400);
  });

  it("exports definitions and imports them into another tenant (round trip; taken names skipped; 400 names the item)", async () => {
    const { manager } = await setup();
    await manager.post("/customers/segments", { name: "Exported dynamic", description: "d", ruleId: "rule-123", criteria: londonVip });
    await manager.post("/customers/segments", { name: "Exported static", kind: "static", status: "INACTIVE" });
    const exported = await manager.get("/customers/segments/export");
    expect(exported.status).toBe(200);
    expect(exported.body.segments).toEqual([
      { name: "Exported dynamic", description: "d", ruleId: "rule-123", kind: "dynamic", criteria: londonVip, status: "ACTIVE" },
      { name: "Exported static", description: null, ruleId: null, kind: "static", criteria: null, status: "INACTIVE" },
    ]);

    const target = await server.as("CustomerManager", newTenant());
    await target.post("/customers/segments", { name: "exported static", kind: "static" });
    const imported = await target.post("/customers/segments/import", { segments: exported.body.segments });
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body).toMatchObject({ created: 1, skipped: 1 });
    const again = await target.get("/customers/segments/export");
    expect(again.body.segments.find((s: { name: string }) => s.name === "Exported dynamic")).toEqual(exported.body.segments[0]);

    const bad = await target.post("/customers/segments/import", { segments: [{ name: "ok", kind: "static" }, { name: "bad", criteria: { customRules: [{ field: "nope", operator: "equals", value: 1 }] } }] });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.errors)).toEqual(["segments.1.criteria.customRules.0.field"]);
    expect((await target.post("/customers/segments/import", { segments: [] })).status).toBe(400);
  });
});
