import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBody, eventually, newTenant, rest, startIsolatedTestServer, streamPrefix, type Api, type TestServer } from "./harness";
import { startWorker, type WorkerProcess } from "./worker-process";

/**
 * Other systems' events through the real worker: its own database (its relay and sweeps touch
 * nothing of the other files) and its own stream prefix (no other file's worker joins its groups).
 */
let server: TestServer & { env: Record<string, string> };
let worker: WorkerProcess;
let redis: Redis;
const prefix = `${streamPrefix()}value-${randomUUID().slice(0, 6)}:`;
const workerEnv = (overrides: Record<string, string> = {}) => ({
  ...server.env,
  STREAM_PREFIX: prefix,
  STREAM_CONSUMER_BLOCK_MS: "100",
  STREAM_CONSUMER_CLAIM_IDLE_MS: "1000",
  STREAM_CONSUMER_MAX_DELIVERIES: "3",
  ...overrides,
});

beforeAll(async () => {
  server = await startIsolatedTestServer("streams");
  redis = new Redis("redis://127.0.0.1:6379");
  worker = await startWorker(workerEnv());
});
afterAll(async () => {
  await worker?.stop();
  await server?.close();
  redis?.disconnect();
});

type Event = { id?: string; type: string; tenantId: string; data: Record<string, unknown>; occurredAt?: string };
const envelopeOf = (e: Event) => ({ id: e.id ?? randomUUID(), occurredAt: e.occurredAt ?? new Date().toISOString(), ...e });

/** As another system publishes: the envelope as JSON in the `event` field (plus id/type/tenantId, as our relay writes them). */
async function publish(stream: string, ...events: Event[]) {
  const pipeline = redis.pipeline();
  const envelopes = events.map(envelopeOf);
  for (const e of envelopes) pipeline.xadd(`${prefix}${stream}`, "*", "id", e.id, "type", e.type, "tenantId", e.tenantId, "event", JSON.stringify(e));
  await pipeline.exec();
  return envelopes;
}

async function newCustomer(api: Api): Promise<string> {
  const { status, body } = await api.post("/customers", customerBody());
  expect(status).toBe(201);
  return body.id as string;
}

const customer = async (api: Api, id: string) => (await api.get(`/customers/${id}`)).body.profile as { lifetimeValue: number; totalEvents: number };

async function deadLetters(stream: string): Promise<Record<string, string>[]> {
  const entries = await redis.xrange(`${prefix}${stream}:dead`, "-", "+");
  return entries.map(([, f]) => Object.fromEntries(f.flatMap((v, i) => (i % 2 === 0 ? [[v, f[i + 1]!]] : []))));
}

const payment = (tenantId: string, customerId: string, amount: string, extra: Record<string, unknown> = {}): Event => ({
  type: "PaymentReceived",
  tenantId,
  data: { customerId, paymentId: `pay-${randomUUID().slice(0, 8)}`, amount, currency: "USD", category: "Ticket", ...extra },
});

describe("consumed value events through the worker", () => {
  it("PaymentReceived raises lifetimeValue once though delivered twice, RefundIssued lowers it, OrderPlaced is history only", async () => {
    const tenant = newTenant();
    const api = rest(server.url, await server.token("Admin", tenant));
    const id = await newCustomer(api);
    // Read once first: the cached copy must be dropped when the worker commits.
    expect((await customer(api, id)).lifetimeValue).toBe(0);

    const [paid] = await publish("payment-events", payment(tenant, id, "120.50"));
    // Redelivered by its producer under the same event id.
    await publish("payment-events", paid!);
    await publish("payment-events", { type: "RefundIssued", tenantId: tenant, data: { customerId: id, refundId: "ref-1", amount: "20.25", currency: "USD" } });
    await publish("order-events", { type: "OrderPlaced", tenantId: tenant, data: { customerId: id, orderId: "ord-1", amount: "99.99", currency: "USD" } });

    const rows = await eventually(
      () => server.deps.db.selectFrom("customerTransactions").select(["kind", "status", "amount", "idempotencyKey", "source", "externalReference"]).where("tenantId", "=", tenant).orderBy("kind").execute(),
      (r) => r.length === 3,
      15_000,
      () => worker.output(),
    );
    expect(rows).toEqual([
      { kind: "Order", status: "Pending", amount: "99.99", idempotencyKey: expect.any(String), source: "stream", externalReference: "ord-1" },
      { kind: "Payment", status: "Paid", amount: "120.50", idempotencyKey: paid!.id, source: "stream", externalReference: paid!.data.paymentId },
      { kind: "Refund", status: "Paid", amount: "20.25", idempotencyKey: expect.any(String), source: "stream", externalReference: "ref-1" },
    ]);
    await eventually(() => customer(api, id), (c) => c.lifetimeValue === 100.25);
  });

  it("EventAttended counts towards totalEvents once per event", async () => {
    const tenant = newTenant();
    const api = rest(server.url, await server.token("Admin", tenant));
    const id = await newCustomer(api);
    expect((await customer(api, id)).totalEvents).toBe(0);
    const attended = { type: "EventAttended", tenantId: tenant, data: { customerId: id, eventRef: "gala-2026", eventName: "Winter gala" } };
    const [first] = await publish("attendance-events", attended);
    await publish("attendance-events", first!, { ...attended, data: { customerId: id, eventRef: "expo-2026", status: "NoShow" } }, { ...attended, data: { customerId: id, eventRef: "talk-2026" } });
    await eventually(() => customer(api, id), (c) => c.totalEvents === 2, 15_000, () => worker.output());
    const rows = await server.deps.db.selectFrom("customerAttendance").select(["eventRef", "status"]).where("tenantId", "=", tenant).orderBy("eventRef").execute();
    expect(rows).toEqual([
      { eventRef: "expo-2026", status: "NoShow" },
      { eventRef: "gala-2026", status: "Attended" },
      { eventRef: "talk-2026", status: "Attended" },
    ]);
  });

  it("dead-letters invalid data, an unknown customer and another tenant's customer with the reason, and applies the valid payments beside them", async () => {
    const [tenant, other] = [newTenant(), newTenant()];
    const api = rest(server.url, await server.token("Admin", tenant));
    const id = await newCustomer(api);
    const othersCustomer = await newCustomer(rest(server.url, await server.token("Admin", other)));
    const deadBefore = (await deadLetters("payment-events")).length;
    const [floaty, missing, foreign] = await publish(
      "payment-events",
      payment(tenant, id, "10.00"),
      { ...payment(tenant, id, "0"), data: { customerId: id, paymentId: "p", amount: 12.5, currency: "usd" } },
      payment(tenant, randomUUID(), "5.00"),
      payment(tenant, othersCustomer, "7.00"),
      payment(tenant, id, "2.50"),
    ).then((es) => es.slice(1, 4));
    await eventually(() => deadLetters("payment-events"), (d) => d.length === deadBefore + 3, 15_000, () => worker.output());
    const dead = (await deadLetters("payment-events")).slice(deadBefore);
    const byEvent = new Map(dead.map((d) => [JSON.parse(d.event!).id as string, d]));
    expect(byEvent.get(floaty!.id)).toMatchObject({ reason: "rejected", group: "value-payments", deliveries: "1" });
    expect(byEvent.get(floaty!.id)!.error).toMatch(/^invalid PaymentReceived data: amount: .*; currency: must be a three-letter ISO 4217 code/);
    expect(byEvent.get(missing!.id)!.error).toBe(`CUST-001 Customer not found. (customer ${String(missing!.data.customerId)} in tenant ${tenant})`);
    expect(byEvent.get(foreign!.id)!.error).toBe(`CUST-001 Customer not found. (customer ${othersCustomer} in tenant ${tenant})`);
    await eventually(() => customer(api, id), (c) => c.lifetimeValue === 12.5);
    expect((await customer(rest(server.url, await server.token("Admin", other)), othersCustomer)).lifetimeValue).toBe(0);
  });

  it("shows lag, pending, processed and dead-lettered per stream and group on the worker's /metrics", async () => {
    const text = await eventually(
      () => fetch(worker.metricsUrl()).then((r) => r.text()),
      (t) => /clientele_stream_events_processed_total\{stream="payment-events",group="value-payments"\} [1-9]/.test(t),
    );
    for (const stream of ["payment-events", "order-events", "attendance-events"]) {
      expect(text).toMatch(new RegExp(`clientele_stream_lag_entries\\{stream="${stream}",group="value-[a-z]+"\\} 0`));
      expect(text).toMatch(new RegExp(`clientele_stream_lag_seconds\\{stream="${stream}",group="value-[a-z]+"\\} 0`));
      expect(text).toMatch(new RegExp(`clientele_stream_pending_entries\\{stream="${stream}",group="value-[a-z]+"\\} 0`));
    }
    expect(text).toMatch(/clientele_stream_events_dead_lettered_total\{stream="payment-events",group="value-payments",reason="rejected"\} 3/);
  });

  it("a worker killed mid-batch: another worker reclaims its pending entries and every payment is applied exactly once", async () => {
    await worker.stop();
    const tenant = newTenant();
    const api = rest(server.url, await server.token("Admin", tenant));
    const ids = [await newCustomer(api), await newCustomer(api)];
    const events = Array.from({ length: 600 }, (_, i) => payment(tenant, ids[i % 2]!, "1.01"));
    const doomed = await startWorker(workerEnv({ STREAM_CONSUMER_BATCH_SIZE: "50" }));
    await publish("payment-events", ...events);
    const applied = () =>
      server.deps.db
        .selectFrom("customerTransactions")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("tenantId", "=", tenant)
        .executeTakeFirstOrThrow()
        .then((r) => Number(r.n));
    await eventually(applied, (n) => n >= 50, 15_000, () => doomed.output());
    await doomed.kill();
    const [pendingAtKill] = (await redis.xpending(`${prefix}payment-events`, "value-payments")) as [number];
    expect(await applied()).toBeLessThan(600);

    worker = await startWorker(workerEnv());
    await eventually(applied, (n) => n === 600, 30_000, () => worker.output());
    await eventually(() => customer(api, ids[0]!), (c) => c.lifetimeValue === 303);
    expect((await customer(api, ids[1]!)).lifetimeValue).toBe(303);
    await eventually(async () => Number(((await redis.xpending(`${prefix}payment-events`, "value-payments")) as [number])[0]), (n) => n === 0);
    // Killed with a batch in hand: those entries were the dead consumer's until reclaimed.
    expect(Number(pendingAtKill)).toBeGreaterThan(0);
    // Two worker start-ups and a reclaim after the idle time: longer than the default test budget on a busy box.
  }, 90_000);

  it("a worker stopped with SIGTERM finishes what it holds and hands the rest back: the next worker applies everything at once, exactly once", async () => {
    await worker.stop();
    const tenant = newTenant();
    const api = rest(server.url, await server.token("Admin", tenant));
    const id = await newCustomer(api);
    // A long claim idle time: only entries handed back on stop can be taken over at once.
    const slow = { STREAM_CONSUMER_CLAIM_IDLE_MS: "600000", STREAM_CONSUMER_BATCH_SIZE: "20" };
    const stopping = await startWorker(workerEnv(slow));
    await publish("payment-events", ...Array.from({ length: 400 }, () => payment(tenant, id, "0.25")));
    const applied = async () => (await customer(api, id)).lifetimeValue;
    await eventually(applied, (v) => v > 0, 15_000, () => stopping.output());
    await stopping.stop();
    expect(stopping.proc.exitCode).toBe(0);
    worker = await startWorker(workerEnv(slow));
    await eventually(applied, (v) => v === 100, 20_000, () => worker.output());
    const count = await server.deps.db.selectFrom("customerTransactions").select((eb) => eb.fn.countAll<number>().as("n")).where("tenantId", "=", tenant).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(400);
  }, 90_000);
});
