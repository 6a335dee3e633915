import { createHmac } from "node:crypto";
import { listEventsForAggregate } from "@clientele/db";
import ICAL from "ical.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startComms, type Comms } from "./comms-harness";
import { customerBody, eventually, newTenant, rest, type Api } from "./harness";

let c: Comms;
beforeAll(async () => {
  c = await startComms();
});
afterAll(() => c.close());

async function setup(preferences: Record<string, unknown> = {}) {
  const tenant = newTenant();
  const token = await c.server.token("CustomerManager", tenant);
  const api = rest(c.server.url, token);
  const customer = (await api.post("/customers", customerBody({ companyName: "Initech", preferences }))).body;
  await api.post(`/customers/${customer.id}/contacts`, { firstName: "Peter", lastName: "Gibbons", email: "peter@initech.example" });
  return { tenant, token, api, customerId: customer.id as string };
}
const comm = (api: Api, customerId: string, id: string) => api.get(`/customers/${customerId}/communications/${id}`);
const statusOf = (api: Api, customerId: string, id: string) =>
  eventually(() => comm(api, customerId, id).then((r) => r.body), (b) => !["Queued", "Sending"].includes(b.status));

async function upload(token: string, name: string, bytes: Buffer, type = "application/pdf") {
  const form = new FormData();
  form.set("file", new Blob([bytes], { type }), name);
  return rest(c.server.url, token).post("/files", form);
}

describe("email", () => {
  it("personalizes, attaches, sends through SMTP from the worker, and records the event", async () => {
    const { tenant, token, api, customerId } = await setup();
    const pdf = Buffer.from("%PDF-1.4 pretend invoice");
    const file = await upload(token, "invoice.pdf", pdf);
    expect(file.status).toBe(201);
    const res = await api.post(`/customers/${customerId}/communications/email`, {
      recipientEmail: "peter@initech.example",
      subject: "Hello {{firstName}} from {{companyName}}",
      body: "Dear {{fullName}}, your invoice is attached.",
      html: "<p>Dear {{firstName}} &amp; team</p>",
      attachments: [file.body.id],
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "Queued", type: "Email", purpose: "Transactional" });
    const id = res.body.communicationId;

    const mail = await c.smtp.waitFor((m) => m.messageId === `<${id}@clientele>`);
    expect(mail.subject).toBe("Hello Peter from Initech");
    expect(mail.text).toContain("Dear Peter Gibbons, your invoice is attached.");
    expect(mail.html).toContain("<p>Dear Peter &amp; team</p>");
    expect(mail.envelope.to).toEqual(["peter@initech.example"]);
    expect(mail.headers["x-clientele-purpose"]).toBe("Transactional");
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]).toMatchObject({ filename: "invoice.pdf" });
    expect(Buffer.compare(mail.attachments[0]!.content, pdf)).toBe(0);

    const done = await statusOf(api, customerId, id);
    expect(done).toMatchObject({ status: "Sent", recipientEmail: "peter@initech.example" });
    const events = await listEventsForAggregate(c.server.deps.db, tenant, id);
    expect(events.map((e) => e.envelope.type)).toEqual(["CustomerEmailSent"]);
    expect(events[0]!.envelope.data).toMatchObject({ subject: "Hello Peter from Initech", recipientEmail: "peter@initech.example" });
  });

  it("refuses unknown variables, header injection, missing parts and too many attachments", async () => {
    const { token, api, customerId } = await setup();
    const url = `/customers/${customerId}/communications/email`;
    const unknown = await api.post(url, { subject: "Hi {{nickname}}", body: "x" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors.subject[0]).toMatch(/nickname/);
    const injected = await api.post(url, { subject: "Hi\r\nBcc: victim@example.com", body: "x" });
    expect(injected.status).toBe(400);
    expect(injected.body.errors.subject).toBeDefined();
    expect((await api.post(url, { subject: "Hi" })).body.errors.body).toBeDefined();
    expect((await api.post(url, { recipientEmail: "nope", subject: "Hi", body: "x" })).body.errors.recipientEmail).toBeDefined();
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push((await upload(token, `f${i}.txt`, Buffer.from("x"), "text/plain")).body.id);
    expect((await api.post(url, { subject: "Hi", body: "x", attachments: ids })).status).toBe(400);
    expect((await api.post(url, { subject: "Hi", body: "x", attachments: ["00000000-0000-4000-8000-000000000000"] })).status).toBe(400);
    expect(c.smtp.messages.filter((m) => m.subject.startsWith("Hi"))).toEqual([]);
  });

  it("needs marketing consent and an open channel for marketing, not for transactional mail", async () => {
    const { api, customerId } = await setup();
    const url = `/customers/${customerId}/communications/email`;
    const blocked = await api.post(url, { subject: "Big sale", body: "50% off", purpose: "Marketing" });
    expect(blocked.status).toBe(400);
    expect(blocked.body).toMatchObject({ code: "COMM-004" });
    expect(blocked.body.detail).toMatch(/opted in to marketing/);
    await api.put(`/customers/${customerId}/preferences`, { marketingConsent: true, notifications: { email: false } });
    const off = await api.post(url, { subject: "Big sale", body: "50% off", purpose: "Marketing" });
    expect(off.body.detail).toMatch(/switched Email notifications off/);
    expect((await api.post(url, { subject: "Your complaint", body: "We are on it", purpose: "Transactional" })).status).toBe(201);
    await api.put(`/customers/${customerId}/preferences`, { notifications: { email: true } });
    expect((await api.post(url, { subject: "Big sale", body: "50% off", purpose: "Marketing" })).status).toBe(201);
  });

  it("retries a transient SMTP failure and still delivers exactly once", async () => {
    const { api, customerId } = await setup();
    c.smtp.failNext(1, { code: 451, message: "try again later" });
    const res = await api.post(`/customers/${customerId}/communications/email`, { subject: "Retry me", body: "once" });
    const done = await statusOf(api, customerId, res.body.communicationId);
    expect(done.status).toBe("Sent");
    await new Promise((r) => setTimeout(r, 500));
    expect(c.smtp.messages.filter((m) => m.messageId === `<${res.body.communicationId}@clientele>`)).toHaveLength(1);
    expect(c.smtp.rejections.some((r) => r.code === 451)).toBe(true);
  });

  it("fails at once on a permanent SMTP refusal and keeps the provider's reason", async () => {
    const { api, customerId } = await setup();
    c.smtp.failRecipient("gone@initech.example", 550, "mailbox unavailable");
    const res = await api.post(`/customers/${customerId}/communications/email`, { recipientEmail: "gone@initech.example", subject: "Hello", body: "x" });
    const done = await statusOf(api, customerId, res.body.communicationId);
    expect(done.status).toBe("Failed");
    expect(done.failureReason).toMatch(/550|mailbox unavailable/);
    await new Promise((r) => setTimeout(r, 1500));
    expect(c.smtp.rejections.filter((r) => r.code === 550)).toHaveLength(1);
  });

  it("takes signed bounce reports: a hard bounce marks the message and suppresses the address", async () => {
    const { api, customerId } = await setup();
    const res = await api.post(`/customers/${customerId}/communications/email`, { recipientEmail: "bouncy@initech.example", subject: "Hi", body: "x" });
    await statusOf(api, customerId, res.body.communicationId);
    const body = JSON.stringify({ communicationId: res.body.communicationId, event: "bounce", bounceType: "hard", reason: "550 no such user" });
    const post = (sig: string) =>
      fetch(`${c.server.url}/api/v1/webhooks/email/events`, { method: "POST", headers: { "content-type": "application/json", "x-clientele-signature": sig }, body });
    expect((await post("sha256=deadbeef")).status).toBe(401);
    const sig = createHmac("sha256", c.server.deps.env.EMAIL_WEBHOOK_SECRET).update(body).digest("hex");
    const ok = await post(`sha256=${sig}`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ received: 1, applied: 1 });
    expect((await comm(api, customerId, res.body.communicationId)).body).toMatchObject({ status: "Bounced", failureReason: "550 no such user" });
    const again = await api.post(`/customers/${customerId}/communications/email`, { recipientEmail: "Bouncy@initech.example", subject: "Hi", body: "x" });
    expect(again.status).toBe(400);
    expect(again.body.code).toBe("COMM-005");
  });

  it("applies a batch of reports in order, several about one message, and refreshes the cached history", async () => {
    const { api, customerId } = await setup();
    const send = (to: string) => api.post(`/customers/${customerId}/communications/email`, { recipientEmail: to, subject: "Hi", body: "x" });
    const [a, b] = [(await send("a@initech.example")).body.communicationId, (await send("b@initech.example")).body.communicationId];
    await Promise.all([statusOf(api, customerId, a), statusOf(api, customerId, b)]);
    const url = `/customers/${customerId}/communications`;
    expect((await api.get(url)).body.items.map((i: any) => i.status)).toEqual(["Sent", "Sent"]);
    const body = JSON.stringify({
      events: [
        { communicationId: a, event: "delivered" },
        { communicationId: b, event: "delivered" },
        { communicationId: a, event: "bounce", bounceType: "hard", reason: "late 550" },
        { communicationId: "00000000-0000-4000-8000-000000000000", event: "delivered" },
        { communicationId: b, event: "delivered" },
      ],
    });
    const sig = createHmac("sha256", c.server.deps.env.EMAIL_WEBHOOK_SECRET).update(body).digest("hex");
    const res = await fetch(`${c.server.url}/api/v1/webhooks/email/events`, { method: "POST", headers: { "content-type": "application/json", "x-clientele-signature": `sha256=${sig}` }, body });
    // a: Sent→Delivered→Bounced (2), b: Sent→Delivered (1); the unknown id and the repeat change nothing.
    expect(await res.json()).toEqual({ received: 5, applied: 3 });
    const statuses = Object.fromEntries((await api.get(url)).body.items.map((i: any) => [i.id, i.status]));
    expect(statuses).toEqual({ [a]: "Bounced", [b]: "Delivered" });
  });
});

describe("templates", () => {
  it("are managed per tenant, checked when saved, and used to send", async () => {
    const { tenant, api, customerId } = await setup();
    const bad = await api.post("/templates", { name: "Bad", channel: "Email", subject: "Hi {{shoeSize}}", body: "x" });
    expect(bad.status).toBe(400);
    expect((await api.post("/templates", { name: "SMS", channel: "SMS", body: "x", html: "<b>x</b>" })).status).toBe(400);
    const t = (await api.post("/templates", { name: "Welcome", channel: "Email", subject: "Welcome, {{companyName}}", body: "Hi {{firstName}}!" })).body;
    expect(t).toMatchObject({ status: "Active", variables: ["companyName", "firstName"], version: 1 });
    const updated = await api.put(`/templates/${t.id}`, { body: "Hello {{firstName}}!", version: 1 });
    expect(updated.body.version).toBe(2);
    expect((await api.put(`/templates/${t.id}`, { body: "x", version: 1 })).status).toBe(409);
    expect((await api.get("/templates?channel=Email")).body.items.map((x: any) => x.id)).toEqual([t.id]);
    expect((await rest(c.server.url, await c.server.token("Admin", newTenant())).get(`/templates/${t.id}`)).status).toBe(404);

    const sent = await api.post(`/customers/${customerId}/communications/email`, { templateId: t.id });
    const mail = await c.smtp.waitFor((m) => m.messageId === `<${sent.body.communicationId}@clientele>`);
    expect(mail.subject).toBe("Welcome, Initech");
    expect(mail.text).toContain("Hello Peter!");

    await api.post(`/templates/${t.id}/archive`);
    const archived = await api.post(`/customers/${customerId}/communications/email`, { templateId: t.id });
    expect(archived.status).toBe(404);
    expect(archived.body.code).toBe("TMPL-001");
    const viewer = rest(c.server.url, await c.server.token("Viewer", tenant));
    expect((await viewer.post("/templates", { name: "x", channel: "SMS", body: "x" })).status).toBe(403);
  });
});

describe("meetings", () => {
  const inMinutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();

  it("validates place, time and attendees", async () => {
    const { api, customerId } = await setup();
    const url = `/customers/${customerId}/communications/meeting`;
    const base = { title: "Kick-off", scheduledStart: inMinutes(60), scheduledEnd: inMinutes(120), attendees: ["a@x.example"], location: "HQ" };
    expect((await api.post(url, { ...base, scheduledEnd: inMinutes(30) })).body.errors.scheduledEnd).toBeDefined();
    expect((await api.post(url, { ...base, scheduledStart: inMinutes(-60) })).body.errors.scheduledStart).toBeDefined();
    expect((await api.post(url, { ...base, location: undefined })).body.errors.location).toBeDefined();
    expect((await api.post(url, { ...base, isVirtual: true })).body.errors.meetingLink).toBeDefined();
    expect((await api.post(url, { ...base, attendees: [] })).body.errors.attendees).toBeDefined();
    expect((await api.post(url, { ...base, attendees: ["not-an-email"] })).body.errors["attendees.0"]).toBeDefined();
  });

  it("invites attendees with an iCalendar request, reminds them, and re-plans when moved or cancelled", async () => {
    const { tenant, api, customerId } = await setup();
    const res = await api.post(`/customers/${customerId}/communications/meeting`, {
      title: "Quarterly review",
      description: "Numbers",
      scheduledStart: new Date(Date.now() + 62_000).toISOString(),
      scheduledEnd: inMinutes(30),
      attendees: ["bill@initech.example", "peter@initech.example"],
      isVirtual: true,
      meetingLink: "https://meet.example/abc",
      reminderMinutes: [1],
    });
    expect(res.status).toBe(201);
    const id = res.body.id;
    expect((await listEventsForAggregate(c.server.deps.db, tenant, id))[0]!.envelope.type).toBe("CustomerMeetingScheduled");

    const invite = await c.smtp.waitFor((m) => m.subject.startsWith("Invitation: Quarterly review"));
    expect(invite.envelope.to.sort()).toEqual(["bill@initech.example", "peter@initech.example"]);
    expect(invite.calendar?.method).toBe("REQUEST");
    const vevent = new ICAL.Component(ICAL.parse(invite.calendar!.content)).getFirstSubcomponent("vevent")!;
    expect(vevent.getFirstPropertyValue("uid")).toBe(`${id}@clientele`);
    expect(vevent.getFirstPropertyValue("summary")).toBe("Quarterly review");
    expect(vevent.getAllProperties("attendee")).toHaveLength(2);

    const reminder = await c.smtp.waitFor((m) => m.subject.startsWith("Reminder: Quarterly review"), 10_000);
    expect(reminder.envelope.to).toHaveLength(2);

    // Moved: an updated invitation (SEQUENCE 1); the old reminder is gone, the new one far away.
    const moved = await api.post(`/customers/${customerId}/communications/meeting`, {
      title: "Planning",
      scheduledStart: new Date(Date.now() + 63_000).toISOString(),
      scheduledEnd: inMinutes(30),
      attendees: ["bill@initech.example"],
      location: "Room 4",
      reminderMinutes: [1],
    });
    const resched = await api.put(`/customers/${customerId}/communications/meeting/${moved.body.id}`, { scheduledStart: inMinutes(120), scheduledEnd: inMinutes(180), version: 1 });
    expect(resched.status).toBe(200);
    const updated = await c.smtp.waitFor((m) => m.subject.startsWith("Updated invitation: Planning"));
    expect(new ICAL.Component(ICAL.parse(updated.calendar!.content)).getFirstSubcomponent("vevent")!.getFirstPropertyValue("sequence")).toBe(1);

    const cancelled = await api.post(`/customers/${customerId}/communications/meeting/${moved.body.id}/cancel`, {});
    expect(cancelled.body.status).toBe("Cancelled");
    const cancel = await c.smtp.waitFor((m) => m.subject.startsWith("Cancelled: Planning"));
    expect(cancel.calendar?.method).toBe("CANCEL");
    await new Promise((r) => setTimeout(r, 4000));
    expect(c.smtp.messages.filter((m) => m.subject.startsWith("Reminder: Planning"))).toEqual([]);
    expect((await api.post(`/customers/${customerId}/communications/meeting/${moved.body.id}/cancel`, {})).status).toBe(400);
  });
});

describe("follow-ups", () => {
  it("notify the assignee, list as my tasks with overdue flags, complete and reassign", async () => {
    const tenant = newTenant();
    const manager = rest(c.server.url, await c.server.token("CustomerManager", tenant, "mgr-1"));
    const bob = rest(c.server.url, await c.server.signToken({ tenantId: tenant, userId: "bob", roles: ["SalesRep"], email: "bob@acme.example", name: "Bob" }));
    await bob.get("/follow-ups/mine"); // bob signs in once, so we know his email
    const customerId = (await manager.post("/customers", customerBody())).body.id;
    const url = `/customers/${customerId}/follow-ups`;
    const due = new Date(Date.now() + 3600_000).toISOString();

    expect((await manager.post(url, { subject: "Call back", dueDate: new Date(Date.now() - 1000).toISOString(), priority: "High" })).body.errors.dueDate).toBeDefined();
    expect((await manager.post(url, { subject: "Call back", dueDate: due, priority: "Urgent" })).status).toBe(400);
    expect((await manager.post(url, { subject: "Call back", dueDate: due, priority: "High", assignedTo: "stranger" })).body.errors.assignedTo).toBeDefined();

    const f = await manager.post(url, { subject: "Send the quote", description: "v2 pricing", dueDate: due, priority: "High", assignedTo: "bob" });
    expect(f.status).toBe(201);
    expect(f.body).toMatchObject({ status: "Pending", assignedTo: "bob", overdue: false });
    const notice = await c.smtp.waitFor((m) => m.subject === "Follow-up assigned to you: Send the quote");
    expect(notice.envelope.to).toEqual(["bob@acme.example"]);

    const open = await manager.post(url, { subject: "Unassigned chore", dueDate: due, priority: "Low" });
    expect((await bob.get("/follow-ups/mine")).body.items.map((i: any) => i.id)).toEqual([f.body.id]);
    expect((await manager.get("/follow-ups/mine")).body.items.map((i: any) => i.id)).toEqual([open.body.id]);

    const realNow = c.server.deps.now;
    c.server.deps.now = () => new Date(Date.now() + 2 * 3600_000);
    try {
      const late = (await bob.get("/follow-ups/mine")).body;
      expect(late).toMatchObject({ overdueCount: 1 });
      expect(late.items[0].overdue).toBe(true);
    } finally {
      c.server.deps.now = realNow;
    }

    const viewer = rest(c.server.url, await c.server.token("SupportAgent", tenant, "someone-else"));
    expect((await viewer.post(`/follow-ups/${f.body.id}/complete`, {})).status).toBe(403);
    const done = await bob.post(`/follow-ups/${f.body.id}/complete`, {});
    expect(done.body).toMatchObject({ status: "Completed", completedBy: "bob" });
    expect((await bob.post(`/follow-ups/${f.body.id}/complete`, {})).status).toBe(400);
    const taken = await manager.put(`/follow-ups/${open.body.id}/assignee`, { assignedTo: "bob" });
    expect(taken.body.assignedTo).toBe("bob");
    await c.smtp.waitFor((m) => m.subject === "Follow-up assigned to you: Unassigned chore");
    const events = await listEventsForAggregate(c.server.deps.db, tenant, f.body.id);
    expect(events.map((e) => e.envelope.type)).toEqual(["CustomerFollowUpCreated", "CustomerFollowUpCompleted"]);
  });
});

describe("idempotent delivery", () => {
  it("sends once when two workers run the same job (a stalled lock), and a retry mid-send sends nothing", async () => {
    const { randomUUID } = await import("node:crypto");
    const { insertCommunication, findCommunication } = await import("@clientele/db");
    const { runSendEmail, InFlightElsewhere } = await import("@clientele/jobs");
    const { createEmailSender } = await import("@clientele/messaging");
    const { tenant, customerId } = await setup();
    const email = createEmailSender({ smtpUrl: c.smtp.url, from: "crm@acme.example" });
    const deps = { ...c.server.deps, email, sms: undefined as never, organizer: { name: "x", email: "crm@acme.example" } };
    const record = async () => {
      const id = randomUUID();
      const now = new Date();
      await insertCommunication(c.server.deps.db, { id, tenantId: tenant, customerId, type: "Email", purpose: "Transactional", direction: "Outbound", status: "Queued", occurredAt: now, createdAt: now, createdBy: "u", subject: `Once ${id}`, bodyText: "x", recipientEmail: "peter@initech.example" });
      return id;
    };
    try {
      const id = await record();
      await Promise.all([runSendEmail(deps, { communicationId: id, tenantId: tenant }), runSendEmail(deps, { communicationId: id, tenantId: tenant }).catch((e) => e)]);
      await new Promise((r) => setTimeout(r, 300));
      expect(c.smtp.messages.filter((m) => m.subject === `Once ${id}`)).toHaveLength(1);
      expect((await findCommunication(c.server.deps.db, tenant, id))!.status).toBe("Sent");

      const midSend = await record();
      await c.server.deps.db.updateTable("communications").set({ status: "Sending" }).where("id", "=", midSend).execute();
      await expect(runSendEmail(deps, { communicationId: midSend, tenantId: tenant })).rejects.toBeInstanceOf(InFlightElsewhere);
      expect(c.smtp.messages.filter((m) => m.subject === `Once ${midSend}`)).toHaveLength(0);
    } finally {
      email.close();
    }
  });

  it("sends no marketing email queued before the customer was suspended or withdrew consent; transactional mail still goes", async () => {
    const { randomUUID } = await import("node:crypto");
    const { insertCommunication, findCommunication } = await import("@clientele/db");
    const { runSendEmail } = await import("@clientele/jobs");
    const { createEmailSender } = await import("@clientele/messaging");
    const { tenant, customerId } = await setup({ marketingConsent: true });
    const admin = rest(c.server.url, await c.server.token("Admin", tenant));
    const email = createEmailSender({ smtpUrl: c.smtp.url, from: "crm@acme.example" });
    const deps = { ...c.server.deps, email, sms: undefined as never, organizer: { name: "x", email: "crm@acme.example" } };
    // Queued while the customer could receive it, as a campaign leaves it, and not yet sent.
    const queue = async (purpose: "Marketing" | "Transactional") => {
      const id = randomUUID();
      const now = new Date();
      await insertCommunication(c.server.deps.db, { id, tenantId: tenant, customerId, type: "Email", purpose, direction: "Outbound", status: "Queued", occurredAt: now, createdAt: now, createdBy: "u", subject: `${purpose} ${id}`, bodyText: "x", recipientEmail: "peter@initech.example" });
      return id;
    };
    try {
      const sale = await queue("Marketing");
      const receipt = await queue("Transactional");
      expect((await admin.post(`/customers/${customerId}/suspend`, { reason: "Fraud" })).status).toBe(200);
      await runSendEmail(deps, { communicationId: sale, tenantId: tenant });
      await runSendEmail(deps, { communicationId: receipt, tenantId: tenant });
      await c.smtp.waitFor((m) => m.subject === `Transactional ${receipt}`);
      expect(c.smtp.messages.filter((m) => m.subject === `Marketing ${sale}`)).toHaveLength(0);
      expect(await findCommunication(c.server.deps.db, tenant, sale)).toMatchObject({ status: "Failed", failureReason: expect.stringMatching(/^COMM-004: .*Suspended/) });

      expect((await admin.post(`/customers/${customerId}/unsuspend`, { reason: "Cleared" })).status).toBe(200);
      const optedOut = await queue("Marketing");
      await admin.put(`/customers/${customerId}/preferences`, { marketingConsent: false });
      await runSendEmail(deps, { communicationId: optedOut, tenantId: tenant });
      expect(await findCommunication(c.server.deps.db, tenant, optedOut)).toMatchObject({ status: "Failed", failureReason: expect.stringMatching(/consent/) });

      await admin.put(`/customers/${customerId}/preferences`, { marketingConsent: true });
      const wanted = await queue("Marketing");
      await runSendEmail(deps, { communicationId: wanted, tenantId: tenant });
      await c.smtp.waitFor((m) => m.subject === `Marketing ${wanted}`);
      expect(c.smtp.messages.filter((m) => m.subject === `Marketing ${optedOut}`)).toHaveLength(0);
    } finally {
      email.close();
    }
  });
});

describe("campaign email", () => {
  it("queues one personalized email per customer and reports each refusal with its reason", async () => {
    const tenant = newTenant();
    const api = rest(c.server.url, await c.server.token("MarketingManager", tenant));
    const admin = rest(c.server.url, await c.server.token("Admin", tenant));
    const make = async (name: string, prefs: Record<string, unknown>) => (await admin.post("/customers", customerBody({ companyName: name, preferences: prefs }))).body.id as string;
    const yes = await make("Opted In Ltd", { marketingConsent: true });
    const no = await make("Opted Out Ltd", {});
    const deactivated = await make("Gone Ltd", { marketingConsent: true });
    await admin.post(`/customers/${deactivated}/deactivate`, { reason: "Closed down" });
    const res = await api.post("/communications/email/bulk", {
      customerIds: [yes, no, deactivated, "00000000-0000-4000-8000-000000000000"],
      subject: "Spring offers for {{companyName}}",
      body: "Hello {{companyName}}",
    });
    expect(res.status).toBe(201);
    expect(res.body.accepted.map((a: any) => a.customerId)).toEqual([yes]);
    expect(res.body.blocked.map((b: any) => [b.customerId, b.code])).toEqual([
      [no, "COMM-004"],
      [deactivated, "CUST-001"],
      ["00000000-0000-4000-8000-000000000000", "CUST-001"],
    ]);
    const mail = await c.smtp.waitFor((m) => m.subject === "Spring offers for Opted In Ltd");
    expect(mail.headers["x-clientele-purpose"]).toBe("Marketing");
    expect((await api.post("/communications/email/bulk", { customerIds: [yes], subject: "Hi {{shoeSize}}", body: "x" })).status).toBe(400);
    expect((await api.post("/communications/email/bulk", { customerIds: [], subject: "Hi", body: "x" })).status).toBe(400);
    expect((await rest(c.server.url, await c.server.token("Viewer", tenant)).post("/communications/email/bulk", { customerIds: [yes], subject: "Hi", body: "x" })).status).toBe(403);
  });
});
