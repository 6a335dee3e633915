import { setTimeout as sleep } from "node:timers/promises";
import { fetchUnpublished, markPublished, splitDatabaseUrl, withNamedLock, type Db, type DbOrTrx } from "@clientele/db";
import type { Logger } from "@clientele/telemetry";
import type { Redis } from "ioredis";

/**
 * Every relay of one database must take the same lock, or two would publish the same rows. Named
 * locks are server-wide, so it is scoped to the database: two deployments don't block each other.
 * A relay takes it only if free (0 s): a standby takes over when the active one's connection dies.
 */
export const relayLockName = (databaseUrl: string) => `clientele-relay:${splitDatabaseUrl(databaseUrl).database}`;

export type RelayOptions = {
  db: Db;
  redis: Redis;
  log: Logger;
  batchSize: number;
  pollMs: number;
  streamMaxLength: number;
  streamPrefix: string;
  lockName: string;
  /** Told how many events each published batch held (throughput metric). */
  onPublished?: (count: number) => void;
};

export type OutboxRelay = {
  start: () => void;
  stop: () => Promise<void>;
  /** Publishes what is pending now (one relay at a time); returns how many events went out. */
  drain: () => Promise<number>;
};

/**
 * Moves committed events from the outbox table to Redis Streams, oldest first. Only the relay
 * holding the named lock works, so events of one aggregate go out in commit order; a row is marked
 * only after Redis accepted it, so a crash in between re-publishes it (at least once; consumers
 * dedupe by event id).
 */
export function createOutboxRelay(o: RelayOptions): OutboxRelay {
  const { lockName } = o;
  let running = false;
  let loop: Promise<void> | undefined;

  async function publishBatch(conn: DbOrTrx): Promise<number> {
    const batch = await fetchUnpublished(conn, o.batchSize);
    if (batch.length === 0) return 0;
    const pipeline = o.redis.pipeline();
    for (const { topic, envelope } of batch) {
      pipeline.xadd(
        `${o.streamPrefix}${topic}`,
        "MAXLEN",
        "~",
        String(o.streamMaxLength),
        "*",
        "id",
        envelope.id,
        "type",
        envelope.type,
        "tenantId",
        envelope.tenantId,
        "event",
        JSON.stringify(envelope),
      );
    }
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed) throw failed[0];
    await markPublished(conn, batch.map((b) => b.seq), new Date());
    o.onPublished?.(batch.length);
    return batch.length;
  }

  async function drain(): Promise<number> {
    let total = 0;
    await withNamedLock(o.db, lockName, 0, async (conn) => {
      for (let n = await publishBatch(conn); n > 0; n = await publishBatch(conn)) total += n;
    });
    return total;
  }

  async function run(): Promise<void> {
    while (running) {
      try {
        const { acquired: leader } = await withNamedLock(o.db, lockName, 0, async (conn) => {
          o.log.info("outbox relay is the active relay");
          while (running) {
            const n = await publishBatch(conn);
            if (n < o.batchSize) await sleep(o.pollMs);
          }
        });
        if (!leader) await sleep(o.pollMs * 5);
      } catch (error) {
        o.log.error({ err: (error as Error).message }, "outbox relay failed; retrying");
        await sleep(Math.min(o.pollMs * 10, 2000));
      }
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      await loop;
    },
    drain,
  };
}
