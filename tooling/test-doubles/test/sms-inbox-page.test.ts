import { createServer, type IncomingMessage } from "node:http";
import { type AddressInfo } from "node:net";
import { createSmsSender, validateTwilioSignature, type SmsSender } from "@clientele/messaging";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTwilioStandIn, type TwilioStandIn } from "../src/index";

const accountSid = `AC${"2".repeat(32)}`;
const authToken = "page-auth-token";

/** Our side of the webhooks: records what arrives and whether Twilio's signature checks out. */
type Received = { path: string; params: Record<string, string>; signed: boolean };
const received: Received[] = [];
const receiver = createServer((req: IncomingMessage, res) => {
  let body = "";
  req.on("data", (chunk: Buffer) => (body += chunk));
  req.on("end", () => {
    const params = Object.fromEntries(new URLSearchParams(body));
    const url = `${receiverUrl}${req.url}`;
    const signed = validateTwilioSignature({ authToken, signature: String(req.headers["x-twilio-signature"] ?? ""), url, params });
    received.push({ path: req.url ?? "", params, signed });
    res.writeHead(signed ? 200 : 401, { "content-type": "text/xml" }).end("<Response/>");
  });
});
let receiverUrl = "";
let standIn: TwilioStandIn;
let sender: SmsSender;

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  standIn = await startTwilioStandIn({
    accountSid,
    authToken,
    inboundUrl: `${receiverUrl}/inbound`,
    deliver: { sentAfterMs: 20, deliveredAfterMs: 20 },
  });
  sender = createSmsSender({ accountSid, authToken, from: "+15005550006", apiBaseUrl: standIn.url, statusCallbackUrl: `${receiverUrl}/status` });
});
afterAll(async () => {
  await standIn.close();
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});
beforeEach(() => {
  standIn.clear();
  received.length = 0;
});

const page = () => fetch(standIn.pageUrl).then(async (r) => ({ status: r.status, type: r.headers.get("content-type"), html: await r.text() }));
const postForm = (path: string, fields: Record<string, string>) =>
  fetch(`${standIn.url}${path}`, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields) });
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};

describe("the SMS inbox page", () => {
  it("lists every message with to, from, body, status and time, escaped, without Twilio's Basic auth", async () => {
    await sender.send({ to: "+491511234567", body: "<script>alert(1)</script> & see you at 10:00", idempotencyKey: "p-1" });
    const { status, type, html } = await page();
    expect(status).toBe(200);
    expect(type).toContain("text/html");
    expect(html).toContain("+491511234567");
    expect(html).toContain("+15005550006");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt; &amp; see you at 10:00");
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    expect(html).toMatch(/class="status">(queued|sent|delivered)/);
    // The REST API behind it still wants the account's credentials.
    expect((await fetch(`${standIn.url}/2010-04-01/Accounts/${accountSid}/Messages.json`)).status).toBe(401);
  });

  it("reports sent, then delivered, to the message's status callback, signed as Twilio signs", async () => {
    const { sid } = await sender.send({ to: "+491511234567", body: "shipped", idempotencyKey: "p-2" });
    const callbacks = () => received.filter((r) => r.params.MessageSid === sid);
    await until(() => callbacks().length === 2);
    expect(callbacks().map((r) => [r.path, r.params.MessageStatus, r.params.MessageSid, r.signed])).toEqual([
      ["/status", "sent", sid, true],
      ["/status", "delivered", sid, true],
    ]);
    expect(standIn.messages[0]?.status).toBe("delivered");
    expect((await page()).html).toContain("sent → 200<br>delivered → 200");
  });

  it("reports a status chosen on the page (failed, with Twilio's error code)", async () => {
    const { sid } = await sender.send({ to: "+491511234567", body: "will fail", idempotencyKey: "p-3" });
    const callbacks = () => received.filter((r) => r.params.MessageSid === sid);
    await until(() => callbacks().length === 2);
    const res = await postForm(`/messages/${sid}/status`, { status: "failed" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/");
    expect(callbacks()[2]).toMatchObject({ path: "/status", signed: true, params: { MessageSid: sid, MessageStatus: "failed", ErrorCode: "30003" } });
    expect((await postForm(`/messages/${sid}/status`, { status: "exploded" })).status).toBe(404);
  });

  it("simulates an incoming text (STOP) as a signed inbound webhook and shows the API's answer", async () => {
    const res = await postForm("/inbound", { From: "+491511234567", To: "+15005550006", Body: "STOP" });
    expect(res.status).toBe(303);
    const inbound = received.filter((r) => r.path === "/inbound");
    expect(inbound).toHaveLength(1);
    expect(inbound[0]).toMatchObject({ path: "/inbound", signed: true, params: { From: "+491511234567", To: "+15005550006", Body: "STOP", AccountSid: accountSid } });
    expect(standIn.inbound[0]).toMatchObject({ from: "+491511234567", body: "STOP", httpStatus: 200 });
    expect((await page()).html).toMatch(/<td>\+491511234567<\/td><td>\+15005550006<\/td><td class="body">STOP<\/td>\s*<td>200<\/td>/);
    expect((await postForm("/inbound", { From: "", Body: "STOP" })).status).toBe(400);
  });
});
