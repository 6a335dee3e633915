import { cacheKeys, defaultCachePrefix } from "@clientele/cache";
import { Redis } from "ioredis";

/**
 * Only the bench tenant's keys are touched: Redis may be shared with a developer's running API.
 * Keys carry the prefix the API derives from the bench database's name (CACHE_PREFIX unset).
 */
export class BenchCache {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(
    url: string,
    databaseUrl: string,
    private readonly tenantId: string,
  ) {
    this.redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    this.prefix = defaultCachePrefix(databaseUrl);
  }

  async connect(): Promise<void> {
    await this.redis.connect();
  }

  /** Deletes every cached customer of the tenant, so the next read of each is a miss. */
  async clearCustomers(): Promise<number> {
    let deleted = 0;
    let cursor = "0";
    do {
      const [next, keys] = await this.redis.scan(cursor, "MATCH", this.prefix + cacheKeys.customer(this.tenantId, "*"), "COUNT", 1000);
      cursor = next;
      if (keys.length) deleted += await this.redis.unlink(...keys);
    } while (cursor !== "0");
    return deleted;
  }

  async cachedCount(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    return this.redis.exists(...ids.map((id) => this.prefix + cacheKeys.customer(this.tenantId, id)));
  }

  /** Moves the tenant to a new search generation: every cached search result becomes unreachable. */
  async retireSearches(): Promise<void> {
    await this.redis.incr(this.prefix + cacheKeys.searchGeneration(this.tenantId));
  }

  close(): void {
    this.redis.disconnect();
  }
}
