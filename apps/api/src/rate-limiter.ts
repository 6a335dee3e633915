import { DomainError, type Actor } from "@clientele/domain";
import type { Response } from "express";
import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";

/**
 * A budget of `points` per `seconds`, kept in Redis so every API instance draws on the same one,
 * with an in-memory stand-in (per process) while Redis is away. Keys land under the deployment's
 * CACHE_PREFIX, which the Redis connection adds.
 */
export function budget(redis: Redis | null, points: number, seconds: number, keyPrefix: string): RateLimiterAbstract {
  const memory = new RateLimiterMemory({ points, duration: seconds, keyPrefix });
  if (!redis) return memory;
  return new RateLimiterRedis({ storeClient: redis, points, duration: seconds, keyPrefix, rejectIfRedisNotReady: true, insuranceLimiter: memory });
}

/** What the RateLimit-* headers report: the budget closest to running out. */
export type LimitState = { limit: number; remaining: number; resetSeconds: number; retryAfterSeconds: number | null };

type Charge = { limiter: RateLimiterAbstract; key: string };

/**
 * Draws `points` from every budget, and a refused request spends none of them: the limiter counts
 * a refused consume too, so without the refund a user already over their own budget would keep
 * draining the tenant budget they share (any user could lock out their whole tenant), and a batch
 * too big for what is left would burn the rest. The budgets are consumed in parallel and refunded
 * (`reward`) only when one refuses: that keeps the accepted path, nearly every request, at one
 * Redis round trip, where consuming the user first and the tenant only after would add a second
 * to each. The cost is a refused request's extra round trip, during which the tenant briefly
 * holds that request's points (at most MAX_BATCH_SIZE).
 */
async function charge(charges: Charge[], points: number): Promise<LimitState> {
  const results = await Promise.all(
    charges.map(async ({ limiter, key }) => {
      try {
        return { res: await limiter.consume(key, points), limit: limiter.points, rejected: false };
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        return { res: rejection, limit: limiter.points, rejected: true };
      }
    }),
  );
  if (results.some((r) => r.rejected)) await Promise.all(charges.map(({ limiter, key }) => limiter.reward(key, points)));
  const tightest = results.reduce((a, b) => {
    if (a.rejected !== b.rejected) return a.rejected ? a : b;
    return b.res.remainingPoints < a.res.remainingPoints ? b : a;
  });
  const resetSeconds = Math.max(1, Math.ceil(tightest.res.msBeforeNext / 1000));
  return {
    limit: tightest.limit,
    remaining: Math.max(0, tightest.res.remainingPoints),
    resetSeconds,
    retryAfterSeconds: tightest.rejected ? resetSeconds : null,
  };
}

export type RateLimitOptions = { perUserPerHour: number; perTenantPerHour: number; perIpPerHour: number; expensivePerUserPerHour: number };

/** REQ-CUS-045: requests per hour per user and per tenant; callers without a token per client IP. */
export function createRateLimiter(redis: Redis | null, o: RateLimitOptions) {
  const hour = 3600;
  const user = budget(redis, o.perUserPerHour, hour, "rl:user");
  const tenant = budget(redis, o.perTenantPerHour, hour, "rl:tenant");
  const ip = budget(redis, o.perIpPerHour, hour, "rl:ip");
  const expensive = budget(redis, o.expensivePerUserPerHour, hour, "rl:expensive");
  return {
    forActor: (actor: Actor, points: number) =>
      charge([{ limiter: user, key: `${actor.tenantId}:${actor.userId}` }, { limiter: tenant, key: actor.tenantId }], points),
    forIp: (address: string, points: number) => charge([{ limiter: ip, key: address }], points),
    expensive: (actor: Actor) => charge([{ limiter: expensive, key: `${actor.tenantId}:${actor.userId}` }], 1),
  };
}
export type RateLimiter = ReturnType<typeof createRateLimiter>;

/** Search, export, import and bulk sends cost far more than a read: they draw on a budget of their own too. */
export const EXPENSIVE_PROCEDURES: ReadonlySet<string> = new Set([
  "customers.search",
  "customers.list",
  "contactTransfer.export",
  "contactTransfer.import",
  "customers.bulkImport",
  "customers.bulkImportPreview",
  "customers.bulkExport",
  "customers.exportPlan",
  "customers.bulkUpdate",
  "customers.bulkDelete",
  "customers.bulkTag",
  "communications.sendBulkEmail",
]);

export function setLimitHeaders(res: Response, s: LimitState): void {
  res.setHeader("RateLimit-Limit", String(s.limit));
  res.setHeader("RateLimit-Remaining", String(s.remaining));
  res.setHeader("RateLimit-Reset", String(s.resetSeconds));
  if (s.retryAfterSeconds !== null) res.setHeader("Retry-After", String(s.retryAfterSeconds));
}

export const rateLimited = (s: LimitState, what = "requests") =>
  new DomainError("RATE-001", "rate_limited", `Too many ${what}; try again in ${s.retryAfterSeconds ?? s.resetSeconds} s.`);
