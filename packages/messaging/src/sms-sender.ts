import { AsyncLocalStorage } from "node:async_hooks";
import twilio from "twilio";
import type RequestClient from "twilio/lib/base/RequestClient";
import type Response from "twilio/lib/http/response";
import { DeliveryError, MessageRejectedError } from "./delivery-error";
import { smsSegments } from "./sms-segments";

export type OutgoingSms = {
  /** E.164, e.g. +4915112345678 */
  to: string;
  body: string;
  /** Our idempotency key; sent as `I-Twilio-Idempotency-Token`. */
  idempotencyKey: string;
};

export type SmsSendResult = { sid: string; status: string; segments: number };

export type SmsSender = { send(message: OutgoingSms): Promise<SmsSendResult> };

export type SmsSenderConfig = {
  accountSid: string;
  authToken: string;
  /** A sender number in E.164, a Messaging Service SID (MG…) or an alphanumeric sender ID where the country allows one. */
  from: string;
  /** Sends every API request to this origin instead of api.twilio.com, e.g. http://127.0.0.1:4010 for a local stand-in. */
  apiBaseUrl?: string | undefined;
  statusCallbackUrl?: string | undefined;
};

export const IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token";

const E164 = /^\+[1-9]\d{1,14}$/;
const MESSAGING_SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;
/** Twilio: up to 11 of A-Z, a-z, 0-9 and space, at least one letter. */
const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;
/** Twilio concatenates at most 10 segments and refuses bodies over 1600 characters (error 21617). */
const MAX_BODY_CHARACTERS = 1600;

/**
 * The SDK has no per-call headers or base-URL option, but every request goes through the client's
 * `httpClient`. This one rewrites the origin (after the SDK's edge/region handling, so
 * TWILIO_REGION cannot redirect it) and adds the idempotency header of the send in progress,
 * which AsyncLocalStorage carries so concurrent sends never mix keys.
 */
class RoutingRequestClient extends twilio.RequestClient {
  constructor(
    private readonly baseUrl: URL | undefined,
    private readonly idempotencyKeys: AsyncLocalStorage<string>,
  ) {
    super({ timeout: 15_000, keepAlive: true, autoRetry: false });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<Response<TData>> {
    const key = this.idempotencyKeys.getStore();
    const headers = { ...opts.headers, ...(key ? { [IDEMPOTENCY_HEADER]: key } : {}) };
    return super.request<TData>({ ...opts, uri: this.rewrite(opts.uri), headers });
  }

  private rewrite(uri: string): string {
    if (!this.baseUrl) return uri;
    const original = new URL(uri);
    const target = new URL(this.baseUrl.href);
    target.pathname = `${this.baseUrl.pathname.replace(/\/+$/, "")}${original.pathname}`;
    target.search = original.search;
    return target.href;
  }
}

export function createSmsSender(config: SmsSenderConfig): SmsSender {
  if (!config.accountSid.startsWith("AC")) throw new Error("accountSid must start with AC");
  if (!config.authToken) throw new Error("authToken is required");
  const useService = MESSAGING_SERVICE_SID.test(config.from);
  if (!useService && !E164.test(config.from) && !ALPHANUMERIC_SENDER.test(config.from)) {
    throw new Error("from must be an E.164 number, a Messaging Service SID (MG…) or an alphanumeric sender ID");
  }
  const baseUrl = config.apiBaseUrl ? new URL(config.apiBaseUrl) : undefined;
  const idempotencyKeys = new AsyncLocalStorage<string>();
  const client = twilio(config.accountSid, config.authToken, {
    httpClient: new RoutingRequestClient(baseUrl, idempotencyKeys),
    autoRetry: false,
  });

  return {
    async send(message) {
      if (!E164.test(message.to)) throw new MessageRejectedError("sms", "to", "is not an E.164 phone number");
      if (message.body.trim().length === 0) throw new MessageRejectedError("sms", "body", "is empty");
      if (message.body.length > MAX_BODY_CHARACTERS) {
        throw new MessageRejectedError("sms", "body", `is longer than ${MAX_BODY_CHARACTERS} characters`);
      }
      if (!message.idempotencyKey || /[\r\n]/.test(message.idempotencyKey)) {
        throw new MessageRejectedError("sms", "idempotencyKey", "must be a non-empty single line");
      }
      try {
        const created = await idempotencyKeys.run(message.idempotencyKey, () =>
          client.messages.create({
            to: message.to,
            body: message.body,
            ...(useService ? { messagingServiceSid: config.from } : { from: config.from }),
            ...(config.statusCallbackUrl ? { statusCallback: config.statusCallbackUrl } : {}),
          }),
        );
        const reported = Number(created.numSegments);
        return {
          sid: created.sid,
          status: created.status,
          // Twilio reports 0 while a Messaging Service message is still "accepted"; count ourselves then.
          segments: Number.isInteger(reported) && reported > 0 ? reported : smsSegments(message.body).segments,
        };
      } catch (error) {
        throw classifyTwilioError(error);
      }
    },
  };
}

/** Twilio error codes that no retry will fix. */
const PERMANENT_TWILIO_CODES = new Set([
  21211, // invalid 'To' number
  21408, // permission to send to this region not enabled
  21610, // recipient replied STOP
  21614, // 'To' is not a mobile number
  21612, // 'To' not reachable from this sender
  21617, // body too long
]);

/** HTTP statuses worth retrying: rate limiting, request timeout and server errors. */
function isTransientStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

export function classifyTwilioError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  if (error instanceof twilio.RestException) {
    const status = error.status;
    const code = typeof error.code === "number" ? error.code : undefined;
    const permanent = (code !== undefined && PERMANENT_TWILIO_CODES.has(code)) || !isTransientStatus(status);
    return new DeliveryError(`Twilio HTTP ${status}${code === undefined ? "" : ` error ${code}`}: ${error.message}`, {
      channel: "sms",
      permanent,
      providerCode: code === undefined ? undefined : String(code),
      cause: error,
    });
  }
  // No Twilio response at all: refused or reset connection, timeout, DNS. The API may be back soon.
  const err = error as { message?: unknown; code?: unknown } | null;
  const code = typeof err?.code === "string" ? err.code : undefined;
  const message = typeof err?.message === "string" ? err.message : String(error);
  return new DeliveryError(`Twilio request failed${code ? ` (${code})` : ""}: ${message}`, {
    channel: "sms",
    permanent: false,
    providerCode: code,
    cause: error,
  });
}
