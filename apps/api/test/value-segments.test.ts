import { listAudit, listEventsForAggregate } from "@clientele/db";
import { runLtvCheck, runSegmentDigest, runSegmentRecalculation } from "@clientele/jobs";
import { createEmailSender } from "@clientele/messaging";
import { createLogger } from "@clientele/telemetry";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startComms, type Comms } from "./comms-harness";
import { startSmtpServer } from "@clientele/test-doubles";
import { customerBody, eventually, newTenant, rest, startIsolatedTestServer, type Api, type TestServer } from "./harness";
import { startWorker } from "./worker-process";

let c: Comms;
beforeAll(async () => {
  c = await startComms();
});
afterAll(() => c.close());

let keys = 0;
const pay = (api: Api, customerId: string, amount: string, kind = "Payment") =>
  api.post(`/customers/${customerId}/transactions`, { kind, amount, currency: "USD", occurredAt: "2026-12-01T10:00:00Z", idempotencyKey: `seg-${++keys}-${Date.now()}` });

async function setup(server: TestServer = c.server) {
  const tenant = newTenant();
  const manager = await server.as("CustomerManager", tenant, "boss");
  const customerId = (await manager.post("/customers", customerBody())).body.id as string;
  return { tenant, manager, customerId };
}

describe("segment override", () => {
  it("needs a reason, holds against the tier rule until cleared, with history, audit and events", async () => {
    const { tenant, manager, customerId } = await setup();
    const url = `/customers/${customerId}/segment-override`;
    const missing = await manager.put(url, { segment: "VIP" });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual({ reason: ["is required"] });
    expect((await manager.put(url, { segment: "VIP", reason: "   " })).body.errors).toEqual({ reason: ["is required"] });
    expect((await manager.put(url, { segment: "Gold", reason: "x" })).status).toBe(400);

    const set = await manager.put(url, { segment: "VIP", reason: "Board member's company" });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ segment: "VIP", ruleSegment: "Standard", segmentOverride: { segment: "VIP", reason: "Board member's company", by: "boss" } });
    expect((await manager.get(`/customers/${customerId}`)).body.profile).toMatchObject({ segment: "VIP", segmentOverride: { segment: "VIP", reason: "Board member's company", by: "boss" } });

    // The rule would make it Premium: the override holds.
    expect((await pay(manager, customerId, "20000.00")).body).toMatchObject({ segment: "VIP", segmentChange: null });

    const cleared = await manager.del(url);
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ segment: "Premium", segmentOverride: null, ruleSegment: "Premium" });
    expect((await manager.get(`/customers/${customerId}`)).body.profile).toMatchObject({ segment: "Premium", segmentOverride: null });
    // Clearing again changes nothing.
    expect((await manager.del(url)).body).toMatchObject({ segment: "Premium", segmentOverride: null });

    expect(cleared.body.segmentHistory.map((h: { from: string; to: string; reason: string; note: string | null }) => [h.from, h.to, h.reason, h.note])).toEqual([
      ["VIP", "Premium", "cleared", null],
      ["Standard", "VIP", "override", "Board member's company"],
    ]);
    const audit = (await listAudit(c.server.deps.db, tenant, "Customer", customerId)).map((a) => a.action);
    expect(audit).toEqual(expect.arrayContaining(["CustomerSegmentOverridden", "CustomerSegmentOverrideCleared"]));
    const events = (await listEventsForAggregate(c.server.deps.db, tenant, customerId)).map((e) => e.envelope);
    expect(events.filter((e) => e.type === "CustomerSegmentChanged").map((e) => [e.data.from, e.data.to, e.data.reason])).toEqual([
      ["Standard", "VIP", "override"],
      ["VIP", "Premium", "cleared"],
    ]);
    expect(events.find((e) => e.type === "CustomerProfileUpdated" && e.data.segmentChange)!.data).toMatchObject({
      changedFields: { segment: "VIP", segmentOverride: { segment: "VIP" } },
      segmentChange: { from: "Standard", to: "VIP", reason: "override" },
    });
  });

  it("a clear racing a threshold change waits for it and re-tiers with the new thresholds", async () => {
    const { tenant, manager, customerId } = await setup();
    const url = `/customers/${customerId}/segment-override`;
    expect((await manager.put(url, { segment: "VIP", reason: "Board member's company" })).status).toBe(200);
    expect((await pay(manager, customerId, "20000.00")).status).toBe(201);
    const { sql } = await import("kysely");
    let cleared: Promise<{ status: number; body: any }> | undefined;
    // A settings change holding the tenant row: the clear must not re-tier with what it replaces.
    await c.server.deps.db.transaction().execute(async (trx) => {
      await sql`SELECT id FROM tenants WHERE id = ${tenant} FOR UPDATE`.execute(trx);
      const value = { lifetimeValueThresholds: { premium: "30000.00", vip: "50000.00" } };
      await sql`UPDATE tenants SET settings = JSON_SET(settings, '$.value', JSON_EXTRACT(${JSON.stringify(value)}, '$')) WHERE id = ${tenant}`.execute(trx);
      cleared = manager.del(url);
      await new Promise((r) => setTimeout(r, 400));
    });
    expect((await cleared!).body).toMatchObject({ segment: "Standard", segmentOverride: null });
  });

  it("refuses a stale version (409), other roles (403) and another tenant's customer (404)", async () => {
    const { tenant, manager, customerId } = await setup();
    const url = `/customers/${customerId}/segment-override`;
    const version = (await manager.get(`/customers/${customerId}`)).body.version as number;
    expect((await manager.put(url, { segment: "Premium", reason: "r", version: version + 1 })).status).toBe(409);
    expect((await manager.put(url, { segment: "Premium", reason: "r", version })).status).toBe(200);
    for (const role of ["SalesRep", "SupportAgent", "Viewer", "MarketingManager"] as const) {
      const api = await c.server.as(role, tenant);
      expect((await api.put(url, { segment: "VIP", reason: "r" })).status, role).toBe(403);
      expect((await api.del(url)).status, role).toBe(403);
    }
    const admin = await c.server.as("Admin", tenant);
    expect((await admin.del(url)).body.segmentOverride).toBeNull();
    const stranger = await c.server.as("Admin", newTenant());
    expect((await stranger.put(url, { segment: "VIP", reason: "r" })).status).toBe(404);
    expect((await stranger.del(url)).status).toBe(404);
  });
});

describe("threshold changes", () => {
  it("re-tier the tenant's customers in the worker, leaving overrides alone, and a rerun changes nothing", async () => {
    const { tenant, manager, customerId } = await setup();
    const create = async (o: Record<string, unknown> = {}) => (await manager.post("/customers", customerBody(o))).body.id as string;
    const [pinned, corporate, small] = [await create(), await create({ type: "Enterprise" }), await create()];
    for (const id of [customerId, pinned, corporate]) await pay(manager, id, "150.00");
    await pay(manager, small, "50.00");
    await manager.put(`/customers/${pinned}/segment-override`, { segment: "Premium", reason: "Pinned by hand" });
    const admin = await c.server.as("Admin", tenant, "admin");
    expect((await admin.put("/settings/value", { lifetimeValueThresholds: { premium: "100.00", vip: "120.00" } })).status).toBe(200);

    const segmentOf = async (id: string) => (await manager.get(`/customers/${id}/value`)).body.segment as string;
    expect(await eventually(() => segmentOf(customerId), (s) => s === "VIP", 15_000)).toBe("VIP");
    expect(await Promise.all([pinned, corporate, small].map(segmentOf))).toEqual(["Premium", "Corporate", "Standard"]);
    const history = (await manager.get(`/customers/${customerId}/value`)).body.segmentHistory;
    expect(history[0]).toMatchObject({ from: "Standard", to: "VIP", reason: "auto", note: "thresholds changed", changedBy: "system:segment-thresholds" });
    const events = (await listEventsForAggregate(c.server.deps.db, tenant, customerId)).map((e) => e.envelope);
    expect(events.filter((e) => e.type === "CustomerSegmentChanged").map((e) => e.data.to)).toEqual(["VIP"]);

    const resumedFrom: string[] = [];
    const again = await runSegmentRecalculation(c.server.deps, { tenantId: tenant, requestedAt: new Date().toISOString() }, { chunkSize: 1, onChunk: async (after) => void resumedFrom.push(after) });
    expect(again).toEqual({ checked: 3, changed: 0 });
    expect(resumedFrom).toEqual([customerId, corporate, small].sort());
  });
});

describe("daily segment digest", () => {
  it("mails yesterday's segment changes to the tenant's Marketing and Sales users, once", async () => {
    const { tenant, manager, customerId } = await setup();
    // Signing in puts a user's email on file; the Viewer is not a recipient.
    for (const [userId, role] of [["mm", "MarketingManager"], ["rep", "SalesRep"], ["viewer", "Viewer"]] as const) {
      const token = await c.server.signToken({ tenantId: tenant, userId, roles: [role], email: `${userId}.${tenant}@acme.example` });
      expect((await rest(c.server.url, token).get(`/customers/${customerId}`)).status).toBe(200);
    }
    // A day of its own far from today, so no other test's changes fall on it.
    const day = "2031-05-09";
    const realNow = c.server.deps.now;
    try {
      c.server.deps.now = () => new Date(`${day}T12:00:00Z`);
      await pay(manager, customerId, "10000.01");
      await manager.put(`/customers/${customerId}/segment-override`, { segment: "VIP", reason: "Strategic account" });
    } finally {
      c.server.deps.now = realNow;
    }
    const email = createEmailSender({ smtpUrl: c.smtp.url, from: "crm@acme.example" });
    try {
      const deps = { ...c.server.deps, email, sms: undefined as never, organizer: { name: "x", email: "crm@acme.example" }, now: () => new Date("2031-05-10T07:00:00Z") };
      expect(await runSegmentDigest(deps)).toMatchObject({ day, sent: 1, changes: 2 });
      // Run again (a retry, another worker): nothing is sent twice.
      expect(await runSegmentDigest(deps)).toMatchObject({ day, sent: 0 });
      // The day after has no changes.
      expect(await runSegmentDigest({ ...deps, now: () => new Date("2031-05-11T07:00:00Z") })).toMatchObject({ tenants: 0, sent: 0 });
    } finally {
      email.close();
    }
    const mail = await c.smtp.waitFor((m) => m.subject === `Segment changes on ${day}: 2` && m.envelope.to.includes(`mm.${tenant}@acme.example`));
    expect(mail.envelope.to.sort()).toEqual([`mm.${tenant}@acme.example`, `rep.${tenant}@acme.example`]);
    expect(mail.text).toContain("Standard → Premium (lifetime value)");
    expect(mail.text).toContain("Premium → VIP (set by boss: Strategic account)");
  });
});

describe("nightly LTV check", () => {
  it("finds no drift when values match the ledger, and reports drift injected by hand", async () => {
    // A database of its own: the check reads every customer there is.
    const own = await startIsolatedTestServer("ltvcheck");
    try {
      const { manager, customerId } = await setup(own);
      const others = [];
      for (let i = 0; i < 4; i++) others.push((await manager.post("/customers", customerBody())).body.id as string);
      await pay(manager, customerId, "120.00");
      await pay(manager, customerId, "20.50", "Refund");
      for (const id of others) await pay(manager, id, "1.01");
      const deps = { db: own.deps.db, log: createLogger("silent", "ltv-check-test") };

      const clean = await runLtvCheck(deps, { chunkSize: 2 });
      expect(clean).toEqual({ checked: 5, drifted: 0, examples: [], chunks: 3 });

      await own.deps.db.updateTable("customers").set({ lifetimeValue: "99.51" }).where("id", "=", customerId).execute();
      const drift = await runLtvCheck(deps, { chunkSize: 2 });
      expect(drift.drifted).toBe(1);
      expect(drift.examples).toEqual([{ tenantId: expect.any(String), customerId, stored: "99.51", ledger: "99.50" }]);
      // It reports; it does not fix.
      expect((await own.deps.db.selectFrom("customers").select("lifetimeValue").where("id", "=", customerId).executeTakeFirstOrThrow()).lifetimeValue).toBe("99.51");
      expect((await runLtvCheck(deps)).drifted).toBe(1);
    } finally {
      await own.close();
    }
  });
});

describe("on the worker's schedule", () => {
  it("runs the LTV check (drift gauge) and the segment digest (email) from their cron settings", async () => {
    // Its own database, queues and inbox: the check and the digest read every tenant there is.
    const own = await startIsolatedTestServer("valuesched");
    const smtp = await startSmtpServer();
    try {
      const { tenant, manager, customerId } = await setup(own);
      const token = await own.signToken({ tenantId: tenant, userId: "mm", roles: ["MarketingManager"], email: `mm.${tenant}@acme.example` });
      await rest(own.url, token).get(`/customers/${customerId}`);
      const realNow = own.deps.now;
      try {
        own.deps.now = () => new Date(Date.now() - 86_400_000);
        await pay(manager, customerId, "10000.01");
      } finally {
        own.deps.now = realNow;
      }
      await own.deps.db.updateTable("customers").set({ lifetimeValue: "1.00" }).where("id", "=", customerId).execute();
      const worker = await startWorker({ ...own.env, SMTP_URL: smtp.url, EMAIL_FROM: "crm@acme.example", LTV_CHECK_CRON: "* * * * * *", SEGMENT_DIGEST_CRON: "* * * * * *" });
      try {
        const scrape = () => fetch(worker.metricsUrl()).then((r) => r.text());
        await eventually(scrape, (m) => /^clientele_ltv_drift_customers 1$/m.test(m), 15_000);
        const mail = await smtp.waitFor((m) => m.envelope.to.includes(`mm.${tenant}@acme.example`));
        expect(mail.text).toContain("Standard → Premium (lifetime value)");
      } finally {
        await worker.stop();
      }
    } finally {
      await smtp.close();
      await own.close();
    }
  });
});
