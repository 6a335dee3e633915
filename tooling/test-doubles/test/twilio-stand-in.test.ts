import { createServer, type Server } from "node:http";
import { type AddressInfo } from "node:net";
import {
  classifyInbound,
  createSmsSender,
  validateTwilioSignature,
  type SmsSender,
} from "@clientele/messaging";
import twilio from "twilio";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTwilioStandIn, type TwilioStandIn } from "../src/index";
import { deliveryError } from "./support/delivery-error";

const accountSid = `AC${"1".repeat(32)}`;
const authToken = "stand-in-auth-token";

let standIn: TwilioStandIn;
let sender: SmsSender;

beforeAll(async () => {
  standIn = await startTwilioStandIn({ accountSid, authToken });
  sender = createSmsSender({
    accountSid,
    authToken,
    from: "+15005550006",
    apiBaseUrl: standIn.url,
    statusCallbackUrl: "https://api.clientele.test/webhooks/twilio/status",
  });
});
afterAll(() => standIn.close());
beforeEach(() => standIn.clear());

describe("startTwilioStandIn with the twilio SDK", () => {
  it("records a message sent through createSmsSender, idempotency token included", async () => {
    const result = await sender.send({ to: "+491511234567", body: "Your appointment is at 10:00 €", idempotencyKey: "job-1" });
    expect(result.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(result.status).toBe("queued");
    expect(result.segments).toBe(1);

    const recorded = await standIn.waitFor((m) => m.sid === result.sid);
    expect(recorded).toMatchObject({
      accountSid,
      to: "+491511234567",
      from: "+15005550006",
      body: "Your appointment is at 10:00 €",
      statusCallback: "https://api.clientele.test/webhooks/twilio/status",
      idempotencyToken: "job-1",
      numSegments: 1,
    });
  });

  it("answers with Twilio's JSON and serves the message back by SID", async () => {
    const client = twilio(accountSid, authToken);
    client.api.baseUrl = standIn.url;
    const created = await client.messages.create({
      to: "+491511234567",
      messagingServiceSid: `MG${"2".repeat(32)}`,
      body: "ж".repeat(71),
    });
    expect(created.status).toBe("accepted");
    expect(created.numSegments).toBe("2");
    expect(created.errorCode).toBeNull();
    expect(created.dateCreated).toBeInstanceOf(Date);
    expect(created.uri).toBe(`/2010-04-01/Accounts/${accountSid}/Messages/${created.sid}.json`);

    standIn.setStatus(created.sid, "delivered");
    const fetched = await client.messages(created.sid).fetch();
    expect(fetched.status).toBe("delivered");
    await expect(client.messages(`SM${"0".repeat(32)}`).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
  });

  it("refuses wrong credentials with 401 and validates required fields", async () => {
    const wrong = createSmsSender({ accountSid, authToken: "wrong", from: "+15005550006", apiBaseUrl: standIn.url });
    const error = await deliveryError(wrong.send({ to: "+491511234567", body: "x", idempotencyKey: "k" }));
    expect(error).toMatchObject({ permanent: true, providerCode: "20003" });

    const response = await fetch(`${standIn.url}/2010-04-01/Accounts/${accountSid}/Messages.json`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "From=%2B15005550006&Body=hi",
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 21604, status: 400 });
    expect(standIn.messages).toHaveLength(0);
  });

  it("failNext 500 → transient DeliveryError, then the retry succeeds", async () => {
    standIn.failNext(1, { status: 500 });
    const error = await deliveryError(sender.send({ to: "+491511234567", body: "x", idempotencyKey: "k" }));
    expect(error.permanent).toBe(false);
    expect(error.message).toContain("HTTP 500");
    await sender.send({ to: "+491511234567", body: "x", idempotencyKey: "k" });
    expect(standIn.messages).toHaveLength(1);
  });

  it("failNext 429 → transient", async () => {
    standIn.failNext(1, { status: 429, code: 20429, message: "Too Many Requests" });
    const error = await deliveryError(sender.send({ to: "+491511234567", body: "x", idempotencyKey: "k" }));
    expect(error).toMatchObject({ permanent: false, providerCode: "20429" });
  });

  it("failNext 21211 → permanent DeliveryError with Twilio's code and message", async () => {
    standIn.failNext(1, { status: 400, code: 21211, message: "The 'To' number is not a valid phone number." });
    const error = await deliveryError(sender.send({ to: "+491511234567", body: "x", idempotencyKey: "k" }));
    expect(error.permanent).toBe(true);
    expect(error.providerCode).toBe("21211");
    expect(error.message).toContain("The 'To' number is not a valid phone number.");
    expect(standIn.messages).toHaveLength(0);
  });
});

describe("webhooks towards our API", () => {
  type Received = { url: string; signature: string | undefined; params: Record<string, string>; headers: Record<string, unknown> };
  let receiver: Server;
  let receiverUrl: string;
  const received: Received[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
        const signature = req.headers["x-twilio-signature"];
        const url = `${receiverUrl}${req.url ?? ""}`;
        received.push({ url, signature: typeof signature === "string" ? signature : undefined, params, headers: req.headers });
        const valid = validateTwilioSignature({ authToken, signature: received.at(-1)?.signature, url, params });
        res.writeHead(valid ? 200 : 403, { "content-type": "text/xml" });
        res.end(valid ? "<Response/>" : "invalid signature");
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        receiver.closeAllConnections();
        receiver.close(() => resolve());
      }),
  );
  beforeEach(() => {
    received.length = 0;
  });

  it("sends a status callback our validator accepts", async () => {
    const sent = await sender.send({ to: "+491511234567", body: "x", idempotencyKey: "k" });
    const response = await standIn.sendStatusCallback(`${receiverUrl}/webhooks/twilio/status?tenant=t1`, {
      MessageSid: sent.sid,
      MessageStatus: "undelivered",
      ErrorCode: 30003,
    });
    expect(response).toEqual({ status: 200, body: "<Response/>" });
    expect(received[0]?.params).toMatchObject({
      AccountSid: accountSid,
      MessageSid: sent.sid,
      MessageStatus: "undelivered",
      ErrorCode: "30003",
      To: "+491511234567",
      From: "+15005550006",
    });
    expect(received[0]?.headers["i-twilio-idempotency-token"]).toBeTruthy();
  });

  it("sends an inbound message our validator accepts", async () => {
    const response = await standIn.sendInbound(`${receiverUrl}/webhooks/twilio/inbound`, {
      From: "+491511234567",
      To: "+15005550006",
      Body: " Stop ",
    });
    expect(response.status).toBe(200);
    const params = received[0]?.params ?? {};
    expect(params.MessageSid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(params).toMatchObject({ From: "+491511234567", To: "+15005550006", Body: " Stop ", AccountSid: accountSid });
    expect(classifyInbound(params.Body ?? "")).toBe("opt-out");
  });

  it("signs over the exact URL and fields: tampering is detected", async () => {
    await standIn.sendInbound(`${receiverUrl}/webhooks/twilio/inbound`, { From: "+1", To: "+2", Body: "hi" });
    const request = received[0];
    expect(request).toBeDefined();
    if (!request) return;
    const { signature, url, params } = request;
    expect(validateTwilioSignature({ authToken, signature, url, params })).toBe(true);
    expect(validateTwilioSignature({ authToken, signature, url, params: { ...params, Body: "HELP" } })).toBe(false);
    expect(validateTwilioSignature({ authToken: "other", signature, url, params })).toBe(false);
    expect(validateTwilioSignature({ authToken, signature, url: `${url}?x=1`, params })).toBe(false);
  });
});
