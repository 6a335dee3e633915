import { listEventsForAggregate } from "@clientele/db";
import { createLogger } from "@clientele/telemetry";
import { createOutboxRelay, relayLockName, type OutboxRelay } from "@clientele/worker/relay";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cacheKeys, readVersioned } from "@clientele/cache";
import { customerBody, eventually, newTenant, rest, startIsolatedTestServer, streamPrefix, type TestServer } from "./harness";

let server: TestServer;
let redis: Redis;
const log = createLogger("silent", "relay-test");

beforeAll(async () => {
  // Isolated: the workers other test files run would otherwise relay these rows too.
  server = await startIsolatedTestServer("relay");
  redis = new Redis("redis://127.0.0.1:6379");
});
afterAll(async () => {
  await server.close();
  redis.disconnect();
});

function relay(client: Redis = redis, batchSize = 50): OutboxRelay {
  return createOutboxRelay({
    db: server.deps.db,
    redis: client,
    log,
    batchSize,
    pollMs: 20,
    streamMaxLength: 100_000,
    streamPrefix: streamPrefix(),
    lockName: relayLockName(server.deps.env.DATABASE_URL),
  });
}

type StreamEvent = { id: string; type: string; tenantId: string; aggregateId: string; version: number };
async function streamEvents(tenantId: string): Promise<StreamEvent[]> {
  const entries = await redis.xrange(`${streamPrefix()}customer-events`, "-", "+");
  return entries
    .map(([, fields]) => JSON.parse(fields[fields.indexOf("event") + 1]!) as StreamEvent)
    .filter((e) => e.tenantId === tenantId);
}

async function unpublishedCount(tenantId: string): Promise<number> {
  const row = await server.deps.db
    .selectFrom("domainEvents")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("tenantId", "=", tenantId)
    .where("publishedAt", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe("outbox relay to Redis Streams", () => {
  it("publishes a customer's events in order with the envelope, and marks them", async () => {
    const tenant = newTenant();
    const api = rest(server.url, await server.token("Admin", tenant));
    const { body } = await api.post("/customers", customerBody());
    await api.put(`/customers/${body.id}/profile`, { industry: "Aerospace" });
    await api.put(`/customers/${body.id}/profile`, { industry: "Robotics" });
    await api.post(`/customers/${body.id}/deactivate`, { reason: "Duplicate record" });
    // Written in the same transaction as each change, before any relay ran.
    expect((await listEventsForAggregate(server.deps.db, tenant, body.id)).length).toBe(4);

    await relay().drain();
    const events = (await streamEvents(tenant)).filter((e) => e.aggregateId === body.id);
    expect(events.map((e) => e.type)).toEqual([
      "CustomerRegistered",
      "CustomerProfileUpdated",
      "CustomerProfileUpdated",
      "CustomerDeactivated",
    ]);
    expect(events.map((e) => e.version)).toEqual([1, 2, 3, 4]);
    expect(events[0]).toMatchObject({ aggregateType: "Customer", actor: "user-1", tenantId: tenant });
    expect(events[0]).toHaveProperty("occurredAt");
    expect(await unpublishedCount(tenant)).toBe(0);
  });

  it("never has two relays publish the same event", async () => {
    const tenant = newTenant();
    const api = rest(server.url, await server.token("Admin", tenant));
    await Promise.all(Array.from({ length: 30 }, () => api.post("/customers", customerBody())));
    const a = relay(redis, 5);
    const b = relay(redis, 5);
    a.start();
    b.start();
    try {
      await eventually(() => unpublishedCount(tenant), (n) => n === 0, 10_000);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    const ids = (await streamEvents(tenant)).map((e) => e.id);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
  });

  it("loses nothing when the relay dies between publishing and marking", async () => {
    const tenant = newTenant();
    const api = rest(server.url, await server.token("Admin", tenant));
    const { body } = await api.post("/customers", customerBody());
    // A relay whose process "dies" right after Redis accepted the batch.
    const crashing = new Proxy(redis, {
      get(target, prop, receiver) {
        if (prop !== "pipeline") return Reflect.get(target, prop, receiver);
        return () => {
          const pipeline = target.pipeline();
          const exec = pipeline.exec.bind(pipeline);
          pipeline.exec = (async () => {
            await exec();
            throw new Error("killed after publish");
          }) as typeof pipeline.exec;
          return pipeline;
        };
      },
    });
    await expect(relay(crashing).drain()).rejects.toThrow("killed after publish");
    expect(await unpublishedCount(tenant)).toBe(1);

    await relay().drain();
    expect(await unpublishedCount(tenant)).toBe(0);
    const delivered = (await streamEvents(tenant)).filter((e) => e.aggregateId === body.id);
    // At least once: delivered twice with the same event id, which consumers dedupe on.
    expect(delivered).toHaveLength(2);
    expect(delivered[0]!.id).toBe(delivered[1]!.id);
  });
});

describe("cache-aside", () => {
  it("serves get-by-id from Redis and writes the new state through on update", async () => {
    const tenant = newTenant();
    const api = rest(server.url, await server.token("Admin", tenant));
    const { body } = await api.post("/customers", customerBody({ companyName: "Cached Co" }));
    const key = cacheKeys.customer(tenant, body.id);
    expect(readVersioned(await redis.get(server.deps.env.CACHE_PREFIX + key))?.version).toBe(1);

    // Change the row behind the API's back: a cached read must not see it...
    await server.deps.db.updateTable("customers").set({ industry: "Changed directly" }).where("id", "=", body.id).execute();
    expect((await api.get(`/customers/${body.id}`)).body.profile.industry).toBe("Manufacturing");

    // ...and a write through the API replaces the entry, so the next read is current.
    const updated = await api.put(`/customers/${body.id}/profile`, { companyName: "Cached Company" });
    expect(updated.status).toBe(200);
    const after = await api.get(`/customers/${body.id}`);
    expect(after.body.profile.companyName).toBe("Cached Company");
    expect(after.body.version).toBe(2);
    expect(readVersioned(await redis.get(server.deps.env.CACHE_PREFIX + key))?.version).toBe(2);
  });

  it("never lets an older copy replace a newer one", async () => {
    const tenant = newTenant();
    const api = rest(server.url, await server.token("Admin", tenant));
    const { body } = await api.post("/customers", customerBody());
    await api.put(`/customers/${body.id}/profile`, { industry: "Newer" });
    const key = cacheKeys.customer(tenant, body.id);
    await server.deps.cache.putVersioned(key, 1, JSON.stringify({ stale: true }), 60);
    expect(readVersioned(await redis.get(server.deps.env.CACHE_PREFIX + key))?.version).toBe(2);
    expect((await api.get(`/customers/${body.id}`)).body.profile.industry).toBe("Newer");
  });

  it("retires cached searches on every write in the tenant", async () => {
    const tenant = newTenant();
    const api = rest(server.url, await server.token("Admin", tenant));
    await api.post("/customers", customerBody({ companyName: "Searchable Alpha" }));
    expect((await api.get("/customers/search?query=searchable")).body.totalCount).toBe(1);
    const b = await api.post("/customers", customerBody({ companyName: "Searchable Beta" }));
    expect((await api.get("/customers/search?query=searchable")).body.totalCount).toBe(2);
    await api.post(`/customers/${b.body.id}/deactivate`, { reason: "Gone away" });
    expect((await api.get("/customers/search?query=searchable")).body.totalCount).toBe(1);
  });

  it("hides a deactivated customer even from a warm cache", async () => {
    const tenant = newTenant();
    const api = rest(server.url, await server.token("Admin", tenant));
    const { body } = await api.post("/customers", customerBody());
    expect((await api.get(`/customers/${body.id}`)).status).toBe(200);
    await api.post(`/customers/${body.id}/deactivate`, { reason: "Closed account" });
    expect((await api.get(`/customers/${body.id}`)).status).toBe(404);
  });
});
