import { randomUUID } from "node:crypto";
import { appendAudit, createDb, type Db, type Trx } from "@clientele/db";
import { createStreamConsumer, DeadLetterError, type StreamConsumerOptions, type StreamEnvelope, type StreamHandler } from "@clientele/jobs";
import { createLogger } from "@clientele/telemetry";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseUrl, eventually, newTenant, streamPrefix } from "./harness";
import { startRedis } from "./redis-process";

let db: Db;
let redis: Redis;
const log = createLogger("silent", "stream-consumer-test");

beforeAll(() => {
  db = createDb({ url: databaseUrl(), poolSize: 5 }).db;
  redis = new Redis("redis://127.0.0.1:6379");
});
afterAll(async () => {
  await db.destroy();
  redis.disconnect();
});

/** A stream of this test alone (the run's prefix plus a random name). */
const newStream = () => `stream-test-${randomUUID().slice(0, 8)}`;
const key = (stream: string) => `${streamPrefix()}${stream}`;

function envelope(tenantId: string, overrides: Partial<StreamEnvelope> = {}): StreamEnvelope {
  return { id: randomUUID(), type: "ThingHappened", tenantId, occurredAt: new Date().toISOString(), data: { n: 1 }, ...overrides };
}

/** As the outbox relay and the other systems publish: the envelope as JSON in the `event` field. */
async function publish(stream: string, ...envelopes: StreamEnvelope[]): Promise<string[]> {
  const ids: string[] = [];
  for (const e of envelopes) ids.push((await redis.xadd(key(stream), "*", "id", e.id, "type", e.type, "tenantId", e.tenantId, "event", JSON.stringify(e)))!);
  return ids;
}

/** The test handlers' effect: one audit row per applied event, written in the consumer's transaction. */
async function applied(tenantId: string): Promise<string[]> {
  const rows = await db.selectFrom("auditLog").select("entityId").where("tenantId", "=", tenantId).where("entityType", "=", "StreamTest").orderBy("id").execute();
  return rows.map((r) => r.entityId);
}
const record = (trx: Trx, e: StreamEnvelope) =>
  appendAudit(trx, [{ tenantId: e.tenantId, entityType: "StreamTest", entityId: e.id, action: e.type, actorId: "stream", occurredAt: new Date(), changes: {} }]);

function consumer(handlers: StreamHandler[], o: Partial<StreamConsumerOptions> = {}) {
  return createStreamConsumer({
    db,
    redis,
    log,
    consumerName: `c-${randomUUID().slice(0, 6)}`,
    handlers,
    batchSize: 50,
    blockMs: 50,
    claimIdleMs: 200,
    maxDeliveries: 3,
    streamPrefix: streamPrefix(),
    ...o,
  });
}

async function pendingCount(stream: string, group: string): Promise<number> {
  const [count] = (await redis.xpending(key(stream), group)) as [number];
  return Number(count);
}

type DeadLetter = Record<string, string>;
async function deadLetters(stream: string): Promise<DeadLetter[]> {
  const entries = await redis.xrange(`${key(stream)}:dead`, "-", "+");
  return entries.map(([, f]) => Object.fromEntries(f.flatMap((v, i) => (i % 2 === 0 ? [[v, f[i + 1]!]] : []))));
}

const idle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("stream consumer", () => {
  it("applies an event delivered twice once, and acknowledges both deliveries", async () => {
    const [stream, tenant] = [newStream(), newTenant()];
    const e = envelope(tenant);
    const other = envelope(tenant);
    // The relay republishes after a crash between XADD and marking the row: the same event id twice.
    await publish(stream, e, other, e);
    const seen: number[] = [];
    const c = consumer([{ stream, group: "once", handle: async (env, ctx) => (seen.push(ctx.deliveries), record(ctx.trx, env)) }]);
    expect(await c.drainOnce()).toBe(3);
    await publish(stream, other);
    await c.drainOnce();
    expect(await applied(tenant)).toEqual([e.id, other.id]);
    expect(seen).toEqual([1, 1]);
    expect(await pendingCount(stream, "once")).toBe(0);
    const rows = await db.selectFrom("consumedEvents").selectAll().where("consumerGroup", "=", "once").where("eventId", "in", [e.id, other.id]).execute();
    expect(rows.map((r) => r.tenantId)).toEqual([tenant, tenant]);
  });

  it("dedupes per group: a second group applies the same events again, once", async () => {
    const [stream, tenant] = [newStream(), newTenant()];
    const e = envelope(tenant);
    await publish(stream, e, e);
    const handle: StreamHandler["handle"] = async (env, ctx) => record(ctx.trx, env);
    await consumer([
      { stream, group: "first", handle },
      { stream, group: "second", handle },
    ]).drainOnce();
    expect(await applied(tenant)).toEqual([e.id, e.id]);
  });

  it("applies a batch in one transaction through handleBatch, skipping ids applied before and repeated in the batch", async () => {
    const [stream, tenant] = [newStream(), newTenant()];
    const es = Array.from({ length: 30 }, () => envelope(tenant));
    await publish(stream, ...es.slice(0, 10));
    const batches: number[] = [];
    const c = consumer([
      {
        stream,
        group: "batch",
        handleBatch: async (envs, ctx) => {
          batches.push(envs.length);
          for (const e of envs) await record(ctx.trx, e);
        },
      },
    ]);
    await c.drainOnce();
    await publish(stream, ...es.slice(5), es[20]!);
    await c.drainOnce();
    expect(batches).toEqual([10, 20]);
    expect((await applied(tenant)).sort()).toEqual(es.map((e) => e.id).sort());
    expect(await pendingCount(stream, "batch")).toBe(0);
  });

  it("takes the tenant from each envelope", async () => {
    const stream = newStream();
    const [a, b] = [newTenant(), newTenant()];
    const tenants: string[] = [];
    await publish(stream, envelope(a), envelope(b), envelope(a));
    await consumer([{ stream, group: "tenants", handle: async (env, ctx) => (tenants.push(env.tenantId), record(ctx.trx, env)) }]).drainOnce();
    expect(tenants).toEqual([a, b, a]);
    expect((await applied(a)).length).toBe(2);
    expect((await applied(b)).length).toBe(1);
  });

  it("acknowledges only after commit: a handler that throws leaves the entry pending and its writes rolled back, and the retry applies it once", async () => {
    const [stream, tenant] = [newStream(), newTenant()];
    const e = envelope(tenant);
    await publish(stream, e);
    let calls = 0;
    const c = consumer([
      {
        stream,
        group: "after-commit",
        handle: async (env, ctx) => {
          await record(ctx.trx, env);
          if (++calls === 1) throw new Error("downstream hiccup");
        },
      },
    ]);
    await c.drainOnce();
    expect(calls).toBe(1);
    expect(await pendingCount(stream, "after-commit")).toBe(1);
    expect(await applied(tenant)).toEqual([]);
    expect(await db.selectFrom("consumedEvents").select("eventId").where("eventId", "=", e.id).execute()).toEqual([]);

    // Reclaimed once idle for claimIdleMs, as a redelivery.
    await idle(250);
    await c.drainOnce();
    expect(calls).toBe(2);
    expect(await applied(tenant)).toEqual([e.id]);
    expect(await pendingCount(stream, "after-commit")).toBe(0);
  });

  it("reclaims a dead consumer's pending entries with XAUTOCLAIM and applies each once", async () => {
    const [stream, tenant] = [newStream(), newTenant()];
    const es = Array.from({ length: 6 }, () => envelope(tenant));
    const handle: StreamHandler["handle"] = async (env, ctx) => record(ctx.trx, env);
    const dying = consumer([{ stream, group: "reclaim", handle }], { consumerName: "dying", batchSize: 6 });
    await dying.drainOnce();
    await publish(stream, ...es);
    // The dying consumer read the batch (the entries are delivered to it, pending) and was killed before any ack.
    await redis.xreadgroup("GROUP", "reclaim", "dying", "COUNT", 6, "STREAMS", key(stream), ">");
    expect(await pendingCount(stream, "reclaim")).toBe(6);

    const deliveries: number[] = [];
    const survivor = consumer([{ stream, group: "reclaim", handle: async (env, ctx) => (deliveries.push(ctx.deliveries), handle(env, ctx)) }], { consumerName: "survivor" });
    // Not before claimIdleMs: the first consumer may only be slow.
    expect(await survivor.drainOnce()).toBe(0);
    await idle(250);
    expect(await survivor.drainOnce()).toBe(6);
    expect(deliveries).toEqual([2, 2, 2, 2, 2, 2]);
    expect((await applied(tenant)).sort()).toEqual(es.map((e) => e.id).sort());
    expect(await pendingCount(stream, "reclaim")).toBe(0);
  });

  it("dead-letters a poison message after maxDeliveries with its error, deliveries and group, and goes on with the rest", async () => {
    const [stream, tenant] = [newStream(), newTenant()];
    const poison = envelope(tenant, { type: "Poison" });
    const fine = envelope(tenant);
    await publish(stream, poison, fine);
    let attempts = 0;
    const c = consumer([
      {
        stream,
        group: "poison",
        handle: async (env, ctx) => {
          if (env.type === "Poison") {
            attempts++;
            throw new Error("cannot apply this one");
          }
          await record(ctx.trx, env);
        },
      },
    ]);
    await c.drainOnce();
    expect(await applied(tenant)).toEqual([fine.id]);
    for (let i = 0; i < 2; i++) {
      expect(await deadLetters(stream)).toEqual([]);
      await idle(250);
      await c.drainOnce();
    }
    expect(attempts).toBe(3);
    const [dead] = await deadLetters(stream);
    expect(dead).toMatchObject({ reason: "poison", error: "cannot apply this one", deliveries: "3", group: "poison", stream: key(stream) });
    expect(JSON.parse(dead!.event!)).toEqual(poison);
    expect(await pendingCount(stream, "poison")).toBe(0);
    await idle(250);
    await c.drainOnce();
    expect(attempts).toBe(3);
  });

  it("dead-letters an entry delivered more than maxDeliveries times without completing (it kills its consumer) without running it", async () => {
    const [stream, tenant] = [newStream(), newTenant()];
    const e = envelope(tenant);
    let calls = 0;
    const c = consumer([{ stream, group: "crasher", handle: async () => void calls++ }], { maxDeliveries: 2 });
    await c.drainOnce();
    await publish(stream, e);
    // Delivered to a consumer that died with it, then taken over by another that died too.
    await redis.xreadgroup("GROUP", "crasher", "dead-1", "STREAMS", key(stream), ">");
    await idle(250);
    await redis.xautoclaim(key(stream), "crasher", "dead-2", 200, "0-0");
    await idle(250);
    await c.drainOnce();
    expect(calls).toBe(0);
    expect(await deadLetters(stream)).toEqual([expect.objectContaining({ reason: "poison", deliveries: "3", error: "delivered 3 times without completing" })]);
  });

  it("dead-letters unparseable entries at once with the reason, and applies the valid ones beside them", async () => {
    const [stream, tenant] = [newStream(), newTenant()];
    const good = envelope(tenant);
    await redis.xadd(key(stream), "*", "event", "{not json");
    await redis.xadd(key(stream), "*", "payload", "no event field");
    await redis.xadd(key(stream), "*", "event", JSON.stringify({ id: randomUUID(), type: "X", occurredAt: "yesterday", data: {} }));
    await publish(stream, good);
    for (const mode of ["one", "batch"] as const) {
      const group = `unparseable-${mode}`;
      await consumer([
        mode === "one"
          ? { stream, group, handle: async (env, ctx) => record(ctx.trx, env) }
          : { stream, group, handleBatch: async (envs, ctx) => void (await Promise.all(envs.map((env) => record(ctx.trx, env)))) },
      ]).drainOnce();
      expect(await pendingCount(stream, group)).toBe(0);
    }
    expect(await applied(tenant)).toEqual([good.id, good.id]);
    const dead = await deadLetters(stream);
    expect(dead.map((d) => [d.group, d.reason, d.deliveries, d.error])).toEqual(
      ["unparseable-one", "unparseable-batch"].flatMap((group) => [
        [group, "unparseable", "1", "the event field is not JSON"],
        [group, "unparseable", "1", "the entry has no event field"],
        [group, "unparseable", "1", expect.stringMatching(/^invalid envelope: tenantId: .*; occurredAt: /)],
      ]),
    );
    expect(dead[0]!.event).toBe("{not json");
  });

  it("dead-letters at once what a handler rejects (DeadLetterError), alone or named from a batch, and keeps the rest of the batch", async () => {
    const [stream, tenant] = [newStream(), newTenant()];
    const es = Array.from({ length: 5 }, () => envelope(tenant));
    const bad = es[2]!;
    await publish(stream, ...es);
    const batches: number[] = [];
    await consumer([
      {
        stream,
        group: "rejects-batch",
        handleBatch: async (envs, ctx) => {
          batches.push(envs.length);
          for (const e of envs) {
            if (e.id === bad.id) throw new DeadLetterError("customer not found in the tenant", e.id);
            await record(ctx.trx, e);
          }
        },
      },
      {
        stream,
        group: "rejects-one",
        handle: async (e, ctx) => {
          if (e.id === bad.id) throw new DeadLetterError("customer not found in the tenant");
          await record(ctx.trx, e);
        },
      },
    ]).drainOnce();
    expect(batches).toEqual([5, 4]);
    expect((await applied(tenant)).length).toBe(8);
    expect((await deadLetters(stream)).map((d) => [d.group, d.reason, d.error, d.deliveries])).toEqual([
      ["rejects-batch", "rejected", "customer not found in the tenant", "1"],
      ["rejects-one", "rejected", "customer not found in the tenant", "1"],
    ]);
  });

  it("a failing batch falls back to one entry at a time, so only the poison entry is retried", async () => {
    const [stream, tenant] = [newStream(), newTenant()];
    const es = Array.from({ length: 4 }, () => envelope(tenant));
    await publish(stream, ...es);
    const sizes: number[] = [];
    await consumer([
      {
        stream,
        group: "fallback",
        handleBatch: async (envs, ctx) => {
          sizes.push(envs.length);
          if (envs.some((e) => e.id === es[1]!.id)) throw new Error("boom");
          for (const e of envs) await record(ctx.trx, e);
        },
      },
    ]).drainOnce();
    expect(sizes).toEqual([4, 1, 1, 1, 1]);
    expect((await applied(tenant)).length).toBe(3);
    expect(await pendingCount(stream, "fallback")).toBe(1);
  });

  it("acknowledges events of other types without running the handler", async () => {
    const [stream, tenant] = [newStream(), newTenant()];
    const wanted = envelope(tenant, { type: "Wanted" });
    await publish(stream, envelope(tenant, { type: "Other" }), wanted);
    await consumer([{ stream, group: "types", types: ["Wanted"], handle: async (env, ctx) => record(ctx.trx, env) }]).drainOnce();
    expect(await applied(tenant)).toEqual([wanted.id]);
    expect(await pendingCount(stream, "types")).toBe(0);
  });

  it("runs after-commit steps once the transaction committed, not when it rolled back", async () => {
    const [stream, tenant] = [newStream(), newTenant()];
    const [ok, failing] = [envelope(tenant), envelope(tenant)];
    await publish(stream, ok, failing);
    const after: string[] = [];
    await consumer([
      {
        stream,
        group: "after",
        handle: async (env, ctx) => {
          ctx.afterCommit(() => void after.push(env.id));
          if (env.id === failing.id) throw new Error("rolled back");
        },
      },
    ]).drainOnce();
    expect(after).toEqual([ok.id]);
  });

  it("stops gracefully: the entry in hand finishes, the rest are handed back, and another consumer applies every event exactly once", async () => {
    const [stream, tenant] = [newStream(), newTenant()];
    const es = Array.from({ length: 40 }, () => envelope(tenant));
    const handle: StreamHandler["handle"] = async (env, ctx) => {
      await record(ctx.trx, env);
      await idle(10);
    };
    const first = consumer([{ stream, group: "stop", handle }], { claimIdleMs: 60_000 });
    first.start();
    await publish(stream, ...es);
    await eventually(() => applied(tenant), (ids) => ids.length >= 5);
    await first.stop();
    const afterStop = (await applied(tenant)).length;
    expect(afterStop).toBeLessThan(40);
    await idle(100);
    expect((await applied(tenant)).length).toBe(afterStop);

    // The handed-back entries are reclaimable at once (idle set to claimIdleMs), without counting a delivery.
    const second = consumer([{ stream, group: "stop", handle }], { claimIdleMs: 60_000 });
    await second.drainOnce();
    expect((await applied(tenant)).sort()).toEqual(es.map((e) => e.id).sort());
    expect(await pendingCount(stream, "stop")).toBe(0);
  });

  it("reports lag and pending entries per stream and group", async () => {
    const [stream, tenant] = [newStream(), newTenant()];
    const c = consumer([{ stream, group: "lag", handle: async (env, ctx) => record(ctx.trx, env) }], { batchSize: 2 });
    await c.drainOnce();
    await publish(stream, envelope(tenant), envelope(tenant), envelope(tenant));
    await idle(20);
    const [before] = await c.groups();
    expect(before).toMatchObject({ stream, group: "lag", lag: 3, pending: 0 });
    expect(before!.lagSeconds).toBeGreaterThan(0);
    await redis.xreadgroup("GROUP", "lag", "elsewhere", "COUNT", 1, "STREAMS", key(stream), ">");
    expect((await c.groups())[0]).toMatchObject({ lag: 2, pending: 1 });
    await idle(250);
    await c.drainOnce();
    expect((await c.groups())[0]).toMatchObject({ lag: 0, lagSeconds: 0, pending: 0 });
  });

  it("trims a work-queue stream (trimAcknowledged) below what every group has acknowledged, never what a group still needs", async () => {
    const [stream, tenant] = [newStream(), newTenant()];
    const fill = async (n: number) => {
      const p = redis.pipeline();
      for (let i = 0; i < n; i++) {
        const e = envelope(tenant);
        p.xadd(key(stream), "*", "id", e.id, "type", e.type, "tenantId", e.tenantId, "event", JSON.stringify(e));
      }
      await p.exec();
    };
    const handleBatch: StreamHandler["handleBatch"] = async (envs, ctx) => {
      for (const e of envs) await record(ctx.trx, e);
    };
    const c = consumer([{ stream, group: "work", trimAcknowledged: true, handleBatch }], { batchSize: 500 });
    await fill(1000);
    expect(await c.drainOnce()).toBe(1000);
    // Whole radix-tree nodes go (MINID ~): what stays is at most about one node's worth.
    expect(await redis.xlen(key(stream))).toBeLessThan(200);

    // Another group that has read nothing yet, then holds everything unacknowledged: nothing it needs goes.
    await redis.xgroup("CREATE", key(stream), "other", "$");
    await fill(1000);
    await c.drainOnce();
    expect(await redis.xlen(key(stream))).toBeGreaterThanOrEqual(1000);
    const read = (await redis.xreadgroup("GROUP", "other", "o1", "COUNT", 1000, "STREAMS", key(stream), ">")) as [string, [string, string[]][]][];
    expect(read[0]![1]).toHaveLength(1000);
    await c.drainOnce();
    expect(await redis.xlen(key(stream))).toBeGreaterThanOrEqual(1000);
    await redis.xack(key(stream), "other", ...read[0]![1].map(([id]) => id));
    await c.drainOnce();
    expect(await redis.xlen(key(stream))).toBeLessThan(200);
    expect((await applied(tenant)).length).toBe(2000);
    expect((await c.groups())[0]).toMatchObject({ lag: 0, pending: 0 });
  });

  it("refuses two handlers for one stream in one group", () => {
    const handle: StreamHandler["handle"] = async () => undefined;
    expect(() => consumer([{ stream: "s", group: "g", handle }, { stream: "s", group: "g", handle }])).toThrow("two stream handlers for s in group g");
  });

  it("deletes consumed event ids past the retention period when it starts, and keeps newer ones", async () => {
    const old = { consumerGroup: "retention", eventId: randomUUID(), tenantId: "t-old", consumedAt: new Date(Date.now() - 40 * 86_400_000) };
    const recent = { ...old, eventId: randomUUID(), consumedAt: new Date(Date.now() - 86_400_000) };
    await db.insertInto("consumedEvents").values([old, recent]).execute();
    const c = consumer([{ stream: newStream(), group: "retention", handle: async () => undefined }], { consumedRetentionMs: 30 * 86_400_000 });
    c.start();
    try {
      await eventually(
        () => db.selectFrom("consumedEvents").select("eventId").where("consumerGroup", "=", "retention").execute(),
        (rows) => rows.length === 1,
      );
      expect(await db.selectFrom("consumedEvents").select("eventId").where("consumerGroup", "=", "retention").execute()).toEqual([{ eventId: recent.eventId }]);
    } finally {
      await c.stop();
    }
  });

  it("removes consumers long idle with nothing pending (dead workers) from the group, and keeps those holding entries", async () => {
    const [stream, tenant] = [newStream(), newTenant()];
    const handle: StreamHandler["handle"] = async (env, ctx) => record(ctx.trx, env);
    await consumer([{ stream, group: "forget", handle }]).drainOnce();
    await redis.xgroup("CREATECONSUMER", key(stream), "forget", "gone");
    await publish(stream, envelope(tenant));
    await redis.xreadgroup("GROUP", "forget", "holding", "STREAMS", key(stream), ">");
    await idle(150);
    const c = consumer([{ stream, group: "forget", handle }], { forgetConsumersIdleMs: 100, claimIdleMs: 60_000 });
    c.start();
    try {
      const names = async () => ((await redis.xinfo("CONSUMERS", key(stream), "forget")) as string[][]).map((f) => f[1]);
      await eventually(names, (n) => !n.includes("gone"));
      expect(await names()).toContain("holding");
    } finally {
      await c.stop();
    }
  });

  it("rides out a Redis outage: retries with backoff, never throws, and consumes again once Redis is back", async () => {
    const own = await startRedis();
    const client = new Redis(own.url, { maxRetriesPerRequest: null, retryStrategy: () => 50 });
    client.on("error", () => undefined);
    const warnings: string[] = [];
    const spy = createLogger("warn", "stream-outage", { write: (line: string) => void warnings.push(JSON.parse(line).msg) });
    const [stream, tenant] = [newStream(), newTenant()];
    const c = createStreamConsumer({
      db,
      redis: client,
      log: spy,
      consumerName: "outage",
      handlers: [{ stream, group: "outage", handle: async (env, ctx) => record(ctx.trx, env) }],
      batchSize: 10,
      blockMs: 50,
      claimIdleMs: 200,
      maxDeliveries: 3,
    });
    c.start();
    let restarted: Awaited<ReturnType<typeof startRedis>> | undefined;
    try {
      const first = envelope(tenant);
      await client.xadd(stream, "*", "event", JSON.stringify(first));
      await eventually(() => applied(tenant), (ids) => ids.length === 1);
      own.proc.kill("SIGKILL");
      await new Promise((r) => own.proc.once("exit", r));
      await idle(500);
      // Back on the same port, empty (no persistence): the group is created again (NOGROUP).
      restarted = await startRedis(own.port);
      const second = envelope(tenant);
      await eventually(
        async () => {
          await client.xadd(stream, "*", "event", JSON.stringify(second)).catch(() => undefined);
          return applied(tenant);
        },
        (ids) => ids.includes(second.id),
        15_000,
      );
      expect(await applied(tenant)).toEqual([first.id, second.id]);
      expect(warnings).toContain("stream consumer failed; retrying");
    } finally {
      await c.stop();
      client.disconnect();
      restarted?.proc.kill("SIGKILL");
      if (own.proc.exitCode === null) own.proc.kill("SIGKILL");
    }
  });
});
