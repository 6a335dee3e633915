import { ledgerDriftInRange, listAudit, listEventsForAggregate } from "@clientele/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBody, newTenant, startTestServer, type Api, type TestServer } from "./harness";

// Issue 10 §4 × issue 12: a merge carries the source's value ledger (transactions, attendance) to
// the target, recomputes both parties' lifetime value, totalEvents, segment and rating, and an undo
// moves exactly those rows back and recomputes both again.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

async function setup() {
  const tenant = newTenant();
  const api = await server.as("CustomerManager", tenant, "merger-v");
  const create = async (name: string) => {
    const res = await api.post("/customers", customerBody({ companyName: name }));
    expect(res.status).toBe(201);
    return res.body as { id: string; customerNumber: string };
  };
  return { tenant, api, create };
}

let keys = 0;
const key = () => `mv-${++keys}-${Math.random().toString(36).slice(2, 8)}`;
const pay = (api: Api, customerId: string, o: Record<string, unknown>) =>
  api.post(`/customers/${customerId}/transactions`, { kind: "Payment", category: "Invoice", status: "Paid", currency: "USD", occurredAt: "2026-11-20T10:00:00Z", idempotencyKey: key(), ...o });
const attend = (api: Api, customerId: string, eventRef: string) =>
  api.post(`/customers/${customerId}/attendance`, { eventRef, eventName: `Event ${eventRef}`, status: "Attended", occurredAt: "2026-11-21T18:00:00Z", idempotencyKey: key() });

async function expectRecorded(res: Promise<{ status: number; body: any }>) {
  const r = await res;
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

/** The stored figures, read from the row (a merged source answers 404 through the API). */
const figures = (tenant: string, id: string) =>
  server.deps.db.selectFrom("customers").select(["lifetimeValue", "totalEvents", "segment", "version"]).where("tenantId", "=", tenant).where("id", "=", id).executeTakeFirstOrThrow();
const ledgerOf = async (tenant: string, id: string) =>
  (await server.deps.db.selectFrom("customerTransactions").select("id").where("tenantId", "=", tenant).where("customerId", "=", id).orderBy("id").execute()).map((r) => r.id);
const attendanceOf = async (tenant: string, id: string) =>
  (await server.deps.db.selectFrom("customerAttendance").select("id").where("tenantId", "=", tenant).where("customerId", "=", id).orderBy("id").execute()).map((r) => r.id);
const ltvHistory = (tenant: string, id: string) =>
  server.deps.db.selectFrom("customerLtvHistory").select(["lifetimeValue", "delta", "transactionId"]).where("tenantId", "=", tenant).where("customerId", "=", id).orderBy("id").execute();
/** The nightly LTV check over the whole table, this tenant's findings: none means every stored value equals its ledger. */
const drifts = async (tenant: string) => (await ledgerDriftInRange(server.deps.db, "", null)).drifts.filter((d) => d.tenantId === tenant);

/** Target: 6,500.00 paid, 500.00 refunded (6,000.00), one event. Source: 5,100.01 paid, 100.00 refunded, a failed payment (5,000.01), two events. */
async function parties() {
  const s = await setup();
  const source = await s.create("Ledger Source Ltd");
  const target = await s.create("Ledger Target Ltd");
  await expectRecorded(pay(s.api, target.id, { amount: "6500.00" }));
  await expectRecorded(pay(s.api, target.id, { kind: "Refund", amount: "500.00" }));
  await expectRecorded(attend(s.api, target.id, "evt-1"));
  await expectRecorded(pay(s.api, source.id, { amount: "5100.01" }));
  await expectRecorded(pay(s.api, source.id, { kind: "Refund", amount: "100.00" }));
  await expectRecorded(pay(s.api, source.id, { status: "Failed", amount: "999.99" }));
  await expectRecorded(attend(s.api, source.id, "evt-2"));
  await expectRecorded(attend(s.api, source.id, "evt-3"));
  expect(await figures(s.tenant, target.id)).toMatchObject({ lifetimeValue: "6000.00", totalEvents: 1, segment: "Standard" });
  expect(await figures(s.tenant, source.id)).toMatchObject({ lifetimeValue: "5000.01", totalEvents: 2, segment: "Standard" });
  return { ...s, source, target, sourceLedger: await ledgerOf(s.tenant, source.id), sourceAttendance: await attendanceOf(s.tenant, source.id) };
}

describe("a merge carries the value ledger", () => {
  it("moves the source's transactions and attendance; the target's LTV is the exact sum, totalEvents summed, the tier crosses to Premium, with history, audit and events", async () => {
    const { tenant, api, source, target, sourceLedger, sourceAttendance } = await parties();
    // Read first, so the target is cached: the merge must replace that copy.
    expect((await api.get(`/customers/${target.id}`)).body.profile.segment).toBe("Standard");

    const res = await api.post("/customers/merge", { sourceCustomerId: source.id, targetCustomerId: target.id });
    expect(res.status).toBe(200);
    expect(res.body.moved.transactions.slice().sort()).toEqual(sourceLedger);
    expect(res.body.moved.attendance.slice().sort()).toEqual(sourceAttendance);
    expect(res.body.target.profile).toMatchObject({ segment: "Premium", totalEvents: 3 });

    expect(await ledgerOf(tenant, source.id)).toEqual([]);
    expect(await attendanceOf(tenant, source.id)).toEqual([]);
    expect(await figures(tenant, source.id)).toMatchObject({ lifetimeValue: "0.00", totalEvents: 0, segment: "Standard" });
    const value = (await api.get(`/customers/${target.id}/value`)).body;
    expect(value).toMatchObject({ lifetimeValue: "11000.01", totalEvents: 3, segment: "Premium", ruleSegment: "Premium" });
    expect(value.history.changes.at(-1)).toMatchObject({ lifetimeValue: "11000.01", delta: "5000.01", transactionId: null });
    expect(value.segmentHistory[0]).toMatchObject({ from: "Standard", to: "Premium", reason: "auto", changedBy: "merger-v", note: `Merged from ${source.customerNumber} (merge ${res.body.mergeId})` });
    expect((await api.get(`/customers/${target.id}`)).body.profile).toMatchObject({ segment: "Premium", totalEvents: 3 });
    // The source's history stays; its drop to zero is its last point.
    expect((await ltvHistory(tenant, source.id)).map((h) => [h.lifetimeValue, h.delta])).toEqual([
      ["5100.01", "5100.01"],
      ["5000.01", "-100.00"],
      ["0.00", "-5000.01"],
    ]);
    // The nightly check agrees with both stored values.
    expect(await drifts(tenant)).toEqual([]);

    const audit = (await listAudit(server.deps.db, tenant, "Customer", target.id)).filter((a) => a.action === "CustomerMerged");
    expect(audit[0]!.changes).toMatchObject({
      lifetimeValue: { from: "6000.00", to: "11000.01" },
      totalEvents: { from: 1, to: 3 },
      segment: { from: "Standard", to: "Premium" },
      movedCounts: { to: { transactions: 3, attendance: 2 } },
    });
    const events = (await listEventsForAggregate(server.deps.db, tenant, target.id)).map((e) => e.envelope);
    expect(events.find((e) => e.type === "CustomerMerged")!.data).toMatchObject({ movedCounts: { transactions: 3, attendance: 2 } });
    expect(events.find((e) => e.type === "CustomerSegmentChanged" && e.data.to === "Premium")!.data).toMatchObject({ from: "Standard", reason: "auto", lifetimeValue: "11000.01" });

    // The rating counts the moved payments (2 + 1: the failed one too) and events.
    const rating = (await api.get(`/customers/${target.id}/rating`)).body;
    expect(rating.decision.factors).toMatchObject({ paymentsTotal: 3, failedPayments: 1, eventsAttended: 3 });
  });

  it("undo moves exactly those rows back and restores both customers' figures exactly", async () => {
    const { tenant, api, source, target, sourceLedger, sourceAttendance } = await parties();
    const { body: m } = await api.post("/customers/merge", { sourceCustomerId: source.id, targetCustomerId: target.id });
    // A payment to the merged customer after the merge stays with it through the undo.
    const later = await expectRecorded(pay(api, target.id, { amount: "10.00" }));
    expect(later.lifetimeValue).toBe("11010.01");

    const res = await api.post(`/customers/merges/${m.mergeId}/undo`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.source.profile).toMatchObject({ segment: "Standard", totalEvents: 2 });
    expect(res.body.target.profile).toMatchObject({ segment: "Standard", totalEvents: 1 });
    expect(await ledgerOf(tenant, source.id)).toEqual(sourceLedger);
    expect(await attendanceOf(tenant, source.id)).toEqual(sourceAttendance);
    expect(await figures(tenant, source.id)).toMatchObject({ lifetimeValue: "5000.01", totalEvents: 2, segment: "Standard" });
    expect(await figures(tenant, target.id)).toMatchObject({ lifetimeValue: "6010.00", totalEvents: 1, segment: "Standard" });
    expect((await api.get(`/customers/${source.id}/value`)).body).toMatchObject({ lifetimeValue: "5000.01", totalEvents: 2 });
    const targetValue = (await api.get(`/customers/${target.id}/value`)).body;
    expect(targetValue.history.changes.at(-1)).toMatchObject({ lifetimeValue: "6010.00", delta: "-5000.01", transactionId: null });
    expect(targetValue.segmentHistory[0]).toMatchObject({ from: "Premium", to: "Standard", reason: "auto", note: `Merge ${m.mergeId} of ${source.customerNumber} undone` });
    expect(await drifts(tenant)).toEqual([]);
    expect((await api.get(`/customers/${source.id}/rating`)).body.decision.factors).toMatchObject({ paymentsTotal: 2, failedPayments: 1, eventsAttended: 2 });
    expect((await api.get(`/customers/${target.id}/rating`)).body.decision.factors).toMatchObject({ paymentsTotal: 2, failedPayments: 0, eventsAttended: 1 });
    const undone = (await listAudit(server.deps.db, tenant, "Customer", target.id)).filter((a) => a.action === "CustomerMergeUndone");
    expect(undone[0]!.changes).toMatchObject({ lifetimeValue: { from: "11010.01", to: "6010.00" }, movedBackCounts: { to: { transactions: 3, attendance: 2 } } });
  });

  it("refuses an undo (409 MERGE-006) when a moved transaction is gone, and moves nothing back", async () => {
    const { tenant, api, source, target, sourceLedger } = await parties();
    const { body: m } = await api.post("/customers/merge", { sourceCustomerId: source.id, targetCustomerId: target.id });
    // Erasure is the one way a ledger row leaves; here by hand.
    await server.deps.db.deleteFrom("customerTransactions").where("id", "=", sourceLedger[0]!).execute();
    const res = await api.post(`/customers/merges/${m.mergeId}/undo`);
    expect([res.status, res.body.code]).toEqual([409, "MERGE-006"]);
    expect(res.body.detail).toContain(`transaction ${sourceLedger[0]} (deleted)`);
    expect(await ledgerOf(tenant, source.id)).toEqual([]);
    expect((await figures(tenant, target.id)).lifetimeValue).toBe("11000.01");
  });

  it("keeps a segment override on the target: the value moves, the tier does not", async () => {
    const { tenant, api, source, target } = await parties();
    const set = await api.put(`/customers/${target.id}/segment-override`, { segment: "Standard", reason: "Reseller terms" });
    expect(set.status).toBe(200);
    const res = await api.post("/customers/merge", { sourceCustomerId: source.id, targetCustomerId: target.id });
    expect(res.status).toBe(200);
    const value = (await api.get(`/customers/${target.id}/value`)).body;
    expect(value).toMatchObject({ lifetimeValue: "11000.01", segment: "Standard", ruleSegment: "Premium", segmentOverride: { segment: "Standard" } });
    expect(value.segmentHistory.filter((h: { reason: string }) => h.reason === "auto")).toEqual([]);
    expect(await drifts(tenant)).toEqual([]);
  });

  it("a payment to the merged source is refused (404 mergedInto) and changes nothing; its key stays unique on the target", async () => {
    const { tenant, api, source, target } = await parties();
    const key1 = "mv-replayed-key";
    await expectRecorded(pay(api, source.id, { amount: "1.00", idempotencyKey: key1 }));
    expect((await api.post("/customers/merge", { sourceCustomerId: source.id, targetCustomerId: target.id })).status).toBe(200);
    const late = await pay(api, source.id, { amount: "2.00" });
    expect([late.status, late.body.code, late.body.mergedInto]).toEqual([404, "CUST-001", target.id]);
    // The moved row keeps its key: the same key on the target is that row's, with other content a 409.
    const reuse = await pay(api, target.id, { amount: "1.00", idempotencyKey: key1 });
    expect([reuse.status, reuse.body.code]).toEqual([409, "TXN-001"]);
    expect((await figures(tenant, target.id)).lifetimeValue).toBe("11001.01");
    expect(await drifts(tenant)).toEqual([]);
  });
});

describe("payments and attendance racing a merge", () => {
  it("land on the target (moved with the merge) or are refused; none is lost or left on the source, and the LTV is exact", async () => {
    const { tenant, api, create } = await setup();
    let landed = 0;
    let refused = 0;
    const later = (ms: number) => new Promise((r) => setTimeout(r, ms));
    for (let round = 0; round < 8; round++) {
      const source = await create(`Race Ledger Source ${round}`);
      const target = await create(`Race Ledger Target ${round}`);
      await expectRecorded(pay(api, target.id, { amount: "100.00" }));
      const sends = Array.from({ length: 8 }, (_, n) =>
        later(n * 4).then(async () => ({
          kind: n % 4 === 3 ? ("attendance" as const) : ("transactions" as const),
          amount: `${n + 1}.01`,
          res: n % 4 === 3 ? await attend(api, source.id, `race-${round}-${n}`) : await pay(api, source.id, { amount: `${n + 1}.01` }),
        })),
      );
      const merging = later(6 + (round % 4) * 5).then(() => api.post("/customers/merge", { sourceCustomerId: source.id, targetCustomerId: target.id }));
      const [mergeRes, ...results] = await Promise.all([merging, ...sends]);
      expect(mergeRes.status).toBe(200);

      let expected = 10_000n; // the target's own 100.00, in cents
      let events = 0;
      for (const { kind, amount, res } of results) {
        if (res.status === 201) {
          landed++;
          const id = (kind === "transactions" ? res.body.transaction.id : res.body.attendance.id) as string;
          expect(mergeRes.body.moved[kind], `${kind} ${id}`).toContain(id);
          if (kind === "transactions") expected += BigInt(amount.replace(".", ""));
          else events++;
        } else {
          refused++;
          // Checked before its transaction, a request names the target; attendance waiting on the merge's lock finds its customer gone (plain 404).
          if (res.status === 404) expect(res.body).toMatchObject(kind === "transactions" || res.body.mergedInto ? { code: "CUST-001", mergedInto: target.id } : { code: "CUST-001" });
          else expect([res.status, res.body.code], JSON.stringify(res.body)).toEqual([400, "CUST-004"]);
        }
      }
      expect(await ledgerOf(tenant, source.id), "transactions left on the source").toEqual([]);
      expect(await attendanceOf(tenant, source.id), "attendance left on the source").toEqual([]);
      const t = await figures(tenant, target.id);
      expect(t.lifetimeValue).toBe(`${expected / 100n}.${String(expected % 100n).padStart(2, "0")}`);
      expect(t.totalEvents).toBe(events);
    }
    expect(await drifts(tenant)).toEqual([]);
    // The rounds really raced: some got in before the merge, some came after it.
    expect(landed).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  }, 120_000);
});
