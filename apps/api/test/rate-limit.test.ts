import type { ChildProcess } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { newTenant, rest, startIsolatedTestServer, type TestServer } from "./harness";
import { startRedis } from "./redis-process";

const limits = {
  RATE_LIMIT_PER_USER_PER_HOUR: "5",
  RATE_LIMIT_PER_TENANT_PER_HOUR: "8",
  RATE_LIMIT_PER_IP_PER_HOUR: "3",
  RATE_LIMIT_EXPENSIVE_PER_USER_PER_HOUR: "2",
};

let server: TestServer;
beforeAll(async () => {
  server = await startIsolatedTestServer("ratelimit", limits);
});
afterAll(() => server.close());

const headersOf = (h: Headers) => ({
  limit: h.get("ratelimit-limit"),
  remaining: h.get("ratelimit-remaining"),
  reset: Number(h.get("ratelimit-reset")),
  retryAfter: h.get("retry-after"),
});

describe("general rate limit (REQ-CUS-045)", () => {
  it("gives each user its budget per hour, with RateLimit-* headers on every response, then 429 with Retry-After", async () => {
    const tenant = newTenant();
    const api = await server.as("Admin", tenant, "alice");
    for (let i = 0; i < 5; i++) {
      const res = await api.get("/customers/00000000-0000-4000-8000-000000000000");
      expect(res.status).toBe(404);
      const h = headersOf(res.headers);
      expect(h).toMatchObject({ limit: "5", remaining: String(4 - i), retryAfter: null });
      expect(h.reset).toBeGreaterThan(3500);
      expect(h.reset).toBeLessThanOrEqual(3600);
    }
    const over = await api.get("/customers/00000000-0000-4000-8000-000000000000");
    expect(over.status).toBe(429);
    expect(over.headers.get("content-type")).toContain("application/problem+json");
    expect(over.body).toMatchObject({ status: 429, code: "RATE-001", traceId: over.headers.get("x-request-id") });
    const h = headersOf(over.headers);
    expect(h).toMatchObject({ limit: "5", remaining: "0" });
    expect(Number(h.retryAfter)).toBeGreaterThan(3500);
    expect(Number(h.retryAfter)).toBe(h.reset);

    // Another user of the tenant has a budget of its own.
    expect((await (await server.as("Admin", tenant, "bob")).get("/customers/search")).status).toBe(200);
  });

  it("caps a tenant's users together, and one tenant's use never spends another's budget", async () => {
    const tenant = newTenant();
    const statuses: number[] = [];
    for (const user of ["u1", "u2"]) {
      const api = await server.as("Admin", tenant, user);
      for (let i = 0; i < 5; i++) statuses.push((await api.get("/follow-ups/mine")).status);
    }
    // u1 spends 5 of the tenant's 8; u2 gets the other 3.
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 429, 429]);
    const third = await (await server.as("Admin", tenant, "u3")).get("/follow-ups/mine");
    expect(third.status).toBe(429);
    expect(third.headers.get("ratelimit-limit")).toBe("8");

    const elsewhere = await (await server.as("Admin", newTenant(), "u1")).get("/follow-ups/mine");
    expect(elsewhere.status).toBe(200);
    expect(headersOf(elsewhere.headers)).toMatchObject({ limit: "5", remaining: "4" });
  });

  it("charges a tRPC batch once per procedure in it and answers 429 in tRPC's shape", async () => {
    const token = await server.token("Admin", newTenant(), "batcher");
    const input = encodeURIComponent(JSON.stringify({ 0: {}, 1: {}, 2: {} }));
    const batch = await fetch(`${server.url}/trpc/followUps.mine,followUps.mine,followUps.mine?batch=1&input=${input}`, { headers: { authorization: `Bearer ${token}` } });
    expect(batch.status).toBe(200);
    expect(headersOf(batch.headers)).toMatchObject({ limit: "5", remaining: "2" });
    const again = await fetch(`${server.url}/trpc/followUps.mine,followUps.mine,followUps.mine?batch=1&input=${input}`, { headers: { authorization: `Bearer ${token}` } });
    expect(again.status).toBe(429);
    expect(again.headers.get("retry-after")).toMatch(/^\d+$/);
    const body = (await again.json()) as { error: { data: Record<string, unknown> } };
    expect(body.error.data).toMatchObject({ httpStatus: 429, errorCode: "RATE-001", traceId: again.headers.get("x-request-id") });
    // The refused batch spent nothing: the two points left still buy a batch of two.
    const pair = await fetch(`${server.url}/trpc/followUps.mine,followUps.mine?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: {}, 1: {} }))}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(pair.status).toBe(200);
    expect(headersOf(pair.headers)).toMatchObject({ limit: "5", remaining: "0" });
  });

  it("charges 1 point for a batch of made-up names or one over the batch limit, however long its URL", async () => {
    const headers = { authorization: `Bearer ${await server.token("Admin", newTenant(), "inflater")}` };
    const call = (names: string[]) => fetch(`${server.url}/trpc/${names.join(",")}?batch=1`, { headers });
    // tRPC refuses a batch of more than 50 calls before running any of them.
    const repeated = await call(Array.from({ length: 1000 }, () => "contacts.get"));
    expect(repeated.status).toBe(400);
    expect(headersOf(repeated.headers)).toMatchObject({ limit: "5", remaining: "4" });
    const overLimit = await call(Array.from({ length: 51 }, () => "followUps.mine"));
    expect(overLimit.status).toBe(400);
    expect(headersOf(overLimit.headers)).toMatchObject({ remaining: "3" });
    const madeUp = await call(Array.from({ length: 1000 }, (_, i) => `x${i}`));
    expect(madeUp.status).toBe(400);
    expect(headersOf(madeUp.headers)).toMatchObject({ remaining: "2" });
    const fewMadeUp = await call(["no.such", "nor.this", "nor.that"]);
    expect(fewMadeUp.status).toBe(404);
    expect(headersOf(fewMadeUp.headers)).toMatchObject({ remaining: "1" });
  });

  it("stops charging the tenant for a user over their own budget, so the tenant's other users still get through", async () => {
    const tenant = newTenant();
    const greedy = await server.as("Viewer", tenant, "greedy");
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) statuses.push((await greedy.get("/follow-ups/mine")).status);
    expect(statuses).toEqual([...Array<number>(5).fill(200), ...Array<number>(10).fill(429)]);
    // The tenant spent 5 of its 8 on greedy's accepted calls and none on the refused ones.
    const other = await (await server.as("Viewer", tenant, "other")).get("/follow-ups/mine");
    expect(other.status).toBe(200);
    expect(headersOf(other.headers)).toMatchObject({ limit: "8", remaining: "2" });
  });

  it("gives search, export, import and bulk sends a smaller budget of their own", async () => {
    const api = await server.as("Admin", newTenant(), "searcher");
    const first = await api.get("/customers/search?query=a");
    expect(first.status).toBe(200);
    // The headers show the tighter budget: 1 search left of 2 (the general one has 4 of 5).
    expect(headersOf(first.headers)).toMatchObject({ limit: "2", remaining: "1" });
    expect((await api.get("/customers/search?query=b")).status).toBe(200);
    const third = await api.get("/customers/search?query=c");
    expect(third.status).toBe(429);
    expect(third.body).toMatchObject({ code: "RATE-001" });
    expect(third.body.detail).toContain("searches");
    expect(headersOf(third.headers)).toMatchObject({ limit: "2", remaining: "0" });
    expect(Number(third.headers.get("retry-after"))).toBeGreaterThan(0);
    // Ordinary calls still have general budget left (5 - 3 spent).
    expect((await api.get("/follow-ups/mine")).status).toBe(200);
  });

  it("meters callers without a token per client IP, and leaves signed webhooks and the docs alone", async () => {
    const anonymous = rest(server.url);
    const tenant = newTenant();
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await anonymous.get(`/public/tenants/${tenant}/testimonials`)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await anonymous.get("/customers/search")).status).toBe(429);
    // Unmetered: a webhook with a wrong signature is judged by its signature (401), the docs load.
    expect((await anonymous.post("/webhooks/email/events", { events: [] })).status).toBe(401);
    expect((await fetch(`${server.url}/api/v1/docs/init.js`)).status).toBe(200);
    // The REST exemptions do not reach /trpc: a procedure path named like them is metered too.
    expect((await fetch(`${server.url}/trpc/docs`)).status).toBe(429);
  });
});

describe("rate limits without Redis", () => {
  let redisProc: ChildProcess | undefined;
  let outage: TestServer | undefined;
  afterEach(async () => {
    await outage?.close();
    if (redisProc && redisProc.exitCode === null) redisProc.kill("SIGKILL");
  });

  it("keeps limiting from memory when Redis goes away, never failing a request", async () => {
    const redis = await startRedis();
    redisProc = redis.proc;
    outage = await startIsolatedTestServer("ratelimit_outage", { ...limits, REDIS_URL: redis.url, RATE_LIMIT_PER_USER_PER_HOUR: "3" });
    const api = await outage.as("Admin", newTenant(), "steady");
    expect((await api.get("/follow-ups/mine")).headers.get("ratelimit-remaining")).toBe("2");
    redis.proc.kill("SIGKILL");
    await new Promise((r) => redis.proc.once("exit", r));
    // The in-memory stand-in starts its own count: three more, then 429.
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      const res = await api.get("/follow-ups/mine");
      statuses.push(res.status);
      expect(res.headers.get("ratelimit-limit")).toBe("3");
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it("can be switched off (RATE_LIMIT_ENABLED=false): no budgets, no headers", async () => {
    outage = await startIsolatedTestServer("ratelimit_off", { ...limits, RATE_LIMIT_ENABLED: "false" });
    const api = await outage.as("Admin", newTenant());
    for (let i = 0; i < 7; i++) {
      const res = await api.get("/customers/search");
      expect(res.status).toBe(200);
      expect(res.headers.get("ratelimit-limit")).toBeNull();
    }
  });
});
