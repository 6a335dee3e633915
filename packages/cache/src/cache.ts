import { Redis } from "ioredis";
import type { Logger } from "@clientele/telemetry";

/** Told the outcome of every cache read (for hit/miss metrics); "error" means Redis did not answer. */
export type CacheObserver = (key: string, result: "hit" | "miss" | "error") => void;

/**
 * Cache-aside over Redis that never fails a request: every Redis error degrades to "miss" (reads)
 * or is remembered and retried when Redis is back (invalidations), so a stale entry cannot outlive
 * an outage that swallowed its invalidation.
 */
export class Cache {
  private readonly pending = new Set<string>();
  private readonly pendingBumps = new Set<string>();
  private observer: CacheObserver | undefined;

  constructor(
    private readonly redis: Redis | null,
    private readonly log: Logger,
  ) {
    redis?.on("ready", () => void this.flushPending());
    // EVALSHA: the script's text crosses the wire once, not with every write.
    if (redis && !("putIfNewer" in redis)) redis.defineCommand("putIfNewer", { numberOfKeys: 1, lua: PUT_IF_NEWER });
  }

  /** Reports each read's outcome to `observer` (the API counts hits and misses with it). */
  observe(observer: CacheObserver): void {
    this.observer = observer;
  }

  async get(key: string): Promise<string | null> {
    if (!this.redis) return null;
    // An invalidation that Redis missed must land before this key is trusted again.
    if (this.pending.size && !(await this.flushPending()) && this.pending.has(key)) {
      this.observer?.(key, "error");
      return null;
    }
    try {
      const value = await this.redis.get(key);
      this.observer?.(key, value === null ? "miss" : "hit");
      return value;
    } catch (error) {
      this.observer?.(key, "error");
      this.warn("get", error);
      return null;
    }
  }

  /**
   * Stores `value` for `key` unless the cache already holds a newer version of it. Readers and
   * writers both go through here, so a slow reader can never put back an older copy.
   */
  async putVersioned(key: string, version: number, value: string, ttlSeconds: number): Promise<void> {
    if (!this.redis) return;
    try {
      await (this.redis as Redis & PutIfNewer).putIfNewer(key, String(version), `${version}|${value}`, String(ttlSeconds));
    } catch (error) {
      // The old copy may still be there: make sure it goes before anyone reads it again.
      this.pending.add(key);
      this.warn("put", error);
    }
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    if (!this.redis) return;
    try {
      await this.redis.set(key, value, "EX", ttlSeconds);
    } catch (error) {
      this.warn("set", error);
    }
  }

  async del(key: string): Promise<void> {
    if (!this.redis) return;
    try {
      await this.redis.del(key);
    } catch (error) {
      this.pending.add(key);
      this.warn("del", error);
    }
  }

  /** Generation counters make a whole family of keys (a tenant's searches) obsolete in one write. */
  async generation(key: string): Promise<string | null> {
    if (!this.redis) return null;
    if (this.pendingBumps.size && !(await this.flushPending()) && this.pendingBumps.has(key)) return null;
    try {
      return (await this.redis.get(key)) ?? "0";
    } catch (error) {
      this.warn("generation", error);
      return null;
    }
  }

  /**
   * Read-through for a family of keys retired together by a generation counter (a tenant's
   * searches, a customer's contact list or history). Without Redis it just loads.
   */
  async throughGeneration<T>(generationKey: string, keyFor: (generation: string) => string, ttlSeconds: number, load: () => Promise<T>): Promise<T> {
    const generation = await this.generation(generationKey);
    const key = generation === null ? null : keyFor(generation);
    if (key) {
      const hit = await this.get(key);
      if (hit) return JSON.parse(hit) as T;
    }
    const value = await load();
    if (key) await this.set(key, JSON.stringify(value), ttlSeconds);
    return value;
  }

  async bump(key: string): Promise<void> {
    if (!this.redis) return;
    try {
      await this.redis.incr(key);
    } catch (error) {
      this.pendingBumps.add(key);
      this.warn("bump", error);
    }
  }

  /** Several generation bumps in one round trip (a campaign touches many customers). */
  async bumpMany(keys: string[]): Promise<void> {
    if (!this.redis || keys.length === 0) return;
    try {
      const tx = this.redis.pipeline();
      for (const k of new Set(keys)) tx.incr(k);
      const results = (await tx.exec()) ?? [];
      if (results.some(([error]) => error)) throw new Error("bump failed");
    } catch (error) {
      keys.forEach((k) => this.pendingBumps.add(k));
      this.warn("bump", error);
    }
  }

  /** Replays missed invalidations; true when nothing is left pending. */
  private async flushPending(): Promise<boolean> {
    if (!this.redis) return false;
    if (this.pending.size === 0 && this.pendingBumps.size === 0) return true;
    const keys = [...this.pending];
    const bumps = [...this.pendingBumps];
    this.pending.clear();
    this.pendingBumps.clear();
    try {
      const tx = this.redis.multi();
      if (keys.length) tx.del(...keys);
      for (const b of bumps) tx.incr(b);
      await tx.exec();
      this.log.info({ keys: keys.length, bumps: bumps.length }, "missed cache invalidations replayed");
      return true;
    } catch (error) {
      keys.forEach((k) => this.pending.add(k));
      bumps.forEach((b) => this.pendingBumps.add(b));
      this.warn("flush", error);
      return false;
    }
  }

  private warn(op: string, error: unknown): void {
    this.log.warn({ op, err: (error as Error).message }, "cache unavailable, using the database");
  }
}

/** Versioned entries are stored as "<version>|<payload>". */
export function readVersioned(raw: string | null): { version: number; value: string } | null {
  if (!raw) return null;
  const bar = raw.indexOf("|");
  return bar < 0 ? null : { version: Number(raw.slice(0, bar)), value: raw.slice(bar + 1) };
}

type PutIfNewer = { putIfNewer: (key: string, version: string, entry: string, ttlSeconds: string) => Promise<number> };

const PUT_IF_NEWER = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local v = tonumber(string.match(cur, '^(%d+)|'))
  if v and v >= tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', tonumber(ARGV[3]))
return 1`;

export const cacheKeys = {
  customer: (tenantId: string, id: string) => `tenant:${tenantId}:customer:${id}`,
  /** Kept apart from the customer's copy: every interaction moves it, the record itself rarely. */
  customerActivity: (tenantId: string, id: string) => `tenant:${tenantId}:customer:${id}:activity:last`,
  searchGeneration: (tenantId: string) => `tenant:${tenantId}:search:gen`,
  search: (tenantId: string, generation: string, hash: string) => `tenant:${tenantId}:search:${generation}:${hash}`,
  contactsGeneration: (tenantId: string, customerId: string) => `tenant:${tenantId}:customer:${customerId}:contacts:gen`,
  contacts: (tenantId: string, customerId: string, generation: string, tag: string) =>
    `tenant:${tenantId}:customer:${customerId}:contacts:${generation}:${tag}`,
  communicationsGeneration: (tenantId: string, customerId: string) => `tenant:${tenantId}:customer:${customerId}:communications:gen`,
  communications: (tenantId: string, customerId: string, generation: string, hash: string) =>
    `tenant:${tenantId}:customer:${customerId}:communications:${generation}:${hash}`,
};

/** REQ-CUS-041 lifetimes, in seconds. */
export const CACHE_TTL = { customer: 30 * 60, contacts: 15 * 60, communications: 10 * 60, search: 5 * 60 } as const;

/**
 * The namespace of one deployment's keys when CACHE_PREFIX is not set: its database name, so two
 * deployments (or test runs) sharing a Redis never read each other's cache or limiter budgets.
 */
export function defaultCachePrefix(databaseUrl: string): string {
  let database = "";
  try {
    database = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ""));
  } catch {
    // An unparseable URL fails at connect time with a clear message; the prefix need not.
  }
  return `clientele:${database || "default"}:`;
}

/**
 * A connection for caching: fails fast while Redis is away instead of queueing commands. Every key
 * sent through it (cache entries, generations, rate-limit budgets) starts with `keyPrefix`.
 */
export function createCacheRedis(url: string, keyPrefix: string): Redis {
  return new Redis(url, {
    keyPrefix,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 1000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    // Commands issued in the same tick (a request's rate-limit budgets, its cache read, other
    // requests' reads) leave in one write: a socket write each was a tenth of a cached read's CPU.
    enableAutoPipelining: true,
  });
}
