import { listEventsForAggregate } from "@clientele/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startComms, type Comms } from "./comms-harness";
import { customerBody, eventually, newTenant, rest, type Api } from "./harness";

let c: Comms;
beforeAll(async () => {
  c = await startComms({ SMS_LIMIT_PER_NUMBER_PER_HOUR: "4" });
});
afterAll(() => c.close());

let n = 0;
async function setup() {
  const tenant = newTenant();
  const api = rest(c.server.url, await c.server.token("SalesRep", tenant));
  n += 1;
  const phone = `+1415555${String(2600 + n).padStart(4, "0")}`;
  const customer = (await api.post("/customers", customerBody({ companyName: "Umbrella Corp", primaryPhone: phone }))).body;
  return { tenant, api, customerId: customer.id as string, phone };
}
const settled = (api: Api, customerId: string, id: string, not = ["Queued", "Sending"]) =>
  eventually(() => api.get(`/customers/${customerId}/communications/${id}`).then((r) => r.body), (b) => !not.includes(b.status));
const statusUrl = () => `${c.server.url}/api/v1/webhooks/twilio/status`;
const inboundUrl = () => `${c.server.url}/api/v1/webhooks/twilio/inbound`;

describe("SMS", () => {
  it("sends through Twilio with segments counted, then follows Twilio's status callbacks", async () => {
    const { tenant, api, customerId, phone } = await setup();
    const res = await api.post(`/customers/${customerId}/communications/sms`, { message: "Hi {{companyName}}, your order shipped." });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "Queued", segments: 1, encoding: "GSM-7" });
    const sent = await c.twilio.waitFor((m) => m.to === phone);
    expect(sent.body).toBe("Hi Umbrella Corp, your order shipped.");
    expect(sent.idempotencyToken).toBe(res.body.communicationId);
    const after = await settled(api, customerId, res.body.communicationId);
    expect(after.status).toBe("Sent");
    expect((await listEventsForAggregate(c.server.deps.db, tenant, res.body.communicationId))[0]!.envelope.type).toBe("CustomerSMSSent");

    // Forged callbacks are refused; signed ones move the status forward only.
    const forged = await fetch(statusUrl(), { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": "bogus" }, body: `MessageSid=${sent.sid}&MessageStatus=failed` });
    expect(forged.status).toBe(401);
    expect((await c.twilio.sendStatusCallback(statusUrl(), { MessageSid: sent.sid, MessageStatus: "delivered" })).status).toBe(200);
    expect((await api.get(`/customers/${customerId}/communications/${res.body.communicationId}`)).body.status).toBe("Delivered");
    await c.twilio.sendStatusCallback(statusUrl(), { MessageSid: sent.sid, MessageStatus: "sent" });
    expect((await api.get(`/customers/${customerId}/communications/${res.body.communicationId}`)).body.status).toBe("Delivered");
  });

  it("counts UCS-2 segments and refuses bad numbers and over-long messages", async () => {
    const { api, customerId } = await setup();
    const url = `/customers/${customerId}/communications/sms`;
    const unicode = await api.post(url, { message: "Привет! ".repeat(10) });
    expect(unicode.body).toMatchObject({ encoding: "UCS-2", segments: 2 });
    expect((await api.post(url, { message: "x".repeat(1601) })).body.errors.message).toBeDefined();
    expect((await api.post(url, { message: "" })).body.errors.message).toBeDefined();
    const bad = await api.post(url, { recipientPhone: "12", message: "hi" });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.recipientPhone).toBeDefined();
  });

  it("honours STOP (and its synonyms) until START, from signed inbound messages only", async () => {
    const { api, customerId, phone } = await setup();
    const url = `/customers/${customerId}/communications/sms`;
    const unsigned = await fetch(inboundUrl(), { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `From=${encodeURIComponent(phone)}&Body=STOP` });
    expect(unsigned.status).toBe(401);
    const stop = await c.twilio.sendInbound(inboundUrl(), { From: phone, To: "+15005550006", Body: " unsubscribe " });
    expect(stop.status).toBe(200);
    expect(stop.body).toContain("<Response>");
    const blocked = await api.post(url, { message: "Anything", purpose: "Transactional" });
    expect(blocked.status).toBe(400);
    expect(blocked.body.code).toBe("COMM-006");
    await c.twilio.sendInbound(inboundUrl(), { From: phone, To: "+15005550006", Body: "START" });
    expect((await api.post(url, { message: "Welcome back" })).status).toBe(201);
  });

  it("needs marketing consent and SMS switched on for marketing texts", async () => {
    const { api, customerId } = await setup();
    const url = `/customers/${customerId}/communications/sms`;
    await api.put(`/customers/${customerId}/preferences`, { marketingConsent: true });
    const smsOff = await api.post(url, { message: "Sale!", purpose: "Marketing" });
    expect(smsOff.status).toBe(400);
    expect(smsOff.body.detail).toMatch(/does not accept SMS/);
    await api.put(`/customers/${customerId}/preferences`, { communication: { channels: ["Email", "SMS"] }, notifications: { sms: true } });
    expect((await api.post(url, { message: "Sale!", purpose: "Marketing" })).status).toBe(201);
  });

  it("retries Twilio's transient errors once-only, and fails at once on a permanent one", async () => {
    const { api, customerId, phone } = await setup();
    const url = `/customers/${customerId}/communications/sms`;
    c.twilio.failNext(1, { status: 500 });
    const retried = await api.post(url, { message: "Second time lucky" });
    expect((await settled(api, customerId, retried.body.communicationId)).status).toBe("Sent");
    expect(c.twilio.messages.filter((m) => m.to === phone && m.body === "Second time lucky")).toHaveLength(1);

    c.twilio.failNext(1, { status: 400, code: 21211, message: "The 'To' number is not a valid phone number." });
    const failed = await api.post(url, { message: "Never arrives" });
    const done = await settled(api, customerId, failed.body.communicationId);
    expect(done.status).toBe("Failed");
    expect(done.failureReason).toMatch(/21211/);
  });

  it("limits texts per recipient number (SMS pumping guard) with 429", async () => {
    const { api, customerId } = await setup();
    const url = `/customers/${customerId}/communications/sms`;
    const results = [];
    for (let i = 0; i < 5; i++) results.push((await api.post(url, { message: `n${i}` })).status);
    expect(results).toEqual([201, 201, 201, 201, 429]);
  });
});

describe("phone calls", () => {
  it("are logged with their event; bad call types, short summaries and future times are refused", async () => {
    const { tenant, api, customerId } = await setup();
    const url = `/customers/${customerId}/communications/phone-call`;
    const body = { phoneNumber: "+44 20 7946 0958", callType: "Inbound", durationInSeconds: 312, summary: "Asked about renewal pricing", notes: "Call back Tuesday", callTime: new Date(Date.now() - 3600_000).toISOString() };
    const res = await api.post(url, body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ type: "PhoneCall", direction: "Inbound", status: "Completed", durationInSeconds: 312, recipientPhone: "+442079460958" });
    expect((await listEventsForAggregate(c.server.deps.db, tenant, res.body.id))[0]!.envelope).toMatchObject({ type: "CustomerPhoneCallLogged", data: { callType: "Inbound", durationInSeconds: 312 } });
    expect((await api.post(url, { ...body, callType: "Sideways" })).body.errors.callType).toBeDefined();
    expect((await api.post(url, { ...body, summary: "short" })).body.errors.summary).toBeDefined();
    expect((await api.post(url, { ...body, callTime: new Date(Date.now() + 86_400_000).toISOString() })).body.errors.callTime).toBeDefined();
    expect((await api.post(url, { ...body, durationInSeconds: -1 })).body.errors.durationInSeconds).toBeDefined();
  });
});

describe("communication history", () => {
  it("lists newest first with type and date filters and pages, refreshed on every change", async () => {
    const { tenant, api, customerId } = await setup();
    const call = (minutesAgo: number) =>
      api.post(`/customers/${customerId}/communications/phone-call`, { phoneNumber: "+14155552671", callType: "Outbound", durationInSeconds: 60, summary: `Call ${minutesAgo} minutes ago`, callTime: new Date(Date.now() - minutesAgo * 60_000).toISOString() });
    await call(300);
    await call(200);
    await call(100);
    const sms = await api.post(`/customers/${customerId}/communications/sms`, { message: "History check" });
    const url = `/customers/${customerId}/communications`;

    const all = (await api.get(url)).body;
    expect(all).toMatchObject({ totalCount: 4, page: 1, pageSize: 20 });
    expect(all.items[0].id).toBe(sms.body.communicationId);
    expect(all.items.slice(1).map((i: any) => i.subject)).toEqual(["Call 100 minutes ago", "Call 200 minutes ago", "Call 300 minutes ago"]);
    expect((await api.get(`${url}?type=PhoneCall`)).body.totalCount).toBe(3);
    expect((await api.get(`${url}?type=Phone,SMS`)).body.totalCount).toBe(4);
    const from = new Date(Date.now() - 250 * 60_000).toISOString();
    const to = new Date(Date.now() - 150 * 60_000).toISOString();
    expect((await api.get(`${url}?startDate=${from}&endDate=${to}`)).body.items.map((i: any) => i.subject)).toEqual(["Call 200 minutes ago"]);
    const page2 = (await api.get(`${url}?pageSize=3&page=2`)).body;
    expect(page2).toMatchObject({ totalCount: 4, totalPages: 2 });
    expect(page2.items).toHaveLength(1);
    expect((await api.get(`${url}?startDate=yesterday`)).status).toBe(400);

    // Cached, but the worker's status change retires it.
    const sent = await eventually(() => api.get(url).then((r) => r.body.items[0].status), (s) => s === "Sent");
    expect(sent).toBe("Sent");
    // A deactivated customer's history is hidden at once, even though it was cached; back on reactivation.
    const admin = rest(c.server.url, await c.server.token("Admin", tenant));
    expect((await admin.post(`/customers/${customerId}/deactivate`, { reason: "Closed account" })).status).toBe(200);
    expect((await api.get(url)).status).toBe(404);
    expect((await admin.post(`/customers/${customerId}/reactivate`, { reason: "Reopened account" })).status).toBe(200);
    expect((await api.get(url)).body.totalCount).toBe(4);
    expect((await rest(c.server.url, await c.server.token("Admin", newTenant())).get(url)).status).toBe(404);
    const empty = await setup();
    expect((await empty.api.get(`/customers/${empty.customerId}/communications`)).body).toMatchObject({ items: [], totalCount: 0 });
  });
});
