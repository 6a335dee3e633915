import twilio from "twilio";

export type TwilioWebhookParams = Record<string, string>;

/**
 * Checks `X-Twilio-Signature`. `url` must be the full public URL Twilio called, query string
 * included, and `params` the POSTed form fields; the SDK also tries the URL with and without the port.
 */
export function validateTwilioSignature(input: {
  authToken: string;
  signature: string | undefined;
  url: string;
  params: TwilioWebhookParams;
}): boolean {
  if (!input.signature || !input.authToken) return false;
  try {
    return twilio.validateRequest(input.authToken, input.signature, input.url, input.params);
  } catch {
    // A malformed URL is an invalid request, not a server error.
    return false;
  }
}

/** The signature Twilio would send for this request: base64 HMAC-SHA1 over the URL plus sorted key/value pairs. */
export function signTwilioRequest(input: { authToken: string; url: string; params: TwilioWebhookParams }): string {
  return twilio.getExpectedTwilioSignature(input.authToken, input.url, input.params);
}
