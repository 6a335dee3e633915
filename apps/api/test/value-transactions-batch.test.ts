import { randomUUID } from "node:crypto";
import { inTransaction, listAudit, listEventsForAggregate } from "@clientele/db";
import { recordTransactions, type TransactionInput, type TransactionResult } from "@clientele/jobs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBody, newTenant, startTestServer, type TestServer } from "./harness";

/**
 * recordTransactions given a caller's transaction and many items (the stream handler's case) runs
 * set-based; these tests hold it to the per-item results: the same batch recorded item by item
 * (one call per item, in one transaction) must leave exactly the same rows, events and audit.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const NOW = new Date("2026-12-04T12:00:00.000Z");
const ctxOf = (tenantId: string) => ({ tenantId, actor: "stream:payment-events", source: "stream" as const, now: NOW });

async function twoCustomers() {
  const tenant = newTenant();
  const manager = await server.as("CustomerManager", tenant, "boss");
  const ids: string[] = [];
  for (let i = 0; i < 2; i++) {
    const res = await manager.post("/customers", customerBody());
    expect(res.status).toBe(201);
    ids.push(res.body.id as string);
  }
  const rows = await server.deps.db.selectFrom("customers").select(["id", "version"]).where("tenantId", "=", tenant).execute();
  const created = Object.fromEntries(rows.map((r) => [r.id, r.version]));
  return { tenant, a: ids[0]!, b: ids[1]!, created: { A: created[ids[0]!]!, B: created[ids[1]!]! } };
}

const tx = (customerId: string, idempotencyKey: string, o: Partial<TransactionInput> = {}): TransactionInput => ({
  customerId,
  kind: "Payment",
  category: "Invoice",
  status: "Paid",
  amount: "100.00",
  currency: "USD",
  occurredAt: new Date("2026-12-01T10:00:00.000Z"),
  idempotencyKey,
  ...o,
});

/** A batch mixing two customers, a key repeated in the batch (also in another letter case), a key used before, a conflicting key, an invalid item and an unknown customer. */
function mixedBatch(a: string, b: string, k: (name: string) => string): TransactionInput[] {
  return [
    tx(a, k("a1"), { amount: "4000.00" }),
    tx(b, k("b1"), { amount: "100.00" }),
    tx(a, k("pre"), { amount: "1000.00" }),
    tx(a, k("a2"), { amount: "6000.00" }),
    tx(a, k("a1"), { amount: "4000" }),
    tx(b, k("a2"), { amount: "6000.00" }),
    tx(b, k("bad"), { amount: "12.345" }),
    tx(b, k("b1").toUpperCase(), { amount: "100.00" }),
    tx(b, k("b2"), { kind: "Refund", amount: "30.00" }),
    tx(a, k("a3"), { kind: "Order", status: "Pending", amount: "500.00", category: "Merchandise" }),
    tx(randomUUID(), k("nobody")),
  ];
}

/** Everything the ledger leaves for a tenant, with ids replaced by names so two tenants compare. */
async function observed(tenant: string, a: string, b: string, results: TransactionResult[]) {
  const db = server.deps.db;
  const txIds = new Map<string, string>();
  const rows = await db.selectFrom("customerTransactions").selectAll().where("tenantId", "=", tenant).orderBy("id").execute();
  rows.forEach((r, i) => txIds.set(r.id, `T${i}`));
  const name = (id: unknown) => (id === a ? "A" : id === b ? "B" : txIds.get(id as string) ?? id);
  const scrub = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === "string" ? name(x) : x)));
  const customers = await db.selectFrom("customers").select(["id", "lifetimeValue", "segment", "version"]).where("tenantId", "=", tenant).orderBy("id").execute();
  const perCustomer = async (id: string) => ({
    ltv: await db.selectFrom("customerLtvHistory").select(["lifetimeValue", "delta", "transactionId", "at"]).where("tenantId", "=", tenant).where("customerId", "=", id).orderBy("id").execute(),
    segments: await db.selectFrom("customerSegmentHistory").select(["fromSegment", "toSegment", "reason", "changedBy", "note"]).where("tenantId", "=", tenant).where("customerId", "=", id).orderBy("id").execute(),
    events: (await listEventsForAggregate(db, tenant, id)).filter((e) => e.envelope.actor === "stream:payment-events").map(({ envelope: { id: _id, tenantId: _t, ...e } }) => e),
    audit: (await listAudit(db, tenant, "Customer", id)).filter((r) => r.action === "TransactionRecorded").map((r) => ({ actorId: r.actorId, changes: r.changes })),
    activity: await db.selectFrom("customerActivity").select("lastActivityAt").where("tenantId", "=", tenant).where("customerId", "=", id).execute(),
  });
  return scrub({
    results: results.map((r) => (r.outcome === "rejected" ? { outcome: r.outcome, code: r.error.code, fields: r.error.fieldErrors } : { ...r, transaction: { ...r.transaction, tenantId: undefined, contentHash: undefined } })),
    // The content hash covers the customer's id, which differs between the tenants.
    rows: rows.map(({ tenantId: _t, contentHash: _h, ...r }) => r),
    customers: Object.fromEntries(customers.map((c) => [name(c.id), { lifetimeValue: c.lifetimeValue, segment: c.segment, version: c.version }])),
    a: await perCustomer(a),
    b: await perCustomer(b),
  }) as any;
}

describe("a batch in the caller's transaction", () => {
  it("records a mixed batch exactly as item by item: lifetime values, history, segment change, events, audit and per-item outcomes", async () => {
    const runs = [];
    // The same keys in both tenants (keys are per tenant).
    const suffix = randomUUID().slice(0, 8);
    for (const mode of ["batch", "item by item"] as const) {
      const { tenant, a, b, created } = await twoCustomers();
      const k = (n: string) => `${n}-${suffix}`;
      // A key recorded before, committed on its own.
      const [pre] = await recordTransactions(server.deps.db, ctxOf(tenant), [tx(a, k("pre"), { amount: "1000.00" })]);
      expect(pre!.outcome).toBe("recorded");
      const items = mixedBatch(a, b, k);
      const results = await inTransaction(server.deps.db, async (trx) => {
        if (mode === "batch") return recordTransactions(trx, ctxOf(tenant), items);
        const out: TransactionResult[] = [];
        for (const item of items) out.push(...(await recordTransactions(trx, ctxOf(tenant), [item])));
        return out;
      });
      runs.push({ ...(await observed(tenant, a, b, results)), created });
    }
    const [batch, single] = runs as [any, any];
    const { created, ...batchSeen } = batch;
    const { created: createdSingle, ...singleSeen } = single;
    expect(batchSeen).toEqual(singleSeen);
    expect(createdSingle).toEqual(created);

    // And what that is, spelled out.
    expect(batch.results.map((r: any) => [r.outcome, r.code ?? r.lifetimeValue, r.segment ?? null])).toEqual([
      ["recorded", "5000.00", "Standard"],
      ["recorded", "100.00", "Standard"],
      ["duplicate", "5000.00", "Standard"],
      ["recorded", "11000.00", "Premium"],
      ["duplicate", "11000.00", "Premium"],
      ["rejected", "TXN-001", null],
      ["rejected", "VALIDATION", null],
      ["duplicate", "100.00", "Standard"],
      ["recorded", "70.00", "Standard"],
      ["recorded", "11000.00", "Premium"],
      ["rejected", "CUST-001", null],
    ]);
    expect(batch.results[2].transaction.id).toBe("T0");
    expect(batch.results[4].transaction.id).toBe(batch.results[0].transaction.id);
    expect(batch.results[7].transaction.id).toBe(batch.results[1].transaction.id);
    expect(batch.results[3].segmentChange).toEqual({ from: "Standard", to: "Premium", reason: "auto" });
    expect(batch.results[6].fields).toHaveProperty("amount");
    expect(batch.rows).toHaveLength(6);

    // A version moves once per change of value: A by its three payments, B by its payment and refund.
    expect(batch.customers).toEqual({ A: { lifetimeValue: "11000.00", segment: "Premium", version: created.A + 3 }, B: { lifetimeValue: "70.00", segment: "Standard", version: created.B + 2 } });
    expect(batch.a.ltv.map((h: any) => [h.lifetimeValue, h.delta])).toEqual([
      ["1000.00", "1000.00"],
      ["5000.00", "4000.00"],
      ["11000.00", "6000.00"],
    ]);
    expect(batch.b.ltv.map((h: any) => [h.lifetimeValue, h.delta])).toEqual([
      ["100.00", "100.00"],
      ["70.00", "-30.00"],
    ]);
    expect(batch.a.segments).toEqual([{ fromSegment: "Standard", toSegment: "Premium", reason: "auto", changedBy: "stream:payment-events", note: null }]);
    expect(batch.b.segments).toEqual([]);

    expect(batch.a.events.map((e: any) => [e.type, e.version - created.A, e.data.lifetimeValue ?? null, e.data.delta ?? null])).toEqual([
      ["TransactionRecorded", 1, "1000.00", "1000.00"],
      ["TransactionRecorded", 2, "5000.00", "4000.00"],
      ["TransactionRecorded", 3, "11000.00", "6000.00"],
      ["CustomerProfileUpdated", 3, null, null],
      ["CustomerSegmentChanged", 3, "11000.00", null],
      ["TransactionRecorded", 3, "11000.00", "0.00"],
    ]);
    expect(batch.b.events.filter((e: any) => e.type === "TransactionRecorded").map((e: any) => [e.data.kind, e.data.lifetimeValue, e.data.delta])).toEqual([
      ["Payment", "100.00", "100.00"],
      ["Refund", "70.00", "-30.00"],
    ]);
    expect(batch.a.audit.map((r: any) => [r.changes.lifetimeValue ?? null, r.changes.segment ?? null])).toEqual([
      [{ from: "0.00", to: "1000.00" }, null],
      [{ from: "1000.00", to: "5000.00" }, null],
      [{ from: "5000.00", to: "11000.00" }, { from: "Standard", to: "Premium" }],
      [null, null],
    ]);
    expect(batch.b.audit).toHaveLength(2);
    expect(batch.a.activity).toHaveLength(1);
  });

  it("writes nothing for a batch of only rejected and repeated items", async () => {
    const { tenant, a, b } = await twoCustomers();
    const key = `only-${randomUUID()}`;
    await recordTransactions(server.deps.db, ctxOf(tenant), [tx(a, key)]);
    const results = await inTransaction(server.deps.db, (trx) => recordTransactions(trx, ctxOf(tenant), [tx(a, key), tx(b, key), tx(a, "x", { currency: "EUR" })]));
    expect(results.map((r) => (r.outcome === "rejected" ? r.error.code : r.outcome))).toEqual(["duplicate", "TXN-001", "VALIDATION"]);
    const rows = await server.deps.db.selectFrom("customerTransactions").select("id").where("tenantId", "=", tenant).execute();
    expect(rows).toHaveLength(1);
    const customers = await server.deps.db.selectFrom("customers").select(["id", "lifetimeValue"]).where("tenantId", "=", tenant).execute();
    expect(Object.fromEntries(customers.map((c) => [c.id, c.lifetimeValue]))).toEqual({ [a]: "100.00", [b]: "0.00" });
  });
});
