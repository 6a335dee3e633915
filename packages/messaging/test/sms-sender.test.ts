import twilio from "twilio";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  IDEMPOTENCY_HEADER,
  MessageRejectedError,
  classifyTwilioError,
  createSmsSender,
  type SmsSender,
} from "../src/index";
import { startFakeTwilioApi } from "./support/fake-twilio-api";
import { closedPortUrl, rejection } from "./support/helpers";

const accountSid = `AC${"a".repeat(32)}`;
const authToken = "test-auth-token";
const serviceSid = `MG${"b".repeat(32)}`;

let api: Awaited<ReturnType<typeof startFakeTwilioApi>>;
let sender: SmsSender;

beforeAll(async () => {
  api = await startFakeTwilioApi();
  sender = createSmsSender({
    accountSid,
    authToken,
    from: "+15005550006",
    apiBaseUrl: api.url,
    statusCallbackUrl: "https://app.example/webhooks/twilio/status",
  });
});
afterAll(() => api.close());
afterEach(() => {
  api.requests.length = 0;
});

describe("createSmsSender", () => {
  it("posts to the overridden base URL with auth, idempotency token and status callback", async () => {
    const result = await sender.send({ to: "+491511234567", body: "Hello", idempotencyKey: "sms-1" });
    expect(result).toEqual({ sid: `SM${"0".repeat(31)}1`, status: "queued", segments: 1 });
    const request = api.requests[0];
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe(`/2010-04-01/Accounts/${accountSid}/Messages.json`);
    expect(request?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`,
    );
    expect(request?.headers[IDEMPOTENCY_HEADER.toLowerCase()]).toBe("sms-1");
    expect(request?.form).toEqual({
      To: "+491511234567",
      From: "+15005550006",
      Body: "Hello",
      StatusCallback: "https://app.example/webhooks/twilio/status",
    });
  });

  it("keeps idempotency keys apart for concurrent sends", async () => {
    await Promise.all(
      ["k1", "k2", "k3", "k4"].map((key) => sender.send({ to: "+491511234567", body: key, idempotencyKey: key })),
    );
    for (const request of api.requests) {
      expect(request.headers[IDEMPOTENCY_HEADER.toLowerCase()]).toBe(request.form.Body);
    }
  });

  it("uses a Messaging Service SID and counts segments itself when Twilio reports none yet", async () => {
    const viaService = createSmsSender({ accountSid, authToken, from: serviceSid, apiBaseUrl: `${api.url}/` });
    const result = await viaService.send({ to: "+491511234567", body: "ж".repeat(71), idempotencyKey: "sms-2" });
    expect(result.segments).toBe(2);
    expect(api.requests[0]?.form).toEqual({ To: "+491511234567", MessagingServiceSid: serviceSid, Body: "ж".repeat(71) });
  });

  it("rejects bad configuration", () => {
    expect(() => createSmsSender({ accountSid: "XX1", authToken, from: "+15005550006" })).toThrow(/AC/);
    expect(() => createSmsSender({ accountSid, authToken: "", from: "+15005550006" })).toThrow(/authToken/);
    expect(() => createSmsSender({ accountSid, authToken, from: "+0151 1234" })).toThrow(/E\.164/);
    expect(() => createSmsSender({ accountSid, authToken, from: "TooLongSenderId" })).toThrow(/alphanumeric/);
    expect(() => createSmsSender({ accountSid, authToken, from: "12345" })).toThrow();
    expect(() => createSmsSender({ accountSid, authToken, from: "Clientele" })).not.toThrow();
  });

  it.each([
    ["to", { to: "01511234567", body: "x", idempotencyKey: "k" }],
    ["body", { to: "+491511234567", body: "  ", idempotencyKey: "k" }],
    ["long body", { to: "+491511234567", body: "x".repeat(1601), idempotencyKey: "k" }],
    ["idempotencyKey", { to: "+491511234567", body: "x", idempotencyKey: "k\r\nX: y" }],
  ])("refuses a bad %s without calling Twilio", async (_field, message) => {
    const error = await rejection(sender.send(message));
    expect(error).toBeInstanceOf(MessageRejectedError);
    expect(error.permanent).toBe(true);
    expect(api.requests).toHaveLength(0);
  });
});

describe("Twilio error classification", () => {
  const cases: [string, number, Record<string, unknown>, boolean, string | undefined][] = [
    ["invalid To", 400, { code: 21211, message: "The 'To' number is not a valid phone number." }, true, "21211"],
    ["unsubscribed", 400, { code: 21610, message: "Attempt to send to unsubscribed recipient" }, true, "21610"],
    ["not a mobile", 400, { code: 21614, message: "'To' number is not a valid mobile number" }, true, "21614"],
    ["region disabled", 400, { code: 21408, message: "Permission to send an SMS has not been enabled" }, true, "21408"],
    ["bad credentials", 401, { code: 20003, message: "Authenticate" }, true, "20003"],
    ["forbidden", 403, { code: 20403, message: "Forbidden" }, true, "20403"],
    ["not found", 404, { code: 20404, message: "Not found" }, true, "20404"],
    ["rate limited", 429, { code: 20429, message: "Too Many Requests" }, false, "20429"],
    ["server error", 500, { code: 20500, message: "Internal Server Error" }, false, "20500"],
    ["unavailable, no body", 503, {}, false, undefined],
  ];

  it.each(cases)("%s (HTTP %i) → permanent=%s", async (_name, status, body, permanent, providerCode) => {
    api.reply({ status, body: { ...body, more_info: "https://www.twilio.com/docs/errors", status } });
    const error = await rejection(sender.send({ to: "+491511234567", body: "x", idempotencyKey: "k" }));
    expect(error.permanent).toBe(permanent);
    expect(error.providerCode).toBe(providerCode);
    expect(error.channel).toBe("sms");
    expect(error.message).toContain(`HTTP ${status}`);
    if (typeof body.message === "string") expect(error.message).toContain(body.message);
  });

  it("treats an unreachable API as transient", async () => {
    const offline = createSmsSender({ accountSid, authToken, from: "+15005550006", apiBaseUrl: await closedPortUrl("http") });
    const error = await rejection(offline.send({ to: "+491511234567", body: "x", idempotencyKey: "k" }));
    expect(error.permanent).toBe(false);
    expect(error.providerCode).toBe("ECONNREFUSED");
  });

  it("classifies SDK exceptions directly", () => {
    const rest = new twilio.RestException({ statusCode: 400, body: { code: 21211, message: "bad To" } });
    expect(classifyTwilioError(rest)).toMatchObject({ permanent: true, providerCode: "21211" });
    const unknown4xx = new twilio.RestException({ statusCode: 409, body: { code: 20409, message: "Conflict" } });
    expect(classifyTwilioError(unknown4xx).permanent).toBe(true);
    expect(classifyTwilioError(new Error("socket hang up")).permanent).toBe(false);
    const own = new MessageRejectedError("sms", "to", "bad");
    expect(classifyTwilioError(own)).toBe(own);
  });
});
