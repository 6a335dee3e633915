import { randomUUID } from "node:crypto";
import { listEventPartitions, maintainEventPartitions, parseJson } from "@clientele/db";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBody, eventually, newTenant, rest, startIsolatedTestServer, startTestServer, streamPrefix, type Api, type TestServer } from "./harness";
import { startRedis } from "./redis-process";
import { startWorker, type WorkerProcess } from "./worker-process";

/**
 * Behaviour tracking (issue 13 §2) and analytics (§3) through HTTP and the real worker, on a
 * database and stream prefix of their own (the retention test reshapes partitions; no other file's
 * worker joins the ingest group).
 */
let server: TestServer & { env: Record<string, string> };
let worker: WorkerProcess;
const prefix = `${streamPrefix()}track-${randomUUID().slice(0, 6)}:`;
const workerEnv = () => ({ ...server.env, STREAM_PREFIX: prefix, STREAM_CONSUMER_BLOCK_MS: "100", STREAM_CONSUMER_CLAIM_IDLE_MS: "1000", STREAM_CONSUMER_BATCH_SIZE: "20" });

beforeAll(async () => {
  server = await startIsolatedTestServer("tracking", { STREAM_PREFIX: prefix });
  worker = await startWorker(workerEnv());
}, 60_000);
afterAll(async () => {
  await worker?.stop();
  await server?.close();
});

const db = () => server.deps.db;

async function newCustomer(api: Api, overrides: Record<string, unknown> = {}): Promise<string> {
  const { status, body } = await api.post("/customers", customerBody(overrides));
  expect(status).toBe(201);
  return body.id as string;
}

const storedEvents = (tenantId: string) =>
  db().selectFrom("customerEvents").selectAll().where("tenantId", "=", tenantId).orderBy("occurredAt").execute();
const rollups = async (tenantId: string) =>
  (
    await db()
      .selectFrom("customerEventRollups")
      .select(["customerId", sql<string>`date_format(day, '%Y-%m-%d')`.as("day"), "eventType", "name", "count"])
      .where("tenantId", "=", tenantId)
      .orderBy("customerId")
      .orderBy("day")
      .orderBy("eventType")
      .orderBy("name")
      .execute()
  ).map((r) => ({ ...r, count: Number(r.count) }));

const DAY = 86_400_000;
const daysAgo = (n: number, hour = 0) => {
  const d = new Date(Date.now() - n * DAY);
  d.setUTCHours(hour, 0, 0, 0);
  return d;
};

describe("POST /customers/{id}/track and /customers/track", () => {
  it("accepts with 202, stores the event with its fields once the worker runs, and a replayed clientEventId once", async () => {
    const tenant = newTenant();
    const api = rest(server.url, await server.token("SalesRep", tenant));
    const id = await newCustomer(api);
    const event = { type: "PAGE_VIEW", data: { path: "/pricing" }, sessionId: "s-1", deviceInfo: { ua: "Firefox" }, clientEventId: "c-1", occurredAt: daysAgo(1).toISOString() };
    const first = await api.post(`/customers/${id}/track`, event);
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ accepted: 1, refused: 0, rejected: [] });
    // A retry after a timeout: same id, even with another occurredAt.
    expect((await api.post(`/customers/${id}/track`, { ...event, occurredAt: new Date().toISOString() })).status).toBe(202);
    // And the same id inside one batch.
    const batch = await api.post("/customers/track", { events: [{ customerId: id, ...event }, { customerId: id, type: "CUSTOM", name: "video_play", clientEventId: "c-2" }] });
    expect(batch.status).toBe(202);
    expect(batch.body.accepted).toBe(2);

    const rows = await eventually(() => storedEvents(tenant), (r) => r.length >= 2, 15_000, () => worker.output());
    // Give a wrongly stored duplicate the time to show up.
    await new Promise((r) => setTimeout(r, 500));
    const all = await storedEvents(tenant);
    expect(all).toHaveLength(2);
    const view = all.find((r) => r.clientEventId === "c-1")!;
    expect(view).toMatchObject({ customerId: id, eventType: "PAGE_VIEW", name: "", sessionId: "s-1", occurredAt: new Date(event.occurredAt) });
    expect(parseJson(view.eventData)).toEqual({ path: "/pricing" });
    expect(parseJson(view.deviceInfo)).toEqual({ ua: "Firefox" });
    expect(rows.find((r) => r.clientEventId === "c-2")).toMatchObject({ eventType: "CUSTOM", name: "video_play" });
    const today = new Date().toISOString().slice(0, 10);
    expect(await rollups(tenant)).toEqual([
      { customerId: id, day: event.occurredAt.slice(0, 10), eventType: "PAGE_VIEW", name: "", count: 1 },
      { customerId: id, day: today, eventType: "CUSTOM", name: "video_play", count: 1 },
    ]);
    // The change notice segments consume: one per customer per stored batch, on the outbox.
    const notices = await db().selectFrom("domainEvents").select(["eventType", "aggregateId", "topic"]).where("tenantId", "=", tenant).where("eventType", "=", "CustomerBehaviourTracked").execute();
    expect(notices.length).toBeGreaterThanOrEqual(1);
    expect(notices.every((n) => n.aggregateId === id && n.topic === "customer-events")).toBe(true);
  });

  it("counts events of a customer without analytics-tracking consent as refused and stores none of them", async () => {
    const tenant = newTenant();
    const api = rest(server.url, await server.token("Admin", tenant));
    const consenting = await newCustomer(api);
    const refusing = await newCustomer(api, { preferences: { analyticsTracking: false } });
    expect((await api.get(`/customers/${refusing}`)).body.preferences.analyticsTracking).toBe(false);
    expect((await api.get(`/customers/${consenting}`)).body.preferences.analyticsTracking).toBe(true);

    const single = await api.post(`/customers/${refusing}/track`, { type: "LOGIN" });
    expect(single.status).toBe(202);
    expect(single.body).toEqual({ accepted: 0, refused: 1, rejected: [] });
    const batch = await api.post("/customers/track", {
      events: [
        { customerId: refusing, type: "PAGE_VIEW" },
        { customerId: consenting, type: "PAGE_VIEW" },
        { customerId: refusing, type: "EMAIL_OPEN" },
      ],
    });
    expect(batch.body).toEqual({ accepted: 1, refused: 2, rejected: [] });
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/clientele_tracked_events_total\{outcome="refused_consent"\} [1-9]/);

    await eventually(() => storedEvents(tenant), (r) => r.length === 1);
    // Consent withdrawn later: the cached copy is dropped by the update, so the very next event is refused.
    expect((await api.put(`/customers/${consenting}/preferences`, { analyticsTracking: false })).status).toBe(200);
    expect((await api.post(`/customers/${consenting}/track`, { type: "LOGOUT" })).body).toEqual({ accepted: 0, refused: 1, rejected: [] });
    await new Promise((r) => setTimeout(r, 500));
    const rows = await storedEvents(tenant);
    expect(rows.map((r) => [r.customerId, r.eventType])).toEqual([[consenting, "PAGE_VIEW"]]);
  });

  it("answers 400 with field messages for a batch over 1,000, a CUSTOM without name, oversized data, a future date and an unknown type", async () => {
    const tenant = newTenant();
    const api = rest(server.url, await server.token("Admin", tenant));
    const id = await newCustomer(api);
    const over = await api.post("/customers/track", { events: Array.from({ length: 1001 }, () => ({ customerId: id, type: "PAGE_VIEW" })) });
    expect(over.status).toBe(400);
    expect(over.body.errors.events).toEqual(["must have at most 1000 events"]);
    const exact = await api.post("/customers/track", { events: Array.from({ length: 1000 }, () => ({ customerId: id, type: "PAGE_VIEW" })) });
    expect(exact.status).toBe(202);
    expect(exact.body.accepted).toBe(1000);
    expect((await api.post("/customers/track", { events: [] })).body.errors.events).toEqual(["must have at least 1 event"]);

    const bad = await api.post("/customers/track", {
      events: [
        { customerId: id, type: "CUSTOM" },
        { customerId: id, type: "LOGIN", name: "x" },
        { customerId: id, type: "PAGE_VIEW", data: { blob: "x".repeat(9000) } },
        { customerId: id, type: "PAGE_VIEW", occurredAt: new Date(Date.now() + DAY).toISOString() },
        { customerId: id, type: "SEGMENT_JOINED" },
        { customerId: "not-a-uuid", type: "LOGIN" },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toMatchObject({
      "events.0.name": ["is required for CUSTOM events"],
      "events.1.name": ["is only allowed for CUSTOM events"],
      "events.2.data": ["must be at most 8192 bytes as JSON"],
      "events.3.occurredAt": ["must not be in the future"],
      "events.5.customerId": ["must be a UUID"],
    });
    expect(bad.body.errors["events.4.type"]).toBeDefined();
    const single = await api.post(`/customers/${id}/track`, { type: "CUSTOM", clientEventId: "has space" });
    expect(single.status).toBe(400);
    expect(Object.keys(single.body.errors).sort()).toEqual(["clientEventId", "name"]);
  });

  it("answers 404 for another tenant's customer (single), rejects it by index in a batch, and 401/403 by role", async () => {
    const tenant = newTenant();
    const other = rest(server.url, await server.token("Admin", newTenant()));
    const foreign = await newCustomer(other);
    const api = rest(server.url, await server.token("Admin", tenant));
    const mine = await newCustomer(api);
    const single = await api.post(`/customers/${foreign}/track`, { type: "LOGIN" });
    expect(single.status).toBe(404);
    expect(single.body.code).toBe("CUST-001");
    expect((await api.post(`/customers/${randomUUID()}/track`, { type: "LOGIN" })).status).toBe(404);
    const batch = await api.post("/customers/track", { events: [{ customerId: mine, type: "LOGIN" }, { customerId: foreign, type: "LOGIN" }] });
    expect(batch.status).toBe(202);
    expect(batch.body).toEqual({ accepted: 1, refused: 0, rejected: [{ index: 1, code: "CUST-001", message: "Customer not found." }] });
    expect((await api.get(`/customers/${foreign}/analytics`)).status).toBe(404);

    for (const role of ["Viewer", "SupportAgent", "MarketingManager"] as const) {
      expect((await rest(server.url, await server.token(role, tenant)).post(`/customers/${mine}/track`, { type: "LOGIN" })).status).toBe(403);
    }
    const viewer = rest(server.url, await server.token("Viewer", tenant));
    expect((await viewer.get(`/customers/${mine}/analytics`)).status).toBe(200);
    expect((await viewer.get("/customers/analytics/tiers")).status).toBe(403);
    expect((await rest(server.url, await server.token("SalesRep", tenant)).get("/customers/analytics/tiers")).status).toBe(403);
    expect((await rest(server.url, await server.token("MarketingManager", tenant)).get("/customers/analytics/tiers")).status).toBe(200);
    expect((await rest(server.url).post(`/customers/${mine}/track`, { type: "LOGIN" })).status).toBe(401);
  });

  it("answers 503 TRACK-001 (nothing accepted) when Redis is down, never 500", async () => {
    const redis = await startRedis();
    const api503 = await startTestServer({ ...server.env, REDIS_URL: redis.url, STREAM_PREFIX: prefix });
    try {
      const tenant = newTenant();
      const api = rest(api503.url, await api503.token("Admin", tenant));
      const id = await newCustomer(api);
      expect((await api.post(`/customers/${id}/track`, { type: "LOGIN" })).status).toBe(202);
      redis.proc.kill("SIGKILL");
      await new Promise((r) => redis.proc.once("exit", r));
      const down = await api.post(`/customers/${id}/track`, { type: "LOGIN", clientEventId: "retry-me" });
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({ code: "TRACK-001", type: "ServiceUnavailableError" });
      expect(down.body.detail).toMatch(/nothing was accepted/);
    } finally {
      await api503.close();
      if (redis.proc.exitCode === null) redis.proc.kill("SIGKILL");
    }
  });
});

describe("ingest through the worker", () => {
  it("loses and doubles nothing when the worker is SIGKILLed mid-ingest and another takes over", async () => {
    const tenant = newTenant();
    const api = rest(server.url, await server.token("Admin", tenant));
    const ids = [await newCustomer(api), await newCustomer(api), await newCustomer(api)];
    const batches = 30;
    const perBatch = 200;
    const sending = (async () => {
      for (let b = 0; b < batches; b++) {
        const events = Array.from({ length: perBatch }, (_, i) => ({ customerId: ids[i % 3]!, type: i % 2 ? "PAGE_VIEW" : "EMAIL_CLICK", clientEventId: `k-${b}-${i}`, occurredAt: daysAgo(i % 5).toISOString() }));
        const res = await api.post("/customers/track", { events });
        expect(res.status).toBe(202);
      }
    })();
    await eventually(() => storedEvents(tenant), (r) => r.length > 0, 15_000);
    await worker.kill();
    await sending;
    worker = await startWorker(workerEnv());
    const total = batches * perBatch;
    const count = async () => Number((await db().selectFrom("customerEvents").select(sql<number>`count(*)`.as("n")).where("tenantId", "=", tenant).executeTakeFirstOrThrow()).n);
    await eventually(count, (n) => n >= total, 30_000, () => worker.output());
    await new Promise((r) => setTimeout(r, 1500));
    expect(await count()).toBe(total);
    const distinct = await db().selectFrom("customerEvents").select(sql<number>`count(distinct client_event_id)`.as("n")).where("tenantId", "=", tenant).executeTakeFirstOrThrow();
    expect(Number(distinct.n)).toBe(total);
    // Rollups agree with the rows exactly (same transaction, never counted twice).
    const all = await rollups(tenant);
    expect(all.reduce((s, r) => s + r.count, 0)).toBe(total);
    // The active-customer counters agree with the rollups: each customer counted once per day.
    const counted = await db().selectFrom("tenantActiveCounts").select(["period", "customers"]).where("tenantId", "=", tenant).where(sql<boolean>`length(period) = 10`).orderBy("period").execute();
    const perDay = new Map<string, Set<string>>();
    for (const r of all) perDay.set(r.day, (perDay.get(r.day) ?? new Set()).add(r.customerId));
    expect(counted.map((c) => [c.period, Number(c.customers)])).toEqual([...perDay].sort().map(([day, s]) => [day, s.size]));
  }, 90_000);
});

describe("analytics", () => {
  it("gives exact counts, last seen, engagement and RFM for a customer, and the tenant's new/active customers, tiers and cohorts", async () => {
    const tenant = newTenant();
    const api = rest(server.url, await server.token("CustomerManager", tenant));
    const a = await newCustomer(api, { source: "web" });
    const b = await newCustomer(api, { source: "web" });
    const c = await newCustomer(api, { source: "referral", type: "NonProfit" });
    // Signups in controlled months: a and b two months ago, c this month.
    const twoMonthsAgo = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 2, 10, 9));
    await db().updateTable("customers").set({ createdAt: twoMonthsAgo }).where("id", "in", [a, b]).execute();
    const recorded = await api.post(`/customers/${a}/transactions`, { kind: "Payment", amount: "600.00", currency: "USD", exchangeRate: "1", occurredAt: daysAgo(3).toISOString(), idempotencyKey: `p-${a}` });
    expect(recorded.status).toBe(201);

    const events = [
      ...[0, 0, 2, 5, 20, 60].map((d) => ({ customerId: a, type: "PAGE_VIEW", occurredAt: daysAgo(d).toISOString() })),
      { customerId: a, type: "PURCHASE", occurredAt: daysAgo(2).toISOString() },
      { customerId: a, type: "CUSTOM", name: "wishlist_add", occurredAt: daysAgo(10).toISOString() },
      { customerId: a, type: "LOGIN", occurredAt: daysAgo(100).toISOString() },
      { customerId: b, type: "LOGIN", occurredAt: daysAgo(0).toISOString() },
    ];
    expect((await api.post("/customers/track", { events })).body.accepted).toBe(10);
    await eventually(() => storedEvents(tenant), (r) => r.length === 10);

    const got = await api.get(`/customers/${a}/analytics`);
    expect(got.status).toBe(200);
    expect(got.body.windows).toEqual([
      { days: 7, total: 5, byType: { PAGE_VIEW: 4, PURCHASE: 1 }, custom: {} },
      { days: 30, total: 7, byType: { PAGE_VIEW: 5, PURCHASE: 1, CUSTOM: 1 }, custom: { wishlist_add: 1 } },
      { days: 90, total: 8, byType: { PAGE_VIEW: 6, PURCHASE: 1, CUSTOM: 1 }, custom: { wishlist_add: 1 } },
    ]);
    expect(got.body.lastSeenAt).toBe(daysAgo(0).toISOString());
    // recency 0 days: 30; active days in 30 (0,2,5,10,20): 5; breadth 3 types: 12; one purchase: 10.
    expect(got.body.engagement.score).toBe(57);
    expect(got.body.engagement.factors).toEqual([
      { factor: "recency", value: 0, points: 30, maxPoints: 30 },
      { factor: "frequency", value: 5, points: 5, maxPoints: 30 },
      { factor: "breadth", value: 3, points: 12, maxPoints: 20 },
      { factor: "conversion", value: 1, points: 10, maxPoints: 20 },
    ]);
    expect(got.body.rfm).toEqual({ recency: 5, frequency: 2, monetary: 3 });
    expect(got.body.lifetimeValue).toBe("600.00");
    const none = await api.get(`/customers/${c}/analytics`);
    expect(none.body).toMatchObject({ lastSeenAt: null, engagement: { score: 0 }, rfm: { recency: 1, frequency: 1, monetary: 1 } });

    const manager = api;
    const from = daysAgo(6).toISOString().slice(0, 10);
    const to = daysAgo(0).toISOString().slice(0, 10);
    const active = await manager.get(`/customers/analytics/active-customers?from=${from}&to=${to}`);
    expect(active.status).toBe(200);
    const daily = Object.fromEntries(active.body.daily.map((d: { day: string; customers: number }) => [d.day, d.customers]));
    expect(daily).toEqual({ [daysAgo(5).toISOString().slice(0, 10)]: 1, [daysAgo(2).toISOString().slice(0, 10)]: 1, [to]: 2 });
    // Whole calendar months: this month a and b.
    expect(active.body.monthly.find((m: { month: string }) => m.month === to.slice(0, 7))).toEqual({ month: to.slice(0, 7), customers: 2 });

    const today = new Date().toISOString().slice(0, 10);
    const fresh = await manager.get(`/customers/analytics/new-customers?from=${today}&to=${today}`);
    expect(fresh.body.days).toEqual([{ day: today, source: "referral", type: "NonProfit", customers: 1 }]);
    const tiers = await manager.get("/customers/analytics/tiers");
    expect(tiers.body.tiers).toEqual([{ tier: "Standard", customers: 3 }]);

    const cohortMonth = twoMonthsAgo.toISOString().slice(0, 7);
    const cohorts = await manager.get(`/customers/analytics/cohorts?fromMonth=${cohortMonth}`);
    expect(cohorts.status).toBe(200);
    const first = cohorts.body.cohorts[0];
    expect(first).toMatchObject({ cohort: cohortMonth, customers: 2 });
    // This month both a and b were active: offset 2, rate 1.
    expect(first.active.find((m: { monthOffset: number }) => m.monthOffset === 2)).toMatchObject({ customers: 2, rate: "1.0000" });
    expect(cohorts.body.cohorts[1]).toMatchObject({ cohort: today.slice(0, 7), customers: 1, active: [] });

    expect((await manager.get(`/customers/analytics/active-customers?from=${to}&to=${from}`)).body.errors.to).toEqual(["must not be before from"]);
    expect((await manager.get("/customers/analytics/cohorts?fromMonth=2026-13")).body.errors.fromMonth).toEqual(["must be a month as YYYY-MM"]);
  });
});

describe("retention", () => {
  it("creates the months ahead, drops months past the retention, and is idempotent", async () => {
    const now = new Date();
    const ahead = await maintainEventPartitions(db(), now, 13, 4);
    const names = (await listEventPartitions(db())).map((p) => p.name);
    const inFour = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 4, 1));
    expect(names).toContain(`p${inFour.getUTCFullYear()}${String(inFour.getUTCMonth() + 1).padStart(2, "0")}`);
    expect(names[names.length - 1]).toBe("pmax");
    expect(ahead.dropped).toEqual([]);
    expect((await maintainEventPartitions(db(), now, 13, 4)).created).toEqual([]);

    // A year and a half later with 13 months kept: the months made at migration time are gone, its events with them.
    const later = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 18, 15));
    const first = names[0]!;
    const result = await maintainEventPartitions(db(), later, 13, 3);
    expect(result.dropped).toContain(first);
    const after = (await listEventPartitions(db())).map((p) => p.name);
    expect(after).not.toContain(first);
    expect(after[after.length - 1]).toBe("pmax");
  });
});
