import { dropDatabase, listAudit, listEventsForAggregate, migrateDownAll, migrateToLatest, setSmsOptOut, suppressEmail } from "@clientele/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startComms, type Comms } from "./comms-harness";
import { customerBody, databaseUrl, eventually, newTenant, rest, type Api } from "./harness";

let c: Comms;
beforeAll(async () => {
  c = await startComms();
});
afterAll(() => c.close());

async function setup(roles: "CustomerManager" | "SalesRep" = "CustomerManager") {
  const tenant = newTenant();
  const token = await c.server.token(roles, tenant);
  const api = rest(c.server.url, token);
  const customer = (await api.post("/customers", customerBody({ companyName: "Initech" }))).body;
  return { tenant, token, api, customerId: customer.id as string };
}
const comm = (api: Api, customerId: string, id: string) => api.get(`/customers/${customerId}/communications/${id}`).then((r) => r.body);
const settled = (api: Api, customerId: string, id: string) => eventually(() => comm(api, customerId, id), (b) => !["Queued", "Sending"].includes(b.status));
const copiesOf = (id: string) => c.smtp.messages.filter((m) => m.messageId === `<${id}@clientele>`);

/** An email the SMTP server refuses for good (550 after DATA): Failed at once. */
async function failedEmail(api: Api, customerId: string, subject: string) {
  c.smtp.failNext(1, { code: 550, message: "mailbox unavailable" });
  const sent = await api.post(`/customers/${customerId}/communications/email`, { recipientEmail: "peter@initech.example", subject, body: "Your invoice is attached." });
  expect(sent.status).toBe(201);
  const failed = await settled(api, customerId, sent.body.communicationId);
  expect(failed.status).toBe("Failed");
  return failed.id as string;
}

describe("resending a failed message", () => {
  it("sends a failed email again as a new, linked message, delivered exactly once, audited, with its event", async () => {
    const { tenant, api, customerId } = await setup();
    const originalId = await failedEmail(api, customerId, "Invoice 1001");
    const res = await api.post(`/customers/${customerId}/communications/${originalId}/resend`);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ type: "Email", status: "Queued", purpose: "Transactional", resentFromId: originalId });
    const resendId = res.body.communicationId as string;
    expect(resendId).not.toBe(originalId);

    const mail = await c.smtp.waitFor((m) => m.messageId === `<${resendId}@clientele>`);
    expect(mail.subject).toBe("Invoice 1001");
    expect(mail.envelope.to).toEqual(["peter@initech.example"]);
    expect(await settled(api, customerId, resendId)).toMatchObject({ status: "Sent", resentFromId: originalId, recipientEmail: "peter@initech.example" });
    // The original keeps its history; nothing retries it behind our back.
    expect(await comm(api, customerId, originalId)).toMatchObject({ status: "Failed", resentFromId: null });
    await new Promise((r) => setTimeout(r, 1500));
    expect(copiesOf(resendId)).toHaveLength(1);
    expect(copiesOf(originalId)).toHaveLength(0);

    const audit = await listAudit(c.server.deps.db, tenant, "Communication", resendId);
    expect(audit.map((a) => [a.action, a.actorId])).toEqual([["EmailResent", "user-1"]]);
    const events = await listEventsForAggregate(c.server.deps.db, tenant, resendId);
    expect(events.map((e) => e.envelope.type)).toEqual(["CommunicationResent", "CustomerEmailSent"]);
    expect(events[0]!.envelope.data).toMatchObject({ communicationId: resendId, resentFromId: originalId, customerId, type: "Email" });
  });

  it("turns two concurrent resends of one message into one new attempt; the other gets 409 COMM-011", async () => {
    const { api, customerId } = await setup();
    const originalId = await failedEmail(api, customerId, "Invoice 1002");
    const url = `/customers/${customerId}/communications/${originalId}/resend`;
    const results = await Promise.all(Array.from({ length: 4 }, () => api.post(url)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    const winner = results.find((r) => r.status === 201)!.body.communicationId as string;
    for (const lost of results.filter((r) => r.status === 409)) expect(lost.body.code).toBe("COMM-011");
    const later = await api.post(url);
    expect(later.status).toBe(409);
    expect(later.body).toMatchObject({ code: "COMM-011" });
    expect(later.body.detail).toContain(winner);
    const history = (await api.get(`/customers/${customerId}/communications?type=Email`)).body.items as { resentFromId: string | null }[];
    expect(history.filter((h) => h.resentFromId === originalId)).toHaveLength(1);
    await settled(api, customerId, winner);
    await new Promise((r) => setTimeout(r, 1000));
    expect(c.smtp.messages.filter((m) => m.subject === "Invoice 1002")).toHaveLength(1);
  });

  it("over tRPC too", async () => {
    const { token, api, customerId } = await setup();
    const originalId = await failedEmail(api, customerId, "Invoice 1003");
    const res = await fetch(`${c.server.url}/trpc/communications.resend`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ customerId, communicationId: originalId }),
    });
    expect(res.status).toBe(200);
    const { result } = (await res.json()) as { result: { data: { communicationId: string; resentFromId: string } } };
    expect(result.data.resentFromId).toBe(originalId);
    await c.smtp.waitFor((m) => m.messageId === `<${result.data.communicationId}@clientele>`);
  });

  it("refuses a message that did not fail (400 COMM-010), a suppressed address (COMM-005), and a number that texted STOP (COMM-006)", async () => {
    const { tenant, api, customerId } = await setup();
    const sent = await api.post(`/customers/${customerId}/communications/email`, { recipientEmail: "peter@initech.example", subject: "Fine", body: "x" });
    expect((await settled(api, customerId, sent.body.communicationId)).status).toBe("Sent");
    const notFailed = await api.post(`/customers/${customerId}/communications/${sent.body.communicationId}/resend`);
    expect(notFailed.status).toBe(400);
    expect(notFailed.body).toMatchObject({ code: "COMM-010" });
    expect(notFailed.body.detail).toMatch(/Sent/);

    const failedId = await failedEmail(api, customerId, "Invoice 1004");
    await suppressEmail(c.server.deps.db, { tenantId: tenant, email: "peter@initech.example", reason: "hard bounce: test", communicationId: failedId, createdAt: new Date() });
    const suppressed = await api.post(`/customers/${customerId}/communications/${failedId}/resend`);
    expect(suppressed.status).toBe(400);
    expect(suppressed.body).toMatchObject({ code: "COMM-005" });

    const phone = `+1415555${String(Date.now() % 10_000).padStart(4, "0")}`;
    c.twilio.failNext(1, { status: 400, code: 21610, message: "Attempt to send to unsubscribed recipient" });
    const sms = await api.post(`/customers/${customerId}/communications/sms`, { recipientPhone: phone, message: "Your code is 1234" });
    expect((await settled(api, customerId, sms.body.communicationId)).status).toBe("Failed");
    await setSmsOptOut(c.server.deps.db, phone, true, "STOP", new Date());
    const stopped = await api.post(`/customers/${customerId}/communications/${sms.body.communicationId}/resend`);
    expect(stopped.status).toBe(400);
    expect(stopped.body).toMatchObject({ code: "COMM-006" });
    // Opted back in, the failed text goes out once, as a new message.
    await setSmsOptOut(c.server.deps.db, phone, false, "START", new Date());
    const resent = await api.post(`/customers/${customerId}/communications/${sms.body.communicationId}/resend`);
    expect(resent.status).toBe(201);
    expect(resent.body).toMatchObject({ type: "SMS", resentFromId: sms.body.communicationId });
    expect((await settled(api, customerId, resent.body.communicationId)).status).toBe("Sent");
    expect(c.twilio.messages.filter((m) => m.to === phone)).toHaveLength(1);
  });

  it("needs communication:send (Viewer 403), a token (401), and a message of this customer (404)", async () => {
    const { tenant, api, customerId } = await setup();
    const failedId = await failedEmail(api, customerId, "Invoice 1005");
    const url = `/customers/${customerId}/communications/${failedId}/resend`;
    expect((await (await c.server.as("Viewer", tenant)).post(url)).status).toBe(403);
    expect((await rest(c.server.url).post(url)).status).toBe(401);
    const other = (await api.post("/customers", customerBody())).body.id as string;
    expect((await api.post(`/customers/${other}/communications/${failedId}/resend`)).status).toBe(404);
    expect((await (await c.server.as("CustomerManager", newTenant())).post(url)).status).toBe(404);
  });
});

describe("the resend migration", () => {
  it("goes down and up again", async () => {
    const url = `${databaseUrl()}_resend_migration`;
    await migrateToLatest(url);
    try {
      await migrateDownAll(url);
      await migrateToLatest(url);
    } finally {
      await dropDatabase(url);
    }
  });
});
