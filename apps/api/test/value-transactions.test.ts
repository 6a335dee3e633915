import { listAudit, listEventsForAggregate } from "@clientele/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBody, newTenant, rest, startTestServer, type Api, type TestServer } from "./harness";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

async function setup(o: { type?: string } = {}) {
  const tenant = newTenant();
  const manager = await server.as("CustomerManager", tenant, "boss");
  const res = await manager.post("/customers", customerBody(o.type ? { type: o.type } : {}));
  expect(res.status).toBe(201);
  return { tenant, manager, customerId: res.body.id as string };
}

let keys = 0;
const payment = (o: Record<string, unknown> = {}) => ({
  kind: "Payment",
  category: "Invoice",
  status: "Paid",
  amount: "100.00",
  currency: "USD",
  occurredAt: "2026-12-01T10:00:00Z",
  idempotencyKey: `key-${++keys}-${Math.random().toString(36).slice(2, 8)}`,
  ...o,
});
const record = (api: Api, customerId: string, o: Record<string, unknown> = {}) => api.post(`/customers/${customerId}/transactions`, payment(o));
const valueOf = async (api: Api, customerId: string) => (await api.get(`/customers/${customerId}/value`)).body;

describe("recording transactions", () => {
  it("moves lifetime value exactly, with audit, LTV history and a TransactionRecorded event", async () => {
    const { tenant, manager, customerId } = await setup();
    // Read first, so the customer is cached: recording must retire that copy.
    expect((await manager.get(`/customers/${customerId}`)).body.profile.lifetimeValue).toBe(0);
    const res = await record(manager, customerId, { amount: "0.10" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ replayed: false, lifetimeValue: "0.10", segment: "Standard", segmentChange: null });
    expect(res.body.transaction).toMatchObject({ kind: "Payment", status: "Paid", amount: "0.10", currency: "USD", exchangeRate: "1.00000000", baseAmount: "0.10", source: "api", createdBy: "boss" });
    expect((await record(manager, customerId, { amount: "0.20" })).body.lifetimeValue).toBe("0.30");

    const value = await valueOf(manager, customerId);
    expect(value).toMatchObject({ lifetimeValue: "0.30", baseCurrency: "USD", segment: "Standard", segmentOverride: null });
    expect(value.history.changes.map((c: { lifetimeValue: string; delta: string }) => [c.lifetimeValue, c.delta])).toEqual([
      ["0.10", "0.10"],
      ["0.30", "0.20"],
    ]);
    const customer = (await manager.get(`/customers/${customerId}`)).body;
    expect(customer.profile.lifetimeValue).toBe(0.3);
    expect(customer.profile.segmentOverride).toBeNull();

    const events = (await listEventsForAggregate(server.deps.db, tenant, customerId)).map((e) => e.envelope).filter((e) => e.type === "TransactionRecorded");
    expect(events).toHaveLength(2);
    expect(events[1]!.data).toMatchObject({ amount: "0.20", baseAmount: "0.20", lifetimeValue: "0.30", delta: "0.20", kind: "Payment", status: "Paid" });
    const audit = (await listAudit(server.deps.db, tenant, "Customer", customerId)).filter((a) => a.action === "TransactionRecorded");
    expect(audit[1]!.changes).toMatchObject({ lifetimeValue: { from: "0.10", to: "0.30" } });
  });

  it("applies a repeated idempotency key once, and refuses it with other content (409)", async () => {
    const { tenant, manager, customerId } = await setup();
    const body = payment({ amount: "50.00" });
    const first = await manager.post(`/customers/${customerId}/transactions`, body);
    const again = await manager.post(`/customers/${customerId}/transactions`, { ...body, amount: "50" });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ replayed: true, lifetimeValue: "50.00" });
    expect(again.body.transaction.id).toBe(first.body.transaction.id);
    const conflict = await manager.post(`/customers/${customerId}/transactions`, { ...body, amount: "51.00" });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ code: "TXN-001", errors: { idempotencyKey: ["was already used with different content"] } });
    expect((await valueOf(manager, customerId)).lifetimeValue).toBe("50.00");
    const recorded = (await listEventsForAggregate(server.deps.db, tenant, customerId)).filter((e) => e.envelope.type === "TransactionRecorded");
    expect(recorded).toHaveLength(1);
  });

  it("applies one key sent 10 times at once exactly once", async () => {
    const { manager, customerId } = await setup();
    const body = payment({ amount: "7.77" });
    const all = await Promise.all(Array.from({ length: 10 }, () => manager.post(`/customers/${customerId}/transactions`, body)));
    expect(all.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(all.filter((r) => !r.body.replayed)).toHaveLength(1);
    expect(new Set(all.map((r) => r.body.transaction.id)).size).toBe(1);
    expect((await valueOf(manager, customerId)).lifetimeValue).toBe("7.77");
  });

  it("lets one of two customers have a key sent for both at once; the other is a 409", async () => {
    const { manager, customerId } = await setup();
    const other = (await manager.post("/customers", customerBody())).body.id as string;
    const body = payment({ amount: "3.00" });
    const both = await Promise.all([manager.post(`/customers/${customerId}/transactions`, body), manager.post(`/customers/${other}/transactions`, body)]);
    expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
    const values = await Promise.all([valueOf(manager, customerId), valueOf(manager, other)]);
    expect(values.map((v) => v.lifetimeValue).sort()).toEqual(["0.00", "3.00"]);
  });

  it("sums 50 concurrent payments to one customer exactly", async () => {
    const { manager, customerId } = await setup();
    const all = await Promise.all(Array.from({ length: 50 }, (_, i) => record(manager, customerId, { amount: `${i + 1}.01` })));
    expect(all.map((r) => r.status)).toEqual(Array(50).fill(201));
    // 1.01 + 2.01 + … + 50.01 = 1275 + 0.50
    expect((await valueOf(manager, customerId)).lifetimeValue).toBe("1275.50");
    const values = all.map((r) => r.body.lifetimeValue as string).sort((a, b) => Number(a) - Number(b));
    expect(values.at(-1)).toBe("1275.50");
    expect(new Set(values).size).toBe(50);
  });

  it("takes refunds away; failed, pending payments and orders count nothing", async () => {
    const { manager, customerId } = await setup();
    await record(manager, customerId, { amount: "300.00" });
    expect((await record(manager, customerId, { kind: "Refund", amount: "120.50" })).body.lifetimeValue).toBe("179.50");
    expect((await record(manager, customerId, { status: "Failed", amount: "999.00" })).body.lifetimeValue).toBe("179.50");
    expect((await record(manager, customerId, { status: "Pending", amount: "999.00" })).body.lifetimeValue).toBe("179.50");
    expect((await record(manager, customerId, { kind: "Order", category: "Merchandise", amount: "999.00" })).body.lifetimeValue).toBe("179.50");
    const value = await valueOf(manager, customerId);
    expect(value.lifetimeValue).toBe("179.50");
    expect(value.history.changes).toHaveLength(2);
  });

  it("marks a payment made after its due date late", async () => {
    const { manager, customerId } = await setup();
    const late = await record(manager, customerId, { dueAt: "2026-11-20T00:00:00Z" });
    expect(late.body.transaction).toMatchObject({ late: true, dueAt: "2026-11-20T00:00:00.000Z" });
    expect((await record(manager, customerId, { dueAt: "2026-12-20T00:00:00Z" })).body.transaction.late).toBe(false);
  });

  it("lists a customer's transactions newest first, paged", async () => {
    const { manager, customerId } = await setup();
    for (const day of ["01", "03", "02"]) await record(manager, customerId, { occurredAt: `2026-11-${day}T08:00:00Z`, externalReference: `INV-${day}` });
    const page1 = await manager.get(`/customers/${customerId}/transactions?pageSize=2`);
    expect(page1.status).toBe(200);
    expect(page1.body).toMatchObject({ totalCount: 3, page: 1, pageSize: 2, totalPages: 2 });
    expect(page1.body.items.map((t: { externalReference: string }) => t.externalReference)).toEqual(["INV-03", "INV-02"]);
    const page2 = await manager.get(`/customers/${customerId}/transactions?pageSize=2&page=2`);
    expect(page2.body.items.map((t: { externalReference: string }) => t.externalReference)).toEqual(["INV-01"]);
  });
});

describe("the value view", () => {
  it("gives every change and the closing value of each UTC day over the range", async () => {
    const { manager, customerId } = await setup();
    const realNow = server.deps.now;
    try {
      for (const [at, amount] of [["2026-10-02T09:00:00Z", "10.00"], ["2026-10-04T08:00:00Z", "5.00"], ["2026-10-04T20:00:00Z", "15.00"]] as const) {
        server.deps.now = () => new Date(at);
        await record(manager, customerId, { amount });
      }
    } finally {
      server.deps.now = realNow;
    }
    const value = (await manager.get(`/customers/${customerId}/value?from=2026-10-01T00:00:00Z&to=2026-10-06T00:00:00Z`)).body;
    expect(value.history.changes.map((c: { at: string; lifetimeValue: string }) => [c.at, c.lifetimeValue])).toEqual([
      ["2026-10-02T09:00:00.000Z", "10.00"],
      ["2026-10-04T08:00:00.000Z", "15.00"],
      ["2026-10-04T20:00:00.000Z", "30.00"],
    ]);
    expect(value.history.daily).toEqual([
      { date: "2026-10-01", lifetimeValue: "0.00" },
      { date: "2026-10-02", lifetimeValue: "10.00" },
      { date: "2026-10-03", lifetimeValue: "10.00" },
      { date: "2026-10-04", lifetimeValue: "30.00" },
      { date: "2026-10-05", lifetimeValue: "30.00" },
    ]);
    // A range starting after a change opens at the value it left.
    const later = (await manager.get(`/customers/${customerId}/value?from=2026-10-03T00:00:00Z&to=2026-10-04T00:00:00Z`)).body;
    expect(later.history).toMatchObject({ changes: [], daily: [{ date: "2026-10-03", lifetimeValue: "10.00" }] });
  });

  it("refuses a range that is backwards or longer than 366 days", async () => {
    const { manager, customerId } = await setup();
    const backwards = await manager.get(`/customers/${customerId}/value?from=2026-10-05T00:00:00Z&to=2026-10-01T00:00:00Z`);
    expect(backwards.status).toBe(400);
    expect(backwards.body.errors).toEqual({ from: ["must be before to"] });
    const long = await manager.get(`/customers/${customerId}/value?from=2024-01-01T00:00:00Z&to=2026-10-01T00:00:00Z`);
    expect(long.body.errors).toEqual({ from: ["the range must be at most 366 days"] });
    expect((await manager.get(`/customers/${customerId}/value?from=yesterday`)).status).toBe(400);
  });

  it("refuses transactions for a deactivated customer", async () => {
    const { manager, customerId } = await setup();
    expect((await manager.post(`/customers/${customerId}/deactivate`, { reason: "Closed" })).status).toBe(200);
    const res = await record(manager, customerId);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("CUST-004");
  });
});

describe("currencies", () => {
  it("converts with the rate sent, else the tenant's table, rounding half-up; without either it is a 400", async () => {
    const { tenant, manager, customerId } = await setup();
    const sent = await record(manager, customerId, { currency: "EUR", amount: "10.05", exchangeRate: "1.5" });
    expect(sent.body.transaction).toMatchObject({ amount: "10.05", currency: "EUR", exchangeRate: "1.50000000", baseAmount: "15.08" });
    expect(sent.body.lifetimeValue).toBe("15.08");

    const noRate = await record(manager, customerId, { currency: "GBP", amount: "10.00" });
    expect(noRate.status).toBe(400);
    expect(noRate.body.errors).toEqual({ exchangeRate: ["is required: no rate from GBP to USD is configured in the value settings"] });

    const admin = await server.as("Admin", tenant, "admin");
    expect((await admin.put("/settings/value", { exchangeRates: { GBP: "1.25" } })).status).toBe(200);
    const table = await record(manager, customerId, { currency: "GBP", amount: "10.00" });
    expect(table.status).toBe(201);
    expect(table.body.transaction).toMatchObject({ exchangeRate: "1.25000000", baseAmount: "12.50" });
    expect(table.body.lifetimeValue).toBe("27.58");
  });

  it("rejects bad amounts and codes with field messages, never a 500", async () => {
    const { manager, customerId } = await setup();
    const cases: [Record<string, unknown>, string, string][] = [
      [{ amount: "1.005" }, "amount", "must have at most 2 decimal places"],
      [{ amount: "-5.00" }, "amount", "must not be negative"],
      [{ amount: "ten" }, "amount", "must be a decimal amount like 1234.50"],
      [{ currency: "XYZ" }, "currency", "XYZ is not an ISO 4217 currency code"],
      [{ currency: "EUR", exchangeRate: "0" }, "exchangeRate", "must be positive"],
      [{ exchangeRate: "2" }, "exchangeRate", "must be 1 for the base currency USD"],
      [{ currency: "EUR", amount: "9999999999999999.99", exchangeRate: "2" }, "amount", "converted to USD must be less than 10000000000000000"],
    ];
    for (const [o, field, message] of cases) {
      const res = await record(manager, customerId, o);
      expect(res.status, JSON.stringify(o)).toBe(400);
      expect(res.body.errors[field], JSON.stringify(o)).toContain(message);
    }
    expect((await record(manager, customerId, { amount: 100 })).status).toBe(400);
    expect((await record(manager, customerId, { idempotencyKey: "" })).body.errors.idempotencyKey).toBeDefined();
    expect((await valueOf(manager, customerId)).lifetimeValue).toBe("0.00");
  });
});

describe("segment tiers through the API", () => {
  it("moves Standard → Premium strictly above 10,000.00 and → VIP above 50,000.00, with history and events", async () => {
    const { tenant, manager, customerId } = await setup();
    expect((await record(manager, customerId, { amount: "10000.00" })).body).toMatchObject({ lifetimeValue: "10000.00", segment: "Standard", segmentChange: null });
    const premium = await record(manager, customerId, { amount: "0.01" });
    expect(premium.body).toMatchObject({ lifetimeValue: "10000.01", segment: "Premium", segmentChange: { from: "Standard", to: "Premium", reason: "auto" } });
    expect((await record(manager, customerId, { amount: "39999.99" })).body).toMatchObject({ lifetimeValue: "50000.00", segment: "Premium" });
    expect((await record(manager, customerId, { amount: "0.01" })).body).toMatchObject({ lifetimeValue: "50000.01", segment: "VIP" });
    expect((await record(manager, customerId, { kind: "Refund", amount: "45000.00" })).body).toMatchObject({ lifetimeValue: "5000.01", segment: "Standard" });

    const value = await valueOf(manager, customerId);
    expect(value.segmentHistory.map((h: { from: string; to: string }) => `${h.from}→${h.to}`)).toEqual(["VIP→Standard", "Premium→VIP", "Standard→Premium"]);
    expect((await manager.get(`/customers/${customerId}`)).body.profile.segment).toBe("Standard");
    const events = (await listEventsForAggregate(server.deps.db, tenant, customerId)).map((e) => e.envelope);
    const changed = events.filter((e) => e.type === "CustomerSegmentChanged");
    expect(changed.map((e) => e.data.to)).toEqual(["Premium", "VIP", "Standard"]);
    const profile = events.filter((e) => e.type === "CustomerProfileUpdated" && e.data.segmentChange);
    expect(profile[0]!.data).toMatchObject({ changedFields: { segment: "Premium" }, segmentChange: { from: "Standard", to: "Premium", reason: "auto" } });
  });

  it("follows the tenant's thresholds, and keeps Enterprise customers Corporate", async () => {
    const { tenant, manager, customerId } = await setup();
    const admin = await server.as("Admin", tenant, "admin");
    const put = await admin.put("/settings/value", { lifetimeValueThresholds: { premium: "100", vip: "200.00" } });
    expect(put.status).toBe(200);
    expect(put.body.lifetimeValueThresholds).toEqual({ premium: "100.00", vip: "200.00" });
    expect((await record(manager, customerId, { amount: "100.01" })).body.segment).toBe("Premium");
    const corp = (await manager.post("/customers", customerBody({ type: "Enterprise" }))).body.id as string;
    expect((await record(manager, corp, { amount: "500.00" })).body).toMatchObject({ segment: "Corporate", segmentChange: null });
  });
});

describe("batch", () => {
  it("records each item on its own: an invalid item is rejected alone, repeats are applied once", async () => {
    const { manager, customerId } = await setup();
    const other = (await manager.post("/customers", customerBody())).body.id as string;
    const dup = payment({ amount: "5.00" });
    const res = await manager.post("/transactions/batch", {
      items: [
        { customerId, ...payment({ amount: "10.00" }) },
        { customerId, ...payment({ amount: "1.234" }) },
        { customerId: other, ...dup },
        { customerId: other, ...dup },
        { customerId: "00000000-0000-4000-8000-000000000000", ...payment() },
        { customerId, ...payment({ occurredAt: "yesterday" }) },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ recorded: 2, duplicates: 1, rejected: 3 });
    expect(res.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(["recorded", "rejected", "recorded", "duplicate", "rejected", "rejected"]);
    expect(res.body.results[1].error).toMatchObject({ status: 400, code: "VALIDATION", errors: { amount: ["must have at most 2 decimal places"] } });
    expect(res.body.results[4].error).toMatchObject({ status: 404, code: "CUST-001" });
    expect(res.body.results[5].error.errors).toEqual({ occurredAt: ["must be a date-time"] });
    expect((await valueOf(manager, customerId)).lifetimeValue).toBe("10.00");
    expect((await valueOf(manager, other)).lifetimeValue).toBe("5.00");
    expect((await manager.post("/transactions/batch", { items: [] })).status).toBe(400);
  });
});

describe("access", () => {
  it("needs transaction:record to record and value:read to read; another tenant's customer is 404", async () => {
    const { tenant, manager, customerId } = await setup();
    await record(manager, customerId);
    const sales = await server.as("SalesRep", tenant, "rep");
    expect((await record(sales, customerId)).status).toBe(201);
    for (const role of ["SupportAgent", "Viewer", "MarketingManager"] as const) {
      const api = await server.as(role, tenant);
      expect((await record(api, customerId)).status, role).toBe(403);
      expect((await api.post("/transactions/batch", { items: [{ customerId, ...payment() }] })).status, role).toBe(403);
      expect((await api.get(`/customers/${customerId}/transactions`)).status, role).toBe(200);
      expect((await api.get(`/customers/${customerId}/value`)).status, role).toBe(200);
    }
    const stranger = await server.as("Admin", newTenant());
    expect((await record(stranger, customerId)).status).toBe(404);
    expect((await stranger.get(`/customers/${customerId}/transactions`)).status).toBe(404);
    expect((await stranger.get(`/customers/${customerId}/value`)).status).toBe(404);
    const batch = await stranger.post("/transactions/batch", { items: [{ customerId, ...payment() }] });
    expect(batch.body.results[0].error).toMatchObject({ status: 404, code: "CUST-001" });
    expect((await valueOf(manager, customerId)).lifetimeValue).toBe("200.00");
    expect((await rest(server.url).get(`/customers/${customerId}/value`)).status).toBe(401);
  });
});

describe("value settings", () => {
  it("has the Appendix C defaults; only Admins change them; the whole is validated", async () => {
    const { tenant, manager } = await setup();
    const got = await manager.get("/settings/value");
    expect(got.status).toBe(200);
    expect(got.body).toEqual({
      baseCurrency: "USD",
      lifetimeValueThresholds: { premium: "10000.00", vip: "50000.00" },
      exchangeRates: {},
      loyaltyTiers: [
        { name: "Bronze", minSpend: "0.00" },
        { name: "Silver", minSpend: "1000.00" },
        { name: "Gold", minSpend: "5000.00" },
        { name: "Platinum", minSpend: "20000.00" },
      ],
      inactivityThresholdDays: 180,
      reviewAfterMonths: 24,
    });
    expect((await manager.put("/settings/value", { inactivityThresholdDays: 90 })).status).toBe(403);
    const admin = await server.as("Admin", tenant, "admin");
    const bad = await admin.put("/settings/value", { lifetimeValueThresholds: { premium: "60000.00", vip: "50000.00" } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual({ "lifetimeValueThresholds.vip": ["must be greater than the premium threshold"] });
    expect((await admin.put("/settings/value", { exchangeRates: { EUR: "1.123456789" } })).body.errors["exchangeRates.EUR"]).toEqual(["must have at most 8 decimal places"]);
    const ok = await admin.put("/settings/value", { inactivityThresholdDays: 90, baseCurrency: "EUR" });
    expect(ok.body).toMatchObject({ inactivityThresholdDays: 90, baseCurrency: "EUR", reviewAfterMonths: 24 });
    const audit = await listAudit(server.deps.db, tenant, "Tenant", tenant);
    expect(audit.at(-1)).toMatchObject({ action: "ValueSettingsChanged", changes: { baseCurrency: { from: "USD", to: "EUR" }, inactivityThresholdDays: { from: 180, to: 90 } } });
    // Sending what is already set changes nothing and records nothing.
    expect((await admin.put("/settings/value", { inactivityThresholdDays: 90 })).status).toBe(200);
    expect(await listAudit(server.deps.db, tenant, "Tenant", tenant)).toHaveLength(audit.length);
  });

  it("keeps every field of concurrent PUTs that change different fields", async () => {
    const tenant = newTenant();
    const admin = await server.as("Admin", tenant, "admin");
    const patches = [
      { exchangeRates: { EUR: "1.10000000" } },
      { inactivityThresholdDays: 90 },
      { reviewAfterMonths: 36 },
      { lifetimeValueThresholds: { premium: "20000.00", vip: "60000.00" } },
      { loyaltyTiers: [{ name: "Bronze", minSpend: "0.00" }, { name: "Gold", minSpend: "500.00" }] },
    ];
    const results = await Promise.all(patches.map((p) => admin.put("/settings/value", p)));
    expect(results.map((r) => r.status)).toEqual(patches.map(() => 200));
    const settings = (await admin.get("/settings/value")).body;
    for (const p of patches) expect(settings).toMatchObject(p);
    expect((await listAudit(server.deps.db, tenant, "Tenant", tenant)).filter((a) => a.action === "ValueSettingsChanged")).toHaveLength(patches.length);
  });

  it("refuses to change the base currency once transactions exist (409)", async () => {
    const { tenant, manager, customerId } = await setup();
    await record(manager, customerId);
    const admin = await server.as("Admin", tenant, "admin");
    const res = await admin.put("/settings/value", { baseCurrency: "EUR" });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("TXN-002");
  });
});
