import { createLogger } from "@clientele/telemetry";
import { createOutboxRelay, relayLockName, type OutboxRelay } from "@clientele/worker/relay";
import { Redis } from "ioredis";
import type { TestServer } from "./harness";

/**
 * The worker's outbox relay, in this process, publishing the server's events to its STREAM_PREFIX:
 * what feeds live updates, without starting the whole worker. Use it with a server on a database of
 * its own (startIsolatedTestServer), or it would also publish other test files' events.
 */
export function startRelay(server: TestServer): { relay: OutboxRelay; stop: () => Promise<void> } {
  const redis = new Redis(server.deps.env.REDIS_URL, { maxRetriesPerRequest: null });
  const relay = createOutboxRelay({
    db: server.deps.db,
    redis,
    log: createLogger("silent", "relay-test"),
    batchSize: 200,
    pollMs: 20,
    streamMaxLength: 100_000,
    streamPrefix: server.deps.env.STREAM_PREFIX,
    lockName: relayLockName(server.deps.env.DATABASE_URL),
  });
  relay.start();
  return {
    relay,
    stop: async () => {
      await relay.stop();
      redis.disconnect();
    },
  };
}
