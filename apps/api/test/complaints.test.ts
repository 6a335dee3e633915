import { listAudit, listEventsForAggregate } from "@clientele/db";
import { runEscalationDigest, runEscalationSweep } from "@clientele/jobs";
import { createEmailSender } from "@clientele/messaging";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startComms, type Comms } from "./comms-harness";
import { customerBody, eventually, newTenant, rest, startIsolatedTestServer } from "./harness";
import { startWorker } from "./worker-process";

let c: Comms;
beforeAll(async () => {
  c = await startComms();
});
afterAll(() => c.close());

async function setup() {
  const tenant = newTenant();
  const sign = (userId: string, role: "SupportAgent" | "CustomerManager" | "SalesRep" | "Viewer", email?: string) =>
    c.server.signToken({ tenantId: tenant, userId, roles: [role], ...(email ? { email } : {}) }).then((t) => rest(c.server.url, t));
  const manager = await sign("boss", "CustomerManager", "boss@acme.example");
  const agent = await sign("agent-1", "SupportAgent", "agent1@acme.example");
  const agent2 = await sign("agent-2", "SupportAgent", "agent2@acme.example");
  // Everyone signs in once, so their emails are on file.
  await Promise.all([manager, agent, agent2].map((a) => a.get("/follow-ups/mine")));
  const customer = (await manager.post("/customers", customerBody({ companyName: "Wayne Enterprises", primaryEmail: `bruce.${tenant}@wayne.example` }))).body;
  return { tenant, sign, manager, agent, agent2, customerId: customer.id as string, customerEmail: `bruce.${tenant}@wayne.example` };
}
const body = (o: Record<string, unknown> = {}) => ({ subject: "Late delivery", description: "The parcel arrived two weeks late.", category: "Delivery", priority: "High", ...o });

describe("submitting complaints", () => {
  it("numbers them per day, starts them New, records the event and tells the support team", async () => {
    const { tenant, agent, customerId } = await setup();
    const res = await agent.post(`/customers/${customerId}/complaints`, body());
    expect(res.status).toBe(201);
    const day = new Date().toISOString().slice(0, 10).replace(/-/g, "");
    expect(res.body).toMatchObject({ complaintNumber: `COMP-${day}-0001`, status: "New", priority: "High" });
    expect((await listEventsForAggregate(c.server.deps.db, tenant, res.body.id))[0]!.envelope).toMatchObject({ type: "CustomerComplaintReceived", data: { priority: "High", category: "Delivery" } });
    const mail = await c.smtp.waitFor((m) => m.subject.includes(res.body.complaintNumber));
    expect(mail.envelope.to.sort()).toEqual(["agent1@acme.example", "agent2@acme.example"]);
  });

  it("gives 30 concurrent submissions 30 distinct, consecutive numbers", async () => {
    const { agent, customerId } = await setup();
    const all = await Promise.all(Array.from({ length: 30 }, () => agent.post(`/customers/${customerId}/complaints`, body())));
    const seq = all.map((r) => Number(r.body.complaintNumber.slice(-4))).sort((a, b) => a - b);
    expect(seq).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it("validates, limits attachments, needs the complaint privilege and stays in its tenant", async () => {
    const { sign, agent, customerId } = await setup();
    const url = `/customers/${customerId}/complaints`;
    expect((await agent.post(url, body({ subject: "x".repeat(501) }))).body.errors.subject).toBeDefined();
    expect((await agent.post(url, body({ description: "x".repeat(5001) }))).body.errors.description).toBeDefined();
    expect((await agent.post(url, body({ priority: "Urgent" }))).status).toBe(400);
    expect((await agent.post(url, body({ attachments: ["00000000-0000-4000-8000-000000000000"] }))).status).toBe(400);
    expect((await (await sign("s", "SalesRep")).post(url, body())).status).toBe(403);
    expect((await (await sign("v", "Viewer")).post(url, body())).status).toBe(403);
    const stranger = rest(c.server.url, await c.server.token("SupportAgent", newTenant()));
    expect((await stranger.post(url, body())).status).toBe(404);
  });

  it("routes by category to a user, or round-robin within a team", async () => {
    const { manager, agent, customerId } = await setup();
    const settings = await manager.put("/settings/complaints", {
      routing: { rules: [{ category: "Billing", userId: "agent-2" }, { category: "Delivery", team: "logistics" }], teams: { logistics: ["agent-1", "agent-2"] } },
    });
    expect(settings.status).toBe(200);
    expect((await agent.put("/settings/complaints", { supportEmails: ["x@y.example"] })).status).toBe(403);
    expect((await manager.put("/settings/complaints", { routing: { rules: [{ category: "x", team: "ghost" }], teams: {} } })).status).toBe(400);
    const url = `/customers/${customerId}/complaints`;
    expect((await agent.post(url, body({ category: "billing" }))).body.assignedTo).toBe("agent-2");
    const turns = [];
    for (let i = 0; i < 4; i++) turns.push((await agent.post(url, body())).body.assignedTo);
    expect(turns).toEqual(["agent-1", "agent-2", "agent-1", "agent-2"]);
    expect((await agent.post(url, body({ category: "Other" }))).body.assignedTo).toBeNull();
  });
});

describe("status changes and resolution", () => {
  it("follow the table with notes, by the assignee or a manager, with history, audit and a customer email", async () => {
    const { tenant, manager, agent, agent2, customerId, customerEmail } = await setup();
    await manager.put("/settings/complaints", { routing: { rules: [{ category: "*", userId: "agent-1" }], teams: {} } });
    const comp = (await agent.post(`/customers/${customerId}/complaints`, body())).body;
    const url = `/customers/${customerId}/complaints/${comp.id}/status`;
    expect((await agent.put(url, { status: "InProgress", notes: "" })).body.errors.notes).toBeDefined();
    expect((await agent.put(url, { status: "Closed", notes: "skip ahead" })).body.code).toBe("COMP-003");
    expect((await agent2.put(url, { status: "InProgress", notes: "mine now" })).status).toBe(403);
    expect((await agent.put(url, { status: "Escalated", notes: "help" })).status).toBe(403);
    const moved = await agent.put(url, { status: "InProgress", notes: "Looking into it with the courier" });
    expect(moved.status).toBe(200);
    expect(moved.body.statusHistory.map((h: any) => h.to)).toEqual(["New", "InProgress"]);
    const mail = await c.smtp.waitFor((m) => m.subject === `Update on your complaint ${comp.complaintNumber}`);
    expect(mail.envelope.to).toEqual([customerEmail]);
    expect(mail.text).toContain("Looking into it with the courier");
    expect((await manager.put(url, { status: "Escalated", notes: "VIP customer" })).body.status).toBe("Escalated");
    const types = (await listEventsForAggregate(c.server.deps.db, tenant, comp.id)).map((e) => e.envelope.type);
    expect(types).toEqual(["CustomerComplaintReceived", "CustomerComplaintStatusChanged", "CustomerComplaintEscalated"]);
    const audit = await c.server.deps.db.selectFrom("auditLog").select("action").where("entityId", "=", comp.id).execute();
    expect(audit.map((a) => a.action)).toContain("ComplaintStatusChanged");
  });

  it("resolve: time in hours, customer emailed, follow-up when unhappy, COMP-002 the second time, closed is final", async () => {
    const { tenant, manager, agent, customerId, customerEmail } = await setup();
    await manager.put("/settings/complaints", { routing: { rules: [{ category: "*", userId: "agent-1" }], teams: {} } });
    const realNow = c.server.deps.now;
    let comp: any;
    try {
      c.server.deps.now = () => new Date(Date.now() - 30 * 3_600_000);
      comp = (await agent.post(`/customers/${customerId}/complaints`, body())).body;
    } finally {
      c.server.deps.now = realNow;
    }
    const base = `/customers/${customerId}/complaints/${comp.id}`;
    await agent.put(`${base}/status`, { status: "InProgress", notes: "on it" });
    expect((await agent.post(`${base}/resolve`, { resolution: "too short", customerSatisfied: true })).body.errors.resolution).toBeDefined();
    expect((await agent.post(`${base}/resolve`, { resolution: "Refunded the delivery fee in full." })).status).toBe(400);
    const res = await agent.post(`${base}/resolve`, { resolution: "Refunded the delivery fee in full.", compensationOffered: "10% voucher", customerSatisfied: false });
    expect(res.status).toBe(200);
    expect(res.body.resolutionTimeInHours).toBe(30);
    expect(res.body.complaint).toMatchObject({ status: "Resolved", customerSatisfied: false, resolvedBy: "agent-1" });
    expect(res.body.followUpId).toBeTruthy();
    const resolvedMail = await c.smtp.waitFor((m) => m.subject === `Your complaint ${comp.complaintNumber} is resolved`);
    expect(resolvedMail.envelope.to).toEqual([customerEmail]);
    expect(resolvedMail.text).toContain("10% voucher");
    await c.smtp.waitFor((m) => m.subject.startsWith("Follow-up assigned to you: Customer not satisfied") && m.envelope.to[0] === "agent1@acme.example");
    expect((await listEventsForAggregate(c.server.deps.db, tenant, comp.id)).map((e) => e.envelope.type)).toContain("CustomerComplaintResolved");

    const again = await agent.post(`${base}/resolve`, { resolution: "Refunded the delivery fee in full.", customerSatisfied: true });
    expect(again.status).toBe(400);
    expect(again.body.code).toBe("COMP-002");
    expect((await agent.put(`${base}/status`, { status: "Closed", notes: "done and dusted" })).body.status).toBe("Closed");
    expect((await manager.put(`${base}/status`, { status: "InProgress", notes: "reopen?" })).body.code).toBe("COMP-003");

    const kb = await agent.get("/complaints/knowledge-base?category=Delivery&query=refunded");
    expect(kb.body.items.map((i: any) => i.complaintId)).toEqual([comp.id]);
    expect((await agent.get("/complaints/knowledge-base?query=nothingmatches")).body.items).toEqual([]);
  });

  it("does not email a customer who switched email notifications off", async () => {
    const { manager, agent, customerId, customerEmail } = await setup();
    await manager.put(`/customers/${customerId}/preferences`, { notifications: { email: false } });
    const comp = (await agent.post(`/customers/${customerId}/complaints`, body())).body;
    await manager.put(`/customers/${customerId}/complaints/${comp.id}/status`, { status: "InProgress", notes: "Quiet update" });
    await c.smtp.waitFor((m) => m.subject.includes(comp.complaintNumber)); // the support team's notice
    await new Promise((r) => setTimeout(r, 700));
    expect(c.smtp.messages.filter((m) => m.envelope.to.includes(customerEmail))).toEqual([]);
  });
});

describe("lists and dashboard", () => {
  it("filter per customer and across the tenant, and show open, overdue and mine", async () => {
    const { manager, agent, customerId } = await setup();
    await manager.put("/settings/complaints", { routing: { rules: [{ category: "Delivery", userId: "agent-1" }], teams: {} } });
    const realNow = c.server.deps.now;
    try {
      c.server.deps.now = () => new Date(Date.now() - 5 * 3_600_000);
      await agent.post(`/customers/${customerId}/complaints`, body({ priority: "Critical" }));
    } finally {
      c.server.deps.now = realNow;
    }
    await agent.post(`/customers/${customerId}/complaints`, body({ priority: "Low", category: "Billing" }));
    const other = (await manager.post("/customers", customerBody())).body.id;
    await agent.post(`/customers/${other}/complaints`, body({ priority: "Low" }));
    expect((await agent.get(`/customers/${customerId}/complaints`)).body.totalCount).toBe(2);
    expect((await agent.get(`/customers/${customerId}/complaints?priority=Critical`)).body.totalCount).toBe(1);
    expect((await agent.get("/complaints?priority=Low")).body.totalCount).toBe(2);
    expect((await agent.get("/complaints?assignedTo=agent-1")).body.totalCount).toBe(2);
    expect((await agent.get("/complaints?category=Billing")).body.totalCount).toBe(1);
    expect((await agent.get("/complaints?status=Resolved")).body.totalCount).toBe(0);
    const dash = (await agent.get("/complaints/dashboard")).body;
    expect(dash.openByPriority).toEqual({ Critical: 1, Low: 2 });
    expect(dash.overdueForEscalation.map((x: any) => x.priority)).toEqual(["Critical"]);
    expect(dash.mine).toHaveLength(2);
  });
});

describe("automatic escalation", () => {
  it("escalates each priority exactly at its threshold, once, with events, history and one manager digest", async () => {
    const { tenant, agent, customerId } = await setup();
    const t0 = Date.now() - 1000;
    const realNow = c.server.deps.now;
    const ids: Record<string, string> = {};
    try {
      c.server.deps.now = () => new Date(t0);
      for (const p of ["Critical", "High", "Medium", "Low"]) ids[p] = (await agent.post(`/customers/${customerId}/complaints`, body({ priority: p }))).body.id;
      const inProgress = (await agent.post(`/customers/${customerId}/complaints`, body({ priority: "Critical" }))).body;
      await c.server.deps.db.updateTable("complaints").set({ status: "InProgress" }).where("id", "=", inProgress.id).execute();
      ids.CriticalInProgress = inProgress.id;
    } finally {
      c.server.deps.now = realNow;
    }
    const statusOf = async (id: string) => (await c.server.deps.db.selectFrom("complaints").select("status").where("id", "=", id).executeTakeFirstOrThrow()).status;
    const sweepAt = (hours: number) => runEscalationSweep({ ...c.server.deps, now: () => new Date(t0 + hours * 3_600_000) });
    const mine = async () => Object.fromEntries(await Promise.all(Object.entries(ids).map(async ([k, id]) => [k, await statusOf(id)])));

    await sweepAt(3.9);
    expect(Object.values(await mine()).every((s) => s !== "Escalated")).toBe(true);
    await sweepAt(4.1);
    expect(await mine()).toMatchObject({ Critical: "Escalated", CriticalInProgress: "Escalated", High: "New", Medium: "New", Low: "New" });
    await sweepAt(24.1);
    expect((await mine()).High).toBe("Escalated");
    await sweepAt(48.1);
    expect((await mine()).Medium).toBe("Escalated");
    await sweepAt(167.9);
    expect((await mine()).Low).toBe("New");
    await sweepAt(168.1);
    expect((await mine()).Low).toBe("Escalated");
    await sweepAt(500);

    for (const id of Object.values(ids)) {
      const events = (await listEventsForAggregate(c.server.deps.db, tenant, id)).filter((e) => e.envelope.type === "CustomerComplaintEscalated");
      expect(events).toHaveLength(1);
    }
    const history = await c.server.deps.db.selectFrom("complaintStatusHistory").selectAll().where("complaintId", "=", ids.CriticalInProgress!).orderBy("id").execute();
    expect(history.map((h) => `${h.fromStatus}→${h.toStatus}`)).toEqual(["null→New", "InProgress→Escalated"]);
    const audit = (await listAudit(c.server.deps.db, tenant, "Complaint", ids.CriticalInProgress!)).filter((a) => a.actorId === "system");
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "CustomerComplaintEscalated", changes: { status: { from: "InProgress", to: "Escalated" } } });

    const email = createEmailSender({ smtpUrl: c.smtp.url, from: "crm@acme.example" });
    try {
      const deps = { ...c.server.deps, email, sms: undefined as never, organizer: { name: "x", email: "crm@acme.example" } };
      expect(await runEscalationDigest(deps, { tenantId: tenant })).toBe(5);
      expect(await runEscalationDigest(deps, { tenantId: tenant })).toBe(0);
    } finally {
      email.close();
    }
    const digest = await c.smtp.waitFor((m) => m.subject === "5 complaints escalated" && m.envelope.to.includes("boss@acme.example"));
    expect(digest.text).toContain("[Critical]");
  });

  it("runs on the worker's schedule", async () => {
    // Its own database and queues: a sweep on the real clock would touch other tests' complaints.
    const own = await startIsolatedTestServer("escalation");
    const worker = await startWorker({ ...own.env, ESCALATION_CRON: "* * * * * *" }).catch(async (e) => {
      await own.close();
      throw e;
    });
    try {
      const tenant = newTenant();
      const api = rest(own.url, await own.token("SupportAgent", tenant));
      const customerId = (await rest(own.url, await own.token("CustomerManager", tenant)).post("/customers", customerBody())).body.id;
      const realNow = own.deps.now;
      own.deps.now = () => new Date(Date.now() - 5 * 3_600_000);
      const [due, notYet] = await Promise.all([
        api.post(`/customers/${customerId}/complaints`, body({ priority: "Critical" })),
        api.post(`/customers/${customerId}/complaints`, body({ priority: "High" })),
      ]).finally(() => (own.deps.now = realNow));
      const statusOf = async (id: string) => (await api.get(`/customers/${customerId}/complaints/${id}`)).body.status;
      expect(await eventually(() => statusOf(due.body.id), (s) => s === "Escalated", 10_000)).toBe("Escalated");
      expect(await statusOf(notYet.body.id)).toBe("New");
    } finally {
      await worker.stop();
      await own.close();
    }
  });

  it("escalates each complaint once even with two sweeps at the same time, and honours tenant thresholds", async () => {
    const { tenant, manager, agent, customerId } = await setup();
    await manager.put("/settings/complaints", { escalationHours: { Low: 1 } });
    const t0 = Date.now();
    const realNow = c.server.deps.now;
    try {
      // 30 h old: Critical (4 h), High (24 h) and Low (this tenant: 1 h) are due, Medium (48 h) is not.
      c.server.deps.now = () => new Date(t0 - 30 * 3_600_000);
      const priorities = ["Critical", "High", "Low", "Medium"];
      await Promise.all(Array.from({ length: 80 }, (_, i) => agent.post(`/customers/${customerId}/complaints`, body({ priority: priorities[i % 4] }))));
    } finally {
      c.server.deps.now = realNow;
    }
    // Small batches, several lanes each, two sweeps at once: adjacent index ranges walked side by side.
    const deps = { ...c.server.deps, now: () => new Date(t0) };
    const [a, b] = await Promise.all([runEscalationSweep(deps, { batchSize: 7 }), runEscalationSweep(deps, { batchSize: 7 })]);
    const escalatedHere = await c.server.deps.db.selectFrom("domainEvents").select((eb) => eb.fn.countAll<number>().as("n")).where("tenantId", "=", tenant).where("eventType", "=", "CustomerComplaintEscalated").executeTakeFirstOrThrow();
    expect(Number(escalatedHere.n)).toBe(60);
    const left = await c.server.deps.db.selectFrom("complaints").select(["priority", "status"]).where("tenantId", "=", tenant).where("status", "<>", "Escalated").execute();
    expect(left).toHaveLength(20);
    expect(left.every((r) => r.priority === "Medium" && r.status === "New")).toBe(true);
    expect(a.escalated + b.escalated).toBe(60);
    expect(a.tenants.concat(b.tenants)).toContain(tenant);
  });
});
