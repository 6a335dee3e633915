import { inTransaction, listAudit, listEventsForAggregate } from "@clientele/db";
import { recalculateRating } from "@clientele/jobs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBody, eventually, newTenant, rest, startTestServer, type Api, type TestServer } from "./harness";
import { startWorker, type WorkerProcess } from "./worker-process";

let server: TestServer;
let worker: WorkerProcess;
beforeAll(async () => {
  server = await startTestServer();
  // The real worker: the outbox relay publishes our events, the platform consumer's rating handlers recalculate.
  worker = await startWorker();
}, 60_000);
afterAll(async () => {
  await worker?.stop();
  await server?.close();
});

let seq = 0;
const key = () => `k-${++seq}-${Date.now()}`;

async function setup() {
  const tenant = newTenant();
  const api = rest(server.url, await server.token("CustomerManager", tenant, "cm-1"));
  const customerId = (await api.post("/customers", customerBody())).body.id as string;
  return { tenant, api, customerId };
}

const pay = (api: Api, customerId: string, o: Record<string, unknown> = {}) =>
  api.post(`/customers/${customerId}/transactions`, { kind: "Payment", category: "Invoice", status: "Paid", amount: "100.00", currency: "USD", occurredAt: "2026-11-01T10:00:00Z", idempotencyKey: key(), ...o });
const attend = (api: Api, customerId: string, eventRef: string) =>
  api.post(`/customers/${customerId}/attendance`, { eventRef, status: "Attended", occurredAt: "2026-11-02T18:00:00Z", idempotencyKey: key() });
const rating = async (api: Api, customerId: string) => (await api.get(`/customers/${customerId}/rating`)).body;
const until = (api: Api, customerId: string, ok: (r: any) => boolean) => eventually(() => rating(api, customerId), ok, 20_000, (r) => `rating ${JSON.stringify(r)}\n${worker.output()}`);

describe("rating recalculated on significant events, through the worker's stream consumer (REQ-CUS-018)", () => {
  it("a new customer is Unrated with the factors that say why", async () => {
    const { api, customerId } = await setup();
    const r = await rating(api, customerId);
    expect(r).toMatchObject({ rating: "Unrated", calculatedRating: "Unrated", override: null, history: [], decision: { rule: "unrated-insufficient-data", factors: { paymentsTotal: 0, eventsAttended: 0 } } });
  });

  it("payments and attendance make Good; a late payment keeps it Good; two make Fair; the customer DTO shows rating and factors", async () => {
    const { tenant, api, customerId } = await setup();
    await pay(api, customerId);
    for (const e of ["e1", "e2", "e3"]) expect((await attend(api, customerId, e)).status).toBe(201);
    const good = await until(api, customerId, (r) => r.rating === "Good" && r.decision.factors.eventsAttended === 3);
    expect(good.decision).toMatchObject({ rule: "good", paymentHistory: "Perfect", factors: { paymentsTotal: 1, latePayments: 0, eventsAttended: 3 } });
    expect(good.history[0]).toMatchObject({ rating: "Good", change: "Calculated", rule: "good", changedBy: "system" });

    await pay(api, customerId, { occurredAt: "2026-11-10T10:00:00Z", dueAt: "2026-11-05T00:00:00Z" });
    await until(api, customerId, (r) => r.decision.factors.latePayments === 1);
    expect((await rating(api, customerId)).rating).toBe("Good");
    await pay(api, customerId, { occurredAt: "2026-11-12T10:00:00Z", dueAt: "2026-11-05T00:00:00Z" });
    const fair = await until(api, customerId, (r) => r.rating === "Fair");
    expect(fair.decision).toMatchObject({ rule: "fair", paymentHistory: "SomeLate" });

    const dto = (await api.get(`/customers/${customerId}`)).body;
    expect(dto.profile.rating).toBe("Fair");
    expect(dto.ratingFactors).toMatchObject({ rating: "Fair", factors: { latePayments: 2 } });
    expect(dto.ratingOverride).toBeNull();
    // How many steps it took depends on how the worker's batches fell; each change starts where the last one ended.
    const events = (await listEventsForAggregate(server.deps.db, tenant, customerId)).map((e) => e.envelope).filter((e) => e.type === "CustomerProfileUpdated" && e.data.ratingChange);
    const changes = events.map((e) => e.data.ratingChange as { from: string; to: string });
    expect(changes.slice(-2).map((c) => c.to)).toEqual(["Good", "Fair"]);
    changes.forEach((c, i) => expect(c.from).toBe(i === 0 ? "Unrated" : changes[i - 1]!.to));
    const audit = (await listAudit(server.deps.db, tenant, "Customer", customerId)).filter((a) => a.action === "CustomerRatingCalculated").map((a) => a.changes.rating);
    expect(audit).toEqual(changes.map((c) => ({ from: c.from, to: c.to })));
  }, 60_000);

  it("two failed payments make Poor; complaints count: six is Poor", async () => {
    const { api, customerId } = await setup();
    await attend(api, customerId, "e1");
    await pay(api, customerId, { status: "Failed" });
    await pay(api, customerId, { status: "Failed" });
    await until(api, customerId, (r) => r.rating === "Poor" && r.decision.rule === "poor-payment-issues");

    const other = (await api.post("/customers", customerBody())).body.id as string;
    await attend(api, other, "e1");
    for (let i = 0; i < 6; i++) {
      const res = await api.post(`/customers/${other}/complaints`, { subject: `Complaint ${i}`, description: "Something went wrong again.", priority: "Low" });
      expect(res.status).toBe(201);
    }
    const poor = await until(api, other, (r) => r.rating === "Poor");
    expect(poor).toMatchObject({ rating: "Poor", decision: { rule: "poor-complaints", factors: { complaints: 6 } } });
  }, 60_000);

  it("an approved positive testimonial with perfect payments, 5 events and no complaint makes Excellent", async () => {
    const { tenant, api, customerId } = await setup();
    await pay(api, customerId);
    for (const e of ["e1", "e2", "e3", "e4", "e5"]) await attend(api, customerId, e);
    await until(api, customerId, (r) => r.rating === "Good" && r.decision.factors.eventsAttended === 5);
    const t = await api.post(`/customers/${customerId}/testimonials`, { content: "Wonderful events every time.", rating: 5, authorName: "Jane Doe" });
    const marketing = rest(server.url, await server.token("MarketingManager", tenant, "mm-1"));
    expect((await marketing.post(`/customers/${customerId}/testimonials/${t.body.id}/approve`, {})).status).toBe(200);
    const excellent = await until(api, customerId, (r) => r.rating === "Excellent");
    expect(excellent.decision).toMatchObject({ rule: "excellent", factors: { positiveTestimonials: 1 } });
  }, 60_000);
});

describe("manager override (REQ-CUS-018)", () => {
  it("holds over the calculated rating until cleared, with history, audit and CustomerProfileUpdated", async () => {
    const { tenant, api, customerId } = await setup();
    const set = await api.put(`/customers/${customerId}/rating-override`, { rating: "Excellent", reason: "  strategic partner " });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ rating: "Excellent", calculatedRating: "Unrated", override: { rating: "Excellent", reason: "strategic partner", by: "cm-1" } });
    expect(set.body.history[0]).toMatchObject({ rating: "Excellent", calculatedRating: "Unrated", change: "Override", reason: "strategic partner", changedBy: "cm-1" });
    const dto = (await api.get(`/customers/${customerId}`)).body;
    expect(dto.profile.rating).toBe("Excellent");
    expect(dto.ratingOverride).toMatchObject({ rating: "Excellent", reason: "strategic partner", by: "cm-1" });

    // New facts move the calculated rating underneath; the override keeps showing.
    await attend(api, customerId, "e1");
    await until(api, customerId, (r) => r.calculatedRating === "Fair");
    expect((await rating(api, customerId)).rating).toBe("Excellent");

    const cleared = await api.del(`/customers/${customerId}/rating-override`);
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ rating: "Fair", override: null });
    expect(cleared.body.history[0]).toMatchObject({ change: "OverrideCleared", rating: "Fair", reason: "strategic partner" });
    expect((await api.get(`/customers/${customerId}`)).body).toMatchObject({ profile: { rating: "Fair" }, ratingOverride: null });
    // Clearing again changes nothing.
    expect((await api.del(`/customers/${customerId}/rating-override`)).body.history).toHaveLength(cleared.body.history.length);

    const audit = await listAudit(server.deps.db, tenant, "Customer", customerId);
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["CustomerRatingOverridden", "CustomerRatingOverrideCleared"]));
    const events = (await listEventsForAggregate(server.deps.db, tenant, customerId)).map((e) => e.envelope).filter((e) => e.type === "CustomerProfileUpdated");
    expect(events.map((e) => (e.data.ratingChange as { source: string }).source)).toEqual(["Override", "Calculated", "OverrideCleared"]);
  }, 60_000);

  it("needs a reason (400 with the field) and a real rating", async () => {
    const { api, customerId } = await setup();
    const url = `/customers/${customerId}/rating-override`;
    expect((await api.put(url, { rating: "Good" })).body.errors).toHaveProperty("reason");
    const blank = await api.put(url, { rating: "Good", reason: "  " });
    expect(blank.status).toBe(400);
    expect(blank.body.errors).toEqual({ reason: ["is required (at least 3 characters)"] });
    expect((await api.put(url, { rating: "Unrated", reason: "because" })).body.errors).toHaveProperty("rating");
    expect((await api.put(url, { rating: "Great", reason: "because" })).status).toBe(400);
  });

  it("only managers override (403 for SalesRep, SupportAgent, Viewer; 401 without a token); everyone reads", async () => {
    const { tenant, customerId } = await setup();
    const url = `/customers/${customerId}/rating-override`;
    for (const role of ["SalesRep", "SupportAgent", "Viewer", "MarketingManager"] as const) {
      const as = rest(server.url, await server.token(role, tenant));
      expect((await as.put(url, { rating: "Good", reason: "because" })).status).toBe(403);
      expect((await as.del(url)).status).toBe(403);
      expect((await as.get(`/customers/${customerId}/rating`)).status).toBe(200);
    }
    const admin = rest(server.url, await server.token("Admin", tenant));
    expect((await admin.put(url, { rating: "Good", reason: "because" })).status).toBe(200);
    expect((await rest(server.url).get(`/customers/${customerId}/rating`)).status).toBe(401);
  });

  it("another tenant's customer is 404 for reading, overriding and recalculating", async () => {
    const { customerId } = await setup();
    const stranger = rest(server.url, await server.token("CustomerManager", newTenant()));
    expect((await stranger.get(`/customers/${customerId}/rating`)).status).toBe(404);
    expect((await stranger.put(`/customers/${customerId}/rating-override`, { rating: "Good", reason: "because" })).status).toBe(404);
    expect((await stranger.del(`/customers/${customerId}/rating-override`)).status).toBe(404);
    expect((await stranger.post(`/customers/${customerId}/rating/recalculate`)).status).toBe(404);
  });
});

describe("synchronous recalculation", () => {
  it("recalculateRating applies the table in the caller's transaction; a second call with the same facts writes nothing", async () => {
    const { tenant, api, customerId } = await setup();
    await attend(api, customerId, "e1");
    const now = new Date();
    const first = await inTransaction(server.deps.db, (trx) => recalculateRating(trx, tenant, customerId, now));
    expect(first?.decision.rating).toBe("Fair");
    const again = await inTransaction(server.deps.db, (trx) => recalculateRating(trx, tenant, customerId, now));
    expect(again?.changed).toBe(false);
    expect(await inTransaction(server.deps.db, (trx) => recalculateRating(trx, newTenant(), customerId, now))).toBeNull();
    const res = await api.post(`/customers/${customerId}/rating/recalculate`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ rating: "Fair", decision: { factors: { eventsAttended: 1 } } });
  });
});
