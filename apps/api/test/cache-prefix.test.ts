import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cacheKeys, defaultCachePrefix } from "@clientele/cache";
import { customerBody, newTenant, startIsolatedTestServer, type TestServer } from "./harness";

/** Two deployments, two databases, one Redis: the situation a shared Redis puts them in. */
let first: TestServer & { env: Record<string, string> };
let second: TestServer & { env: Record<string, string> };
let raw: Redis;
beforeAll(async () => {
  [first, second] = await Promise.all([startIsolatedTestServer("prefix_a"), startIsolatedTestServer("prefix_b")]);
  raw = new Redis(first.deps.env.REDIS_URL, { lazyConnect: true });
  await raw.connect();
});
afterAll(async () => {
  raw.disconnect();
  await Promise.all([first.close(), second.close()]);
});

describe("Redis keys are namespaced per deployment (CACHE_PREFIX)", () => {
  it("defaults the prefix to the database name", () => {
    expect(first.deps.env.CACHE_PREFIX).toBe(defaultCachePrefix(first.env.DATABASE_URL!));
    expect(first.deps.env.CACHE_PREFIX).toMatch(/^clientele:clientele_test_.*_prefix_a:$/);
    expect(defaultCachePrefix("mysql://root@127.0.0.1:3306/crm_prod?timezone=Z")).toBe("clientele:crm_prod:");
    expect(first.deps.env.CACHE_PREFIX).not.toBe(second.deps.env.CACHE_PREFIX);
  });

  it("never serves a customer cached by another deployment on the same Redis", async () => {
    const tenant = newTenant();
    const a = await first.as("Admin", tenant);
    const b = await second.as("Admin", tenant);
    const { body } = await a.post("/customers", customerBody({ companyName: "Only In First Ltd" }));
    // Read through the cache in the first deployment, so the entry is there.
    expect((await a.get(`/customers/${body.id}`)).status).toBe(200);

    const fromSecond = await b.get(`/customers/${body.id}`);
    expect(fromSecond.status).toBe(404);
    expect((await b.get("/customers/search?query=only")).body.totalCount).toBe(0);
    expect(await raw.exists(`${first.deps.env.CACHE_PREFIX}${cacheKeys.customer(tenant, body.id)}`)).toBe(1);
    expect(await raw.exists(cacheKeys.customer(tenant, body.id))).toBe(0);
  });

  it("keeps rate-limit budgets under the prefix too", async () => {
    const tenant = newTenant();
    await (await first.as("Admin", tenant, "budgeted")).get("/follow-ups/mine");
    const keys = await raw.keys(`${first.deps.env.CACHE_PREFIX}rl:user:${tenant}:*`);
    expect(keys).toEqual([`${first.deps.env.CACHE_PREFIX}rl:user:${tenant}:budgeted`]);
    expect(await raw.keys(`${second.deps.env.CACHE_PREFIX}rl:user:${tenant}:*`)).toEqual([]);
  });

  it("takes an explicit CACHE_PREFIX as given", async () => {
    const shared = `clientele:shared-${newTenant()}:`;
    const x = await startIsolatedTestServer("prefix_x", { CACHE_PREFIX: shared });
    try {
      expect(x.deps.env.CACHE_PREFIX).toBe(shared);
      const tenant = newTenant();
      const { body } = await (await x.as("Admin", tenant)).post("/customers", customerBody());
      await (await x.as("Admin", tenant)).get(`/customers/${body.id}`);
      expect(await raw.exists(`${shared}${cacheKeys.customer(tenant, body.id)}`)).toBe(1);
    } finally {
      await x.close();
      const left = await raw.keys(`${shared}*`);
      if (left.length) await raw.del(...left);
    }
  });
});
