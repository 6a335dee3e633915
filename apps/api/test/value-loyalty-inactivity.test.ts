import { listAudit, listEventsForAggregate, updateRecalculation } from "@clientele/db";
import { createLoyaltyRun, runLoyaltyRecalculation, sweepTenantInactivity } from "@clientele/jobs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBody, eventually, newTenant, rest, startIsolatedTestServer, startTestServer, type Api, type TestServer } from "./harness";
import { startWorker, type WorkerProcess } from "./worker-process";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const DAY = 86_400_000;
/** The jobs' dependencies with a clock of the test's choosing. */
const at = (now: Date) => ({ ...server.deps, now: () => now });

let seq = 0;
const key = () => `k-${++seq}-${Date.now()}`;

async function setup(role: "CustomerManager" | "Admin" = "Admin") {
  const tenant = newTenant();
  const api = rest(server.url, await server.token(role, tenant, "admin-1"));
  const create = async () => (await api.post("/customers", customerBody())).body.id as string;
  return { tenant, api, create };
}

const pay = (api: Api, customerId: string, amount: string, occurredAt: string, kind = "Payment") =>
  api.post(`/customers/${customerId}/transactions`, { kind, category: "Ticket", status: "Paid", amount, currency: "USD", occurredAt, idempotencyKey: key() });

describe("loyalty tiers from the trailing 12 months (003 BR-8)", () => {
  const asOf = new Date("2026-12-01T00:00:00Z");

  it("the monthly run puts each customer in its tier (a threshold reached exactly counts), records history and CustomerLoyaltyTierUpdated", async () => {
    const { tenant, api, create } = await setup();
    const [none, justBelow, exactly, gold, refunded, old] = [await create(), await create(), await create(), await create(), await create(), await create()];
    expect((await pay(api, justBelow, "999.99", "2026-06-01T00:00:00Z")).status).toBe(201);
    await pay(api, exactly, "1000.00", "2026-06-01T00:00:00Z");
    await pay(api, gold, "5000.00", "2025-12-01T00:00:00Z"); // the window's first instant counts
    await pay(api, refunded, "6000.00", "2026-03-01T00:00:00Z");
    await pay(api, refunded, "1500.00", "2026-04-01T00:00:00Z", "Refund");
    await pay(api, old, "50000.00", "2025-11-30T23:59:59Z"); // a second before the window

    const run = await createLoyaltyRun(server.deps.db, tenant, asOf, "system", "2026-12");
    expect(await runLoyaltyRecalculation(at(asOf), { runId: run.id, tenantId: tenant })).toEqual({ processed: 6, changed: 6 });
    const tier = async (id: string) => (await api.get(`/customers/${id}/loyalty`)).body;
    expect((await tier(none)).tier).toBe("Bronze");
    expect((await tier(justBelow)).tier).toBe("Bronze");
    expect((await tier(exactly)).tier).toBe("Silver");
    expect((await tier(gold)).tier).toBe("Gold");
    expect((await tier(refunded)).tier).toBe("Silver");
    expect((await tier(old)).tier).toBe("Bronze");
    expect(await tier(exactly)).toMatchObject({ history: [{ from: null, to: "Silver", spend: "1000.00", runId: run.id }] });
    expect((await api.get(`/customers/${exactly}`)).body.loyaltyTier).toMatchObject({ tier: "Silver" });

    const events = (await listEventsForAggregate(server.deps.db, tenant, gold)).map((e) => e.envelope).filter((e) => e.type === "CustomerLoyaltyTierUpdated");
    expect(events).toEqual([expect.objectContaining({ actor: "system", data: expect.objectContaining({ customerId: gold, from: null, to: "Gold", trailingSpend: "5000.00", runId: run.id }) })]);
    expect((await listAudit(server.deps.db, tenant, "Customer", gold)).filter((a) => a.action === "CustomerLoyaltyTierUpdated")).toHaveLength(1);

    // The run is the month's: triggering it again finds it done and changes nothing.
    const again = await createLoyaltyRun(server.deps.db, tenant, asOf, "system", "2026-12");
    expect(again).toMatchObject({ id: run.id, status: "Completed", processed: 6, changed: 6 });
    // Next month the 5000.00 of 2025-12-01 has left the window: Gold drops to Bronze, only that one changes.
    const next = new Date("2027-01-01T00:00:00Z");
    const jan = await createLoyaltyRun(server.deps.db, tenant, next, "system", "2027-01");
    expect(await runLoyaltyRecalculation(at(next), { runId: jan.id, tenantId: tenant })).toEqual({ processed: 6, changed: 1 });
    expect(await tier(gold)).toMatchObject({ tier: "Bronze", history: [{ from: "Gold", to: "Bronze" }, { from: null, to: "Gold" }] });
  });

  it("uses the tenant's tier names and thresholds", async () => {
    const { tenant, api, create } = await setup();
    const settings = await api.put("/settings/value", { loyaltyTiers: [{ name: "Member", minSpend: "0.00" }, { name: "Patron", minSpend: "250.50" }] });
    expect(settings.status).toBe(200);
    const a = await create();
    const b = await create();
    await pay(api, a, "250.49", "2026-10-01T00:00:00Z");
    await pay(api, b, "250.50", "2026-10-01T00:00:00Z");
    const run = await createLoyaltyRun(server.deps.db, tenant, asOf, "system");
    await runLoyaltyRecalculation(at(asOf), { runId: run.id, tenantId: tenant });
    expect((await api.get(`/customers/${a}/loyalty`)).body.tier).toBe("Member");
    expect((await api.get(`/customers/${b}/loyalty`)).body).toMatchObject({ tier: "Patron", tiers: [{ name: "Member" }, { name: "Patron" }] });
  });

  it("resumes after a crash from its checkpoint: customers before it are not judged again", async () => {
    const { tenant, api, create } = await setup();
    const ids = [await create(), await create(), await create()].sort();
    for (const id of ids) await pay(api, id, "1200.00", "2026-10-01T00:00:00Z");
    const run = await createLoyaltyRun(server.deps.db, tenant, asOf, "system");
    // As if the worker died after committing the chunk that ended at the first customer.
    await updateRecalculation(server.deps.db, run.id, { status: "Running", lastCustomerId: ids[0]!, processed: 1 });
    expect(await runLoyaltyRecalculation(at(asOf), { runId: run.id, tenantId: tenant })).toEqual({ processed: 3, changed: 2 });
    expect((await api.get(`/customers/${ids[0]}/loyalty`)).body.tier).toBeNull();
    expect((await api.get(`/customers/${ids[1]}/loyalty`)).body.tier).toBe("Silver");
    const progress = await api.get(`/loyalty/recalculations/${run.id}`);
    expect(progress.body).toMatchObject({ status: "Completed", processed: 3, changed: 2, trigger: "OnDemand" });
  });

  it("on demand by an Admin through the worker, its progress queryable; 403 for others; another tenant's run is 404", async () => {
    const { tenant, api, create } = await setup();
    const id = await create();
    await pay(api, id, "20000.00", new Date(Date.now() - 30 * DAY).toISOString());
    const manager = rest(server.url, await server.token("CustomerManager", tenant));
    expect((await manager.post("/loyalty/recalculate")).status).toBe(403);
    const worker: WorkerProcess = await startWorker();
    try {
      const started = await api.post("/loyalty/recalculate");
      expect(started.status).toBe(201);
      expect(started.body).toMatchObject({ status: "Queued", trigger: "OnDemand", createdBy: "admin-1" });
      const done = await eventually(
        async () => (await api.get(`/loyalty/recalculations/${started.body.runId}`)).body,
        (r) => r.status === "Completed",
        20_000,
        () => worker.output(),
      );
      expect(done).toMatchObject({ total: 1, processed: 1, changed: 1 });
      expect((await api.get(`/customers/${id}`)).body.loyaltyTier).toMatchObject({ tier: "Platinum" });
    } finally {
      await worker.stop();
    }
    const stranger = rest(server.url, await server.token("Admin", newTenant()));
    expect((await stranger.get(`/loyalty/recalculations/${(await api.post("/loyalty/recalculate")).body.runId}`)).body.code).toBe("LOYALTY-001");
    expect((await stranger.get(`/customers/${id}/loyalty`)).status).toBe(404);
  }, 60_000);
});

describe("the monthly trigger, scheduled by the worker", () => {
  it("makes one run per tenant for the month and the worker applies them, a second trigger in the month makes none; the daily inactivity job flags", async () => {
    // A database of its own: the trigger runs over every tenant there is.
    const own = await startIsolatedTestServer("loyalty_monthly");
    try {
      const tiers: Record<string, string> = {};
      const quietTenant = newTenant();
      const quiet = rest(own.url, await own.token("CustomerManager", quietTenant));
      const quietId = (await quiet.post("/customers", customerBody())).body.id as string;
      // Its last activity years ago: the daily job, on the real clock, flags it for review.
      await quiet.post(`/customers/${quietId}/attendance`, { eventRef: "old", status: "Attended", occurredAt: "2020-01-01T00:00:00Z", idempotencyKey: "old-1" });
      for (const amount of ["1000.00", "25000.00"]) {
        const tenant = newTenant();
        const api = rest(own.url, await own.token("Admin", tenant));
        const id = (await api.post("/customers", customerBody())).body.id as string;
        expect((await pay(api, id, amount, new Date(Date.now() - 10 * DAY).toISOString())).status).toBe(201);
        tiers[tenant] = id;
      }
      const worker = await startWorker({ ...own.env, LOYALTY_CRON: "* * * * * *", INACTIVITY_CRON: "* * * * * *" });
      try {
        const runs = await eventually(
          () => own.deps.db.selectFrom("valueRecalculations").selectAll().execute(),
          (rs) => rs.length === 3 && rs.every((r) => r.status === "Completed"),
          20_000,
          () => worker.output(),
        );
        const period = new Date().toISOString().slice(0, 7);
        expect(runs.map((r) => r.period)).toEqual([period, period, period]);
        const review = await eventually(() => quiet.get("/customers/review"), (r) => r.body.totalCount === 1, 20_000, () => worker.output());
        expect(review.body.items[0]).toMatchObject({ customerId: quietId, flag: "Review", lastActivityAt: "2020-01-01T00:00:00.000Z" });
        const [a, b] = Object.entries(tiers);
        expect((await rest(own.url, await own.token("Viewer", a![0])).get(`/customers/${a![1]}/loyalty`)).body.tier).toBe("Silver");
        expect((await rest(own.url, await own.token("Viewer", b![0])).get(`/customers/${b![1]}/loyalty`)).body.tier).toBe("Platinum");
        // The trigger keeps firing every second: still one run per tenant for the month.
        await new Promise((r) => setTimeout(r, 1500));
        expect(await own.deps.db.selectFrom("valueRecalculations").selectAll().execute()).toHaveLength(3);
      } finally {
        await worker.stop();
      }
    } finally {
      await own.close();
    }
  }, 60_000);
});

describe("inactivity flags (003 BR-6, Appendix C)", () => {
  async function customerActiveAt(api: Api, when: Date) {
    const id = (await api.post("/customers", customerBody())).body.id as string;
    // Attending an event is activity at its own time.
    const res = await api.post(`/customers/${id}/attendance`, { eventRef: `e-${key()}`, status: "Attended", occurredAt: when.toISOString(), idempotencyKey: key() });
    expect(res.status).toBe(201);
    return id;
  }

  it("179 days is not flagged, 180 days is InactiveRisk, over 24 months Review; the review list says why, paged, filtered", async () => {
    const { tenant, api } = await setup("CustomerManager");
    // Activity dates in the past: a future-dated attendance counts as activity as of the API's now.
    const now = new Date();
    const d179 = await customerActiveAt(api, new Date(now.getTime() - 179 * DAY));
    const d180 = await customerActiveAt(api, new Date(now.getTime() - 180 * DAY));
    const months24 = new Date(now);
    months24.setUTCMonth(months24.getUTCMonth() - 24);
    const exactly24 = await customerActiveAt(api, months24);
    const over24 = await customerActiveAt(api, new Date(months24.getTime() - 1000));

    expect(await sweepTenantInactivity(at(now), tenant, now)).toEqual({ flagged: 3, cleared: 0 });
    const flagOf = async (id: string) => (await api.get(`/customers/${id}`)).body.inactivity;
    expect(await flagOf(d179)).toBeNull();
    expect(await flagOf(d180)).toMatchObject({ flag: "InactiveRisk", since: now.toISOString() });
    expect(await flagOf(exactly24)).toMatchObject({ flag: "InactiveRisk" });
    expect(await flagOf(over24)).toMatchObject({ flag: "Review" });

    const list = await api.get("/customers/review?pageSize=2");
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ totalCount: 3, totalPages: 2, page: 1 });
    expect(list.body.items.map((i: { customerId: string }) => i.customerId)).toEqual([over24, exactly24]);
    expect(list.body.items[0]).toMatchObject({ flag: "Review", hadActivity: true, reason: expect.stringMatching(/^no activity for \d+ days: inactive for over 24 months, to review$/) });
    expect((await api.get("/customers/review?page=2&pageSize=2")).body.items.map((i: { customerId: string }) => i.customerId)).toEqual([d180]);
    expect((await api.get("/customers/review?flag=Review")).body.items.map((i: { customerId: string }) => i.customerId)).toEqual([over24]);
    expect((await api.get("/customers/review?flag=Sleeping")).status).toBe(400);

    const events = (await listEventsForAggregate(server.deps.db, tenant, d180)).map((e) => e.envelope).filter((e) => e.type === "CustomerInactivityFlagged");
    expect(events).toEqual([expect.objectContaining({ data: expect.objectContaining({ customerId: d180, flag: "InactiveRisk" }) })]);
    // A second sweep the same day raises nothing new.
    expect(await sweepTenantInactivity(at(now), tenant, now)).toEqual({ flagged: 0, cleared: 0 });
    // 24 months later the InactiveRisk customer is up for review.
    const later = new Date(now.getTime() + 2 * 365 * DAY);
    await sweepTenantInactivity(at(later), tenant, later);
    expect(await flagOf(d180)).toMatchObject({ flag: "Review" });
    const audit = (await listAudit(server.deps.db, tenant, "Customer", d180)).filter((a) => a.action === "CustomerInactivityFlagged");
    expect(audit.map((a) => a.changes)).toEqual([{ inactivity: { from: null, to: "InactiveRisk" } }, { inactivity: { from: "InactiveRisk", to: "Review" } }]);
  });

  it("a customer that never had activity counts from its creation", async () => {
    const { tenant, api } = await setup("CustomerManager");
    const id = (await api.post("/customers", customerBody())).body.id as string;
    const now = new Date(Date.now() + 200 * DAY);
    await sweepTenantInactivity(at(now), tenant, now);
    expect((await api.get(`/customers/${id}`)).body.inactivity).toMatchObject({ flag: "InactiveRisk" });
    expect((await api.get("/customers/review")).body.items[0]).toMatchObject({ customerId: id, hadActivity: false, reason: expect.stringContaining("since the customer was created") });
  });

  it("new activity clears the flag: a complaint, an attendance; an older backdated one does not", async () => {
    const { tenant, api } = await setup("CustomerManager");
    const now = new Date(Date.now() + 400 * DAY);
    const a = (await api.post("/customers", customerBody())).body.id as string;
    const b = (await api.post("/customers", customerBody())).body.id as string;
    await sweepTenantInactivity(at(now), tenant, now);
    expect((await api.get("/customers/review")).body.totalCount).toBe(2);
    // Read once, so the flag is in the customer's cached copy too.
    expect((await api.get(`/customers/${a}`)).body.inactivity).not.toBeNull();

    // A backdated attendance from before the last activity the flag was raised on clears nothing.
    await api.post(`/customers/${b}/attendance`, { eventRef: "old", status: "Attended", occurredAt: "2020-01-01T00:00:00Z", idempotencyKey: key() });
    expect((await api.get(`/customers/${b}`)).body.inactivity).not.toBeNull();

    expect((await api.post(`/customers/${a}/complaints`, { subject: "Still waiting", description: "No answer yet.", priority: "Low" })).status).toBe(201);
    expect((await api.get(`/customers/${a}`)).body.inactivity).toBeNull();
    await api.post(`/customers/${b}/attendance`, { eventRef: "new", status: "Attended", occurredAt: new Date().toISOString(), idempotencyKey: key() });
    expect((await api.get(`/customers/${b}`)).body.inactivity).toBeNull();
    expect((await api.get("/customers/review")).body).toMatchObject({ totalCount: 0, items: [] });
  });

  it("a raised threshold clears flags that no longer hold", async () => {
    const { tenant, api } = await setup();
    const id = (await api.post("/customers", customerBody())).body.id as string;
    const now = new Date(Date.now() + 200 * DAY);
    await sweepTenantInactivity(at(now), tenant, now);
    expect((await api.put("/settings/value", { inactivityThresholdDays: 365 })).status).toBe(200);
    expect(await sweepTenantInactivity(at(now), tenant, now)).toEqual({ flagged: 0, cleared: 1 });
    expect((await api.get(`/customers/${id}`)).body.inactivity).toBeNull();
    const audit = (await listAudit(server.deps.db, tenant, "Customer", id)).filter((a) => a.action.startsWith("CustomerInactivity"));
    expect(audit.map((a) => [a.action, a.actorId])).toEqual([
      ["CustomerInactivityFlagged", "system"],
      ["CustomerInactivityCleared", "system"],
    ]);
  });

  it("tenant isolation and privileges: another tenant sees none of the flags; no token is 401", async () => {
    const { tenant, api } = await setup("CustomerManager");
    await api.post("/customers", customerBody());
    const now = new Date(Date.now() + 200 * DAY);
    await sweepTenantInactivity(at(now), tenant, now);
    const other = rest(server.url, await server.token("Viewer", newTenant()));
    expect((await other.get("/customers/review")).body).toMatchObject({ totalCount: 0 });
    expect((await rest(server.url, await server.token("Viewer", tenant)).get("/customers/review")).body.totalCount).toBe(1);
    expect((await rest(server.url).get("/customers/review")).status).toBe(401);
  });
});
