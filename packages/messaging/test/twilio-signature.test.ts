import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signTwilioRequest, validateTwilioSignature } from "../src/index";

// Twilio's published example for request validation.
const authToken = "12345";
const url = "https://mycompany.com/myapp.php?foo=1&bar=2";
const params = {
  CallSid: "CA1234567890ABCDE",
  Caller: "+14158675309",
  Digits: "1234",
  From: "+14158675309",
  To: "+18005551212",
};
const expected = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";

describe("signTwilioRequest", () => {
  it("matches Twilio's documented vector", () => {
    expect(signTwilioRequest({ authToken, url, params })).toBe(expected);
  });

  it("is HMAC-SHA1 over the URL and the sorted key/value pairs", () => {
    const data = url + Object.keys(params).sort().map((key) => key + params[key as keyof typeof params]).join("");
    expect(signTwilioRequest({ authToken, url, params })).toBe(
      createHmac("sha1", authToken).update(data).digest("base64"),
    );
  });
});

describe("validateTwilioSignature", () => {
  it("accepts the right signature, whatever the parameter order", () => {
    const reversed = Object.fromEntries(Object.entries(params).reverse());
    expect(validateTwilioSignature({ authToken, signature: expected, url, params: reversed })).toBe(true);
  });

  it("accepts a URL signed with the default port spelled out", () => {
    const withPort = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
    const signature = signTwilioRequest({ authToken, url: withPort, params });
    expect(validateTwilioSignature({ authToken, signature, url, params })).toBe(true);
  });

  it.each([
    ["a tampered parameter", { signature: expected, url, params: { ...params, Digits: "9999" } }],
    ["an added parameter", { signature: expected, url, params: { ...params, Extra: "1" } }],
    ["another URL", { signature: expected, url: "https://mycompany.com/myapp.php?foo=1&bar=3", params }],
    ["another token", { signature: expected, url, params, authToken: "54321" }],
    ["no signature", { signature: undefined, url, params }],
    ["an empty signature", { signature: "", url, params }],
    ["a garbage signature", { signature: "not-base64!", url, params }],
    ["a malformed URL", { signature: expected, url: "not a url", params }],
  ])("rejects %s", (_name, input) => {
    expect(validateTwilioSignature({ authToken, ...input })).toBe(false);
  });
});
